package io.eastwatch.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.google.protobuf.ByteString;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.FlowRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The parts of the exporter that need no broker (the broker tests are in the launcher module). */
class KafkaFlowExporterTest {

    @ParameterizedTest
    @ValueSource(strings = {"shop/web-00", "shop/db", "10.244.5.57", "fd00::1", "", "kube-system/coredns"})
    void partitionsLikeKafkasDefaultPartitioner(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        for (int n : new int[] {1, 3, 12, 64}) {
            assertEquals(BuiltInPartitioner.partitionForKey(k, n), KafkaFlowExporter.partitionFor(k, n));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 127, 128, 300, 16384, 1L << 35, Long.MAX_VALUE})
    void appendedPartitionSequenceIsWhatAReaderSees(long n) throws Exception {
        FlowRecord base = FlowRecord.newBuilder().setAgentId("a").setSequence(42).setDstPort(443).build();
        FlowRecord parsed = FlowRecord.parseFrom(KafkaFlowExporter.withPartitionSequence(base.toByteArray(), n));
        assertEquals(base.toBuilder().setPartitionSequence(n).build(), parsed);
    }

    @Test
    void keyIsTheSourceWorkloadElseTheSourceAddress() {
        FlowRecord.Builder resolved = FlowRecord.newBuilder()
            .setSrcAddr(ByteString.copyFrom(new byte[] {10, (byte) 244, 5, 57}))
            .setSrc(Endpoint.newBuilder().setWorkload("shop/web-00"));
        assertEquals("shop/web-00", new String(KafkaFlowExporter.keyOf(resolved), StandardCharsets.UTF_8));
        FlowRecord.Builder unresolved = resolved.clone().setSrc(Endpoint.newBuilder().setWorkload(""));
        assertEquals("10.244.5.57", new String(KafkaFlowExporter.keyOf(unresolved), StandardCharsets.UTF_8));
        FlowRecord.Builder v6 = FlowRecord.newBuilder().setSrcAddr(ByteString.copyFrom(
            new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        assertEquals("fd00::1", new String(KafkaFlowExporter.keyOf(v6), StandardCharsets.UTF_8));
    }

    @Test
    void settingsRejectBadValuesByName() {
        KafkaExportSettings ok = KafkaExportSettings.defaults("127.0.0.1:9092", "a", "h", Path.of("/tmp/x"));
        assertEquals("eastwatch.flows", ok.topic());
        assertEquals("spoolMaxBytes: 100 (expected: >= spoolSegmentBytes 67108864)",
            assertThrows(IllegalArgumentException.class, () -> ok.withSpool(100, 64L << 20)).getMessage());
        assertEquals("stallTimeout: PT0S (expected: > 0)", assertThrows(IllegalArgumentException.class,
            () -> ok.withTimings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)))
            .getMessage());
        assertEquals("topic: \" \" (expected: non-empty)",
            assertThrows(IllegalArgumentException.class, () -> ok.withTopic(" ")).getMessage());
        assertEquals("bootstrapServers: null (expected: non-empty)", assertThrows(IllegalArgumentException.class,
            () -> KafkaExportSettings.defaults(null, "a", "h", Path.of("/tmp/x"))).getMessage());
        assertEquals("sequenceBlock: 0 (expected: >= 1)",
            assertThrows(IllegalArgumentException.class, () -> ok.withSequenceBlock(0)).getMessage());
    }
}
