package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The /events body is cut into lines as chunks arrive, whatever the chunk boundaries. */
class DockerEventStreamTest {
    final List<String> lines = new ArrayList<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();
    final AtomicReference<Throwable> reason = new AtomicReference<>();

    private EmbeddedChannel channel(int maxLine) {
        return new EmbeddedChannel(new DockerApiClient.LineStreamHandler("/events", opened::incrementAndGet, lines::add, r -> {
            ended.incrementAndGet();
            reason.set(r);
        }, maxLine));
    }

    private static DefaultHttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Test
    void linesSplitAcrossChunksArriveWholeAndAtOnce() {
        var ch = channel(4096);
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        assertEquals(1, opened.get());
        ch.writeInbound(chunk("{\"Type\":\"container\",\"Action\":\"start\"}\n{\"Type\":\"net"));
        assertEquals(List.of("{\"Type\":\"container\",\"Action\":\"start\"}"), lines, "first line delivered before the stream ends");
        ch.writeInbound(chunk("work\",\"Action\":\"connect\"}\n\n{\"Action\":\"die\"}\n"));
        assertEquals(3, lines.size());
        assertEquals("{\"Type\":\"network\",\"Action\":\"connect\"}", lines.get(1));
        assertEquals("{\"Action\":\"die\"}", lines.get(2));
        ch.writeInbound(new DefaultLastHttpContent());
        assertEquals(1, ended.get());
        assertNull(reason.get(), "a clean end");
        ch.finishAndReleaseAll();
        assertEquals(1, ended.get(), "ended once");
    }

    @Test
    void aLineLongerThanTheLimitEndsTheStreamWithAnError() {
        var ch = channel(4096);
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ch.writeInbound(chunk("x".repeat(5000)));
        assertEquals(1, ended.get());
        assertNotNull(reason.get());
        assertTrue(reason.get().getMessage().contains("longer than 4096"), reason.get().getMessage());
        assertTrue(lines.isEmpty());
        ch.finishAndReleaseAll();
    }

    @Test
    void anErrorStatusEndsTheStream() {
        var ch = channel(4096);
        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST));
        assertEquals(0, opened.get());
        assertEquals(1, ended.get());
        assertTrue(reason.get().getMessage().contains("400"), reason.get().getMessage());
        ch.finishAndReleaseAll();
    }
}
