package io.eastwatch.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.ByteString;
import io.eastwatch.flow.FlowJson;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class JsonFlowExporterTest {

    private static FlowRecord.Builder flow(int port) {
        return FlowRecord.newBuilder().setSrcAddr(ByteString.copyFrom(new byte[] {10, 0, 0, 1}))
            .setDstAddr(ByteString.copyFrom(new byte[] {10, 0, 0, 2})).setSrcPort(40000).setDstPort(port)
            .setProtocol(6).setOutcome(Outcome.REJECTED).setFirstTsUs(1_767_899_657_929_123L);
    }

    @Test
    void writesOneNumberedLinePerFlow() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JsonFlowExporter exporter = new JsonFlowExporter("agent-7", "node-05", out, registry);
        exporter.accept(flow(22));
        exporter.accept(flow(23));
        exporter.flush();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        FlowRecord second = FlowJson.parse(lines[1], FlowRecord.newBuilder()).build();
        assertEquals(flow(23).setAgentId("agent-7").setHost("node-05").setSequence(2).build(), second);
        assertTrue(lines[0].contains("\"src_addr\":\"10.0.0.1\""), lines[0]);
        assertTrue(lines[0].contains("\"first_ts\":\"2026-01-08T19:14:17.929123Z\""), lines[0]);
        assertEquals(2, registry.get("eastwatch.agent.flows.exported").counter().count());
    }

    @Test
    void aBrokenPipeIsCountedNotThrown() {
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JsonFlowExporter exporter = new JsonFlowExporter("a", "h", closedPipe, registry);
        for (int i = 0; i < 3000; i++) {
            exporter.accept(flow(i)); // fills the buffer, so writes reach the stream and fail
        }
        exporter.flush();
        assertTrue(registry.get("eastwatch.agent.json.write.errors").counter().count() > 0);
    }
}
