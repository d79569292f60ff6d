package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.alert.AlertJson;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.collector.fixture.TestCluster;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PartitionIngestTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final IngestMetrics metrics = new IngestMetrics(registry);
    final List<Alert> alerts = new ArrayList<>();
    final IngestSettings ingest = IngestSettings.defaults("unused:9092", "t");
    final CollectorSettings settings = CollectorSettings.defaults().withLearning(Duration.ofMinutes(10));

    PartitionIngest pipeline(List<Alert> out) {
        return new PartitionIngest(0, settings, ingest, out::add, registry, metrics);
    }

    static FlowRecord ok() {
        Containers a = Containers.of("shop/web", 0, "1", "node-1", "10.244.1.10");
        Containers b = Containers.of("shop/api", 0, "1", "node-2", "10.244.2.10");
        return Flows.tcp(TestCluster.T0, a, b, 8080, 5000);
    }

    static List<Arguments> nonsense() {
        FlowRecord r = ok();
        return List.of(
                Arguments.of("no-agent", r.toBuilder().setAgentId("").build()),
                Arguments.of("timestamps", r.toBuilder().setLastTsUs(r.getFirstTsUs() - 1).build()),
                Arguments.of("timestamps", r.toBuilder().setFirstTsUs(0).setLastTsUs(13).build()),
                Arguments.of("address", r.toBuilder().setSrcAddr(ByteString.copyFrom(new byte[] {1, 2, 3})).build()),
                Arguments.of("address", r.toBuilder().setDstAddr(ByteString.copyFrom(new byte[16])).build()),
                Arguments.of("port", r.toBuilder().setDstPort(70_000).build()),
                Arguments.of("protocol", r.toBuilder().setProtocol(300).build()),
                Arguments.of("counters", r.toBuilder().setPacketsFwd(0).setPacketsRev(0).build()),
                Arguments.of("counters", r.toBuilder().setBytesFwd(-5).build()));
    }

    @ParameterizedTest
    @MethodSource("nonsense")
    void nonsenseGoesToTheDeadLetterWithItsReason(String reason, FlowRecord bad) {
        PartitionIngest p = pipeline(alerts);
        assertEquals(reason, p.accept(bad.toByteArray(), "flow", 0));
        assertEquals(1.0, registry.get("eastwatch.collector.records.dead_letter").tag("reason", reason).counter().count());
        assertEquals(0.0, registry.get("eastwatch.collector.flows.ingested").counter().count());
        assertNull(p.accept(ok().toByteArray(), "flow", 0));
        assertEquals(1.0, registry.get("eastwatch.collector.flows.ingested").counter().count());
    }

    @Test
    void undecodableAndUnknownRecords() {
        PartitionIngest p = pipeline(alerts);
        assertEquals("decode", p.accept(new byte[] {0x0a, (byte) 0xff, 0x01}, null, 0));
        assertEquals("empty", p.accept(new byte[0], "flow", 0));
        assertEquals("decode", p.accept(new byte[] {(byte) 0xff}, "heartbeat", 0));
        assertEquals("unknown-type", p.accept(ok().toByteArray(), "metrics", 0));
    }

    @Test
    void theSameFlowFromTwoHostsCountsOnceAndGapsAreCounted() {
        PartitionIngest p = pipeline(alerts);
        FlowRecord r = ok().toBuilder().setAgentId("agent-node-1").setPartitionSequence(1).build();
        assertNull(p.accept(r.toByteArray(), "flow", 0));
        FlowRecord copy = r.toBuilder().setAgentId("agent-node-2").setFirstTsUs(r.getFirstTsUs() + 300).setLastTsUs(r.getLastTsUs() + 300).build();
        assertNull(p.accept(copy.toByteArray(), "flow", 0));
        assertEquals(1.0, registry.get("eastwatch.collector.flows.duplicate").counter().count());
        assertEquals(1.0, registry.get("eastwatch.collector.flows.ingested").counter().count());
        // The same 5-tuple much later is a new flow; agent 1 skipped sequence numbers 2..4.
        FlowRecord later = r.toBuilder().setFirstTsUs(r.getFirstTsUs() + 60_000_000L).setLastTsUs(r.getLastTsUs() + 60_000_000L)
                .setPartitionSequence(5).build();
        assertNull(p.accept(later.toByteArray(), "flow", 0));
        assertEquals(2.0, registry.get("eastwatch.collector.flows.ingested").counter().count());
        assertEquals(3.0, registry.get("eastwatch.collector.sequence.gaps").counter().count());
    }

    @Test
    void aRestoredSnapshotContinuesExactlyLikeAnUninterruptedRun() throws Exception {
        List<byte[]> records = new ArrayList<>();
        TestCluster c = new TestCluster();
        Containers rogue = c.web.get(0);
        for (int i = 0; i < 12 * 16; i++) {
            List<FlowRecord> batch = new ArrayList<>();
            long t = c.tick(batch::add);
            if (t > TestCluster.T0 + 11 * 60_000_000L) {
                batch.add(Flows.unanswered(t + 3000, rogue.endpoint(), rogue.ip(), Flows.external(),
                        new byte[] {10, (byte) 244, 8, (byte) (i % 250)}, 23));
            }
            batch.sort((x, y) -> Long.compare(x.getLastTsUs(), y.getLastTsUs()));
            batch.forEach(r -> records.add(r.toByteArray()));
        }
        List<Alert> straight = new ArrayList<>();
        PartitionIngest whole = pipeline(straight);
        records.forEach(r -> whole.accept(r, "flow", 0));

        List<Alert> split = new ArrayList<>();
        PartitionIngest first = pipeline(split);
        int half = records.size() * 3 / 4;
        records.subList(0, half).forEach(r -> first.accept(r, "flow", 0));
        byte[] snapshot = SnapshotStore.encode(first.snapshot(half));
        PartitionIngest second = pipeline(split);
        PartitionSnapshot restored = EngineStateCodec.decode(snapshot);
        assertEquals(half, restored.nextOffset);
        second.restore(restored);
        records.subList(half, records.size()).forEach(r -> second.accept(r, "flow", 0));

        assertFalse(straight.isEmpty());
        assertEquals(straight.stream().map(AlertJson::toJson).toList(), split.stream().map(AlertJson::toJson).toList());
    }
}
