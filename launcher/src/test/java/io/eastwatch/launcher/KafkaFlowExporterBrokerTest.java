package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.google.protobuf.ByteString;
import io.eastwatch.agent.export.AgentCounters;
import io.eastwatch.agent.export.AgentStats;
import io.eastwatch.agent.export.KafkaExportSettings;
import io.eastwatch.agent.export.KafkaFlowExporter;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter against a real single-node KRaft broker that the test stops and starts again on the
 * same port and data directory, as a Kafka restart looks to an agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaFlowExporterBrokerTest {

    static {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.eastwatch", "info");
    }

    @TempDir
    static Path dir;

    private EmbeddedKafka kafka;

    @BeforeAll
    void startBroker() {
        kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(dir.resolve("kafka")));
        kafka.start();
    }

    @AfterAll
    void stopBroker() {
        kafka.close();
    }

    private KafkaExportSettings settings(String bootstrap, String topic, Path state) {
        return KafkaExportSettings.defaults(bootstrap, "agent-1", "node-05", state)
            .withTopic(topic)
            .withTimings(Duration.ofMillis(500), Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofSeconds(5));
    }

    @Test
    void everyRecordArrivesOnceInSequenceOrderAcrossABrokerRestart() throws Exception {
        String topic = "flows-restart";
        int partitions = 3;
        kafka.createTopic(topic, partitions);
        MeterRegistry registry = new SimpleMeterRegistry();
        AgentCounters counters = new AgentCounters();
        counters.addPacketsCaptured(1234);
        AtomicLong produced = new AtomicLong();
        AtomicBoolean run = new AtomicBoolean(true);
        long maxSpool;
        try (KafkaFlowExporter exporter = new KafkaFlowExporter(settings(kafka.bootstrapServers(), topic,
                dir.resolve("agent-restart")), counters, registry)) {
            Thread capture = new Thread(() -> {
                while (run.get()) {
                    long n = produced.incrementAndGet();
                    exporter.accept(flow(n));
                    exporter.advance(n * 1000);
                    sleepMicros(500);
                }
            });
            capture.start();
            waitFor(() -> exporter.exportedCount() > 500, 15, "flows exported before the outage");

            kafka.stop();
            long atStop = produced.get();
            waitFor(() -> produced.get() > atStop + 1500 && exporter.spoolBytes() > 0, 20,
                "records spooled while the broker is down");
            maxSpool = exporter.spoolBytes();

            kafka.start();
            long atStart = produced.get();
            waitFor(() -> produced.get() > atStart + 1000, 10, "flows produced after the broker returned");
            run.set(false);
            capture.join();
            exporter.flush();
            waitFor(() -> exporter.exportedCount() == produced.get() && exporter.spoolBytes() == 0, 30,
                "every flow acknowledged and the spool empty");
            assertFalse(exporter.spooling());
            // One more heartbeat round after the last flow.
            double beats = registry.get("eastwatch.agent.export.heartbeats").counter().count();
            waitFor(() -> registry.get("eastwatch.agent.export.heartbeats").counter().count() >= beats + partitions, 10,
                "a heartbeat round after the last flow");
        }
        long total = produced.get();
        assertTrue(maxSpool > 0);
        assertTrue(registry.get("eastwatch.agent.spool.records").counter().count() > 0, "records went through the spool");
        assertEquals(0, registry.get("eastwatch.agent.spool.dropped").counter().count());
        assertEquals(0, registry.get("eastwatch.agent.export.handoff.dropped").counter().count());
        assertEquals(total, (long) registry.get("eastwatch.agent.flows.exported").counter().count());

        Consumed c = consume(topic, partitions, total);
        Set<Long> seen = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            long lastSequence = 0;
            long lastPartitionSequence = 0;
            for (ConsumerRecord<byte[], byte[]> r : c.byPartition.get(p)) {
                String type = type(r);
                if (type.equals("heartbeat")) {
                    AgentHeartbeat hb = AgentHeartbeat.parseFrom(r.value());
                    assertEquals("agent-1", new String(r.key(), StandardCharsets.UTF_8));
                    assertEquals(lastPartitionSequence, hb.getPartitionSequence(),
                        "heartbeat names the last partition_sequence before it on partition " + p);
                    assertEquals(1234, hb.getPacketsCaptured());
                    continue;
                }
                assertEquals("flow", type);
                FlowRecord f = FlowRecord.parseFrom(r.value());
                assertTrue(seen.add(f.getSequence()), "sequence " + f.getSequence() + " arrived twice");
                assertTrue(f.getSequence() > lastSequence, "sequence order on partition " + p);
                assertEquals(lastPartitionSequence + 1, f.getPartitionSequence(), "partition_sequence gap on " + p);
                assertEquals(p, Utils.toPositive(Utils.murmur2(r.key())) % partitions, "default-partitioner placement");
                assertEquals(expectedKey(f), new String(r.key(), StandardCharsets.UTF_8));
                assertEquals("agent-1", f.getAgentId());
                assertEquals("node-05", f.getHost());
                lastSequence = f.getSequence();
                lastPartitionSequence = f.getPartitionSequence();
            }
            assertTrue(c.heartbeats[p] > 0, "heartbeats on partition " + p);
        }
        assertEquals(total, seen.size());
        for (long s = 1; s <= total; s++) {
            assertTrue(seen.contains(s), "sequence " + s + " missing");
        }
    }

    @Test
    void fullSpoolDropsAndCountsWithoutFailing() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        KafkaExportSettings s = settings("127.0.0.1:" + unusedPort(), "flows-nowhere", dir.resolve("agent-full"))
            .withSpool(32 * 1024, 8 * 1024);
        try (KafkaFlowExporter exporter = new KafkaFlowExporter(s, AgentStats.NONE, registry)) {
            for (int i = 1; i <= 2000; i++) {
                exporter.accept(flow(i));
            }
            waitFor(() -> registry.get("eastwatch.agent.spool.records").counter().count()
                + registry.get("eastwatch.agent.spool.dropped").counter().count() >= 2000, 10, "all flows handled");
            assertTrue(registry.get("eastwatch.agent.spool.dropped").counter().count() > 0);
            assertTrue(exporter.spoolBytes() <= 32 * 1024);
            assertTrue(exporter.spoolBytes() > 16 * 1024);
            assertTrue(exporter.spooling());
        }
    }

    @Test
    void restartedAgentContinuesItsNumbering() throws Exception {
        String topic = "flows-numbering";
        kafka.createTopic(topic, 2);
        Path state = dir.resolve("agent-numbering");
        for (int run = 0; run < 2; run++) {
            try (KafkaFlowExporter exporter = new KafkaFlowExporter(settings(kafka.bootstrapServers(), topic, state),
                    AgentStats.NONE, new SimpleMeterRegistry())) {
                for (int i = 0; i < 100; i++) {
                    exporter.accept(flow(i));
                }
                waitFor(() -> exporter.exportedCount() == 100, 15, "flows of run exported");
            }
        }
        Consumed c = consume(topic, 2, 200);
        List<Long> sequences = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            long last = 0;
            for (ConsumerRecord<byte[], byte[]> r : c.byPartition.get(p)) {
                if (type(r).equals("flow")) {
                    FlowRecord f = FlowRecord.parseFrom(r.value());
                    assertEquals(last + 1, f.getPartitionSequence(), "partition_sequence continues on " + p);
                    last = f.getPartitionSequence();
                    sequences.add(f.getSequence());
                }
            }
        }
        sequences.sort(null);
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= 200; s++) {
            expected.add(s);
        }
        assertEquals(expected, sequences);
    }

    @Test
    void recordsSpooledBeforeACrashAreSentAfterTheRestart() throws Exception {
        String topic = "flows-crash";
        kafka.createTopic(topic, 2);
        Path state = dir.resolve("agent-crash");
        Path snapshot = dir.resolve("agent-crash-snapshot");
        MeterRegistry first = new SimpleMeterRegistry();
        // Kafka is unreachable for the first agent: everything goes to its spool.
        try (KafkaFlowExporter exporter = new KafkaFlowExporter(settings("127.0.0.1:" + unusedPort(), topic, state),
                AgentStats.NONE, first)) {
            for (int i = 0; i < 300; i++) {
                exporter.accept(flow(i));
            }
            waitFor(() -> first.get("eastwatch.agent.spool.records").counter().count() == 300, 10, "300 spooled");
            exporter.flush();
            // What the disk holds at this instant is what a crash (kill -9) would leave behind.
            copyTree(state, snapshot);
        }
        MeterRegistry second = new SimpleMeterRegistry();
        try (KafkaFlowExporter exporter = new KafkaFlowExporter(settings(kafka.bootstrapServers(), topic, snapshot),
                AgentStats.NONE, second)) {
            exporter.accept(flow(9999));
            waitFor(() -> exporter.exportedCount() == 301, 20, "spooled flows and a new one exported");
        }
        Consumed c = consume(topic, 2, 301);
        Set<Long> sequences = new HashSet<>();
        long newest = 0;
        for (int p = 0; p < 2; p++) {
            for (ConsumerRecord<byte[], byte[]> r : c.byPartition.get(p)) {
                if (type(r).equals("flow")) {
                    FlowRecord f = FlowRecord.parseFrom(r.value());
                    assertTrue(sequences.add(f.getSequence()), "duplicate " + f.getSequence());
                    if (f.getSrcPort() == 9999 % 60000 + 1024) {
                        newest = f.getSequence();
                    }
                }
            }
        }
        assertEquals(301, sequences.size());
        for (long s = 1; s <= 300; s++) {
            assertTrue(sequences.contains(s), "spooled sequence " + s + " missing");
        }
        assertTrue(newest > 300, "after a crash numbering resumes past the reserved block, got " + newest);
    }

    // ------------------------------------------------------------------ helpers

    static FlowRecord.Builder flow(long n) {
        int w = (int) (n % 10);
        FlowRecord.Builder b = FlowRecord.newBuilder()
            .setFirstTsUs(1_700_000_000_000_000L + n * 1000)
            .setLastTsUs(1_700_000_000_000_000L + n * 1000 + 500)
            .setSrcAddr(ByteString.copyFrom(new byte[] {10, 0, (byte) w, 7}))
            .setDstAddr(ByteString.copyFrom(new byte[] {10, 0, 9, 9}))
            .setSrcPort((int) (n % 60000) + 1024)
            .setDstPort(443)
            .setProtocol(6)
            .setPacketsFwd(3)
            .setBytesFwd(180);
        if (w != 0) {
            b.setSrc(Endpoint.newBuilder().setWorkload("shop/web-" + w).setContainerId("c" + w));
        }
        return b;
    }

    static String expectedKey(FlowRecord f) {
        if (f.hasSrc() && !f.getSrc().getWorkload().isEmpty()) {
            return f.getSrc().getWorkload();
        }
        try {
            return InetAddress.getByAddress(f.getSrcAddr().toByteArray()).getHostAddress();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String type(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader("eastwatch-type");
        assertNotNull(h, "eastwatch-type header");
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    record Consumed(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition, int[] heartbeats) {
    }

    private Consumed consume(String topic, int partitions, long flows) {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
        int[] heartbeats = new int[partitions];
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
            byPartition.put(p, new ArrayList<>());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : tps) {
                    done &= consumer.position(tp) >= end.get(tp);
                }
                if (done) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.get(r.partition()).add(r);
                    if (type(r).equals("heartbeat")) {
                        heartbeats[r.partition()]++;
                    }
                }
            }
        }
        long flowCount = byPartition.values().stream().flatMap(List::stream)
            .filter(r -> type(r).equals("flow")).count();
        assertEquals(flows, flowCount, "flow records on the topic");
        return new Consumed(byPartition, heartbeats);
    }

    static void waitFor(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static void sleepMicros(long micros) {
        long until = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
            if (until - System.nanoTime() > 200_000) {
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
