package io.eastwatch.daemon.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpsRequestHandlerTest {

    private final ObjectMapper json = new ObjectMapper();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SimpleMeterRegistry own = new SimpleMeterRegistry();
    private final HealthRoute health = new HealthRoute();
    private final OpsRoutes routes = new OpsRoutes()
            .get("/metrics", new MetricsRoute(prometheus))
            .get("/healthz", health)
            .get("/boom", (req, uri) -> {
                throw new IllegalStateException("route bug");
            });

    private FullHttpResponse exchange(HttpMethod method, String uri, String accept) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpObjectAggregator(1024),
                new OpsRequestHandler(routes, own, "eastwatch.test"));
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
        if (accept != null) {
            req.headers().set(HttpHeaderNames.ACCEPT, accept);
        }
        ch.writeInbound(req);
        FullHttpResponse r = ch.readOutbound();
        ch.finishAndReleaseAll();
        return r;
    }

    private JsonNode body(FullHttpResponse r) throws Exception {
        try {
            return json.readTree(r.content().toString(StandardCharsets.UTF_8));
        } finally {
            r.release();
        }
    }

    @Test
    void metricsScrapeInTextAndOpenMetricsFormats() {
        Counter.builder("eastwatch.test.packets").register(prometheus).increment(3);
        FullHttpResponse text = exchange(HttpMethod.GET, "/metrics", null);
        assertEquals(HttpResponseStatus.OK, text.status());
        assertEquals(MetricsRoute.TEXT_004, text.headers().get(HttpHeaderNames.CONTENT_TYPE));
        String s = text.content().toString(StandardCharsets.UTF_8);
        text.release();
        assertTrue(s.contains("eastwatch_test_packets_total 3.0"), s);

        FullHttpResponse om = exchange(HttpMethod.GET, "/metrics?x=1", "application/openmetrics-text;version=1.0.0");
        assertTrue(om.headers().get(HttpHeaderNames.CONTENT_TYPE).startsWith("application/openmetrics-text"));
        String o = om.content().toString(StandardCharsets.UTF_8);
        om.release();
        assertTrue(o.trim().endsWith("# EOF"), o);
    }

    @Test
    void healthzReportsComponentsAnd503WhenOneIsDown() throws Exception {
        health.register("capture", () -> HealthCheck.Result.up("2 interfaces"));
        health.register("export", () -> HealthCheck.Result.degraded("spooling"));
        FullHttpResponse ok = exchange(HttpMethod.GET, "/healthz", null);
        assertEquals(HttpResponseStatus.OK, ok.status());
        JsonNode b = body(ok);
        assertEquals("DEGRADED", b.get("status").asText());
        assertEquals("UP", b.at("/checks/capture/status").asText());
        assertEquals("spooling", b.at("/checks/export/detail").asText());

        health.register("identity", () -> {
            throw new IllegalStateException("socket gone");
        });
        FullHttpResponse down = exchange(HttpMethod.GET, "/healthz", null);
        assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, down.status());
        JsonNode d = body(down);
        assertEquals("DOWN", d.get("status").asText());
        assertTrue(d.at("/checks/identity/detail").asText().contains("socket gone"));
    }

    @Test
    void unknownPathIs404Json() throws Exception {
        FullHttpResponse r = exchange(HttpMethod.GET, "/nope?a=b", null);
        assertEquals(HttpResponseStatus.NOT_FOUND, r.status());
        assertEquals(OpsResponse.JSON, r.headers().get(HttpHeaderNames.CONTENT_TYPE));
        JsonNode b = body(r);
        assertEquals("not found", b.get("error").asText());
        assertEquals("/nope", b.get("path").asText());
        assertEquals(404, b.get("status").asInt());
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        FullHttpResponse r = exchange(HttpMethod.POST, "/healthz", null);
        assertEquals(HttpResponseStatus.METHOD_NOT_ALLOWED, r.status());
        assertEquals("GET, HEAD", r.headers().get(HttpHeaderNames.ALLOW));
        assertEquals("method POST not allowed", body(r).get("error").asText());
    }

    @Test
    void headHasNoBodyButTheLength() {
        FullHttpResponse r = exchange(HttpMethod.HEAD, "/healthz", null);
        assertEquals(HttpResponseStatus.OK, r.status());
        assertEquals(0, r.content().readableBytes());
        assertTrue(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH) > 0);
        r.release();
    }

    @Test
    void throwingRouteIs500AndCounted() throws Exception {
        FullHttpResponse r = exchange(HttpMethod.GET, "/boom", null);
        assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR, r.status());
        assertFalse(body(r).get("error").asText().contains("route bug"), "no internals leak");
        assertEquals(1.0, own.get("eastwatch.test.ops.requests.failed").tag("reason", "route-error").counter().count());
    }

    @Test
    void routesRejectDuplicatesAndBadPaths() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> routes.get("/metrics", health));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> routes.get("metrics", health));
    }
}
