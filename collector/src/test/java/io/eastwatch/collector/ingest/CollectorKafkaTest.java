package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.alert.AlertJson;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.collector.fixture.TestCluster;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.testkit.TestBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale-out and faults against a real embedded KRaft broker: two collectors share the flows
 * partitions, one stops mid-attack and the other takes over its partitions from their snapshots
 * without relearning, losing or repeating an alert; garbage lands in the dead letter and changes
 * nothing else. A third collector in its own group (own state and alerts topics) reads the clean
 * stream as the reference; it runs every partition on its consume thread, where the two run their
 * partitions on parallel threads, so the comparison also holds the parallel pipelines to the
 * sequential result (same alert ids and revisions).
 */
class CollectorKafkaTest {

    static final String FLOWS = "eastwatch.flows";
    static final int PARTITIONS = 4;
    static final long MIN = 60_000_000L;
    static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = TestBroker.start(TestBroker.singleNode(4));
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(FLOWS, PARTITIONS, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static IngestSettings settings(String group, String instance, String suffix) {
        return new IngestSettings(kafka.bootstrapServers(), group, FLOWS, "eastwatch.alerts" + suffix,
                "eastwatch.flows.dlq" + suffix, "eastwatch.collector.state" + suffix, instance, 200, 1_000_000L, 100_000);
    }

    static CollectorSettings engineSettings() {
        // Wall-clock agent silence is not part of this comparison: the split run pauses between phases.
        CollectorSettings s = CollectorSettings.defaults().withLearning(Duration.ofMinutes(10));
        return new CollectorSettings(s.baseline(), s.scan(), s.newEdge(), s.bruteForce(), s.volume(), s.replicaOutlier(),
                s.incidents(), new io.eastwatch.collector.coverage.HealthSettings(3_600_000_000L, 0.05, 1_000));
    }

    /** Writes flows keyed by source workload and a heartbeat per agent to every partition each tick. */
    static final class Feed implements AutoCloseable {
        final KafkaProducer<byte[], byte[]> producer;
        final Map<String, Long> partitionSeq = new HashMap<>();

        Feed() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producer = new KafkaProducer<>(p);
        }

        void flow(FlowRecord r) {
            byte[] key = r.getSrc().getWorkload().getBytes(StandardCharsets.UTF_8);
            int partition = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(key)) % PARTITIONS;
            long seq = partitionSeq.merge(r.getAgentId() + "/" + partition, 1L, Long::sum);
            FlowRecord numbered = r.toBuilder().setPartitionSequence(seq).build();
            ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(FLOWS, partition, key, numbered.toByteArray());
            rec.headers().add(CollectorApp.TYPE_HEADER, "flow".getBytes(StandardCharsets.UTF_8));
            producer.send(rec);
        }

        void heartbeats(long watermarkUs, Set<String> agents) {
            for (String agent : agents) {
                for (int p = 0; p < PARTITIONS; p++) {
                    AgentHeartbeat hb = AgentHeartbeat.newBuilder().setAgentId(agent).setHost(agent.substring(6))
                            .setWatermarkUs(watermarkUs).setSentAtUs(watermarkUs)
                            .setPartitionSequence(partitionSeq.getOrDefault(agent + "/" + p, 0L))
                            .setPacketsCaptured(watermarkUs / 1000).build();
                    ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(FLOWS, p, agent.getBytes(StandardCharsets.UTF_8),
                            hb.toByteArray());
                    rec.headers().add(CollectorApp.TYPE_HEADER, "heartbeat".getBytes(StandardCharsets.UTF_8));
                    producer.send(rec);
                }
            }
        }

        void garbage(int partition, byte[] value, String type) {
            ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(FLOWS, partition, "junk".getBytes(StandardCharsets.UTF_8), value);
            if (type != null) {
                rec.headers().add(CollectorApp.TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
            }
            producer.send(rec);
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    static void runTicks(TestCluster cluster, Feed feed, int ticks, Containers scanner, Containers guesser,
                         long attackFrom, Set<String> agents) {
        for (int i = 0; i < ticks; i++) {
            List<FlowRecord> batch = new ArrayList<>();
            long t = cluster.tick(batch::add);
            if (t >= attackFrom) {
                int k = (int) ((t - attackFrom) / TestCluster.TICK);
                batch.add(Flows.unanswered(t + 3000, scanner.endpoint(), scanner.ip(), Flows.external(),
                        new byte[] {10, (byte) 244, 9, (byte) (k + 1)}, 22));
                if (k >= 6) {
                    for (int j = 0; j < 20; j++) {
                        batch.add(Flows.tcp(t + 3100 + j, guesser, cluster.db, 5432, 1_200));
                    }
                }
            }
            batch.sort((a, b) -> Long.compare(a.getLastTsUs(), b.getLastTsUs()));
            for (FlowRecord r : batch) {
                agents.add(r.getAgentId());
                feed.flow(r);
            }
            feed.heartbeats(t, agents);
        }
        feed.producer.flush();
    }

    static void await(String what, BooleanSupplier done, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** True once the group committed the end offset of every flows partition. */
    static boolean caughtUp(String group) {
        return TestBroker.groupCaughtUp(kafka, group, FLOWS, PARTITIONS);
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static Set<String> alertKeys(String topic) {
        Set<String> keys = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            Alert a = AlertJson.parse(new String(r.value(), StandardCharsets.UTF_8));
            assertEquals(a.id(), new String(r.key(), StandardCharsets.UTF_8));
            assertTrue(keys.add(a.id() + " r" + a.revision() + " " + a.detector() + " " + a.source().name()),
                    () -> "alert repeated: " + a.id() + " r" + a.revision());
        }
        return keys;
    }

    @Test
    void twoCollectorsShareFailOverAndReferenceAgrees() throws Exception {
        TestCluster cluster = new TestCluster();
        Containers scanner = cluster.web.get(0);
        Containers guesser = cluster.api.get(2);
        long attackFrom = TestCluster.T0 + 14 * MIN;
        Set<String> agents = new TreeSet<>();
        SimpleMeterRegistry registryA = new SimpleMeterRegistry();
        SimpleMeterRegistry registryB = new SimpleMeterRegistry();
        // a and b run their partitions on parallel threads, the reference all on its consume thread
        CollectorApp a = new CollectorApp(settings("g-main", "a", "").withProcessingThreads(4), engineSettings(),
                registryA, null);
        CollectorApp b = new CollectorApp(settings("g-main", "b", "").withProcessingThreads(4), engineSettings(),
                registryB, null);
        Set<String> beforeStop;
        try (Feed feed = new Feed()) {
            // Learning and the start of the attack, with garbage mixed in, while both share the partitions.
            runTicks(cluster, feed, 12 * 15, scanner, guesser, attackFrom, agents);
            feed.garbage(0, new byte[] {0x0a, (byte) 0xff, 0x01}, "flow");
            feed.garbage(1, FlowRecord.newBuilder().setAgentId("agent-x").setFirstTsUs(5).setLastTsUs(1).build().toByteArray(), null);
            feed.garbage(2, new byte[] {1, 2, 3}, "something-else");
            feed.garbage(3, new byte[0], "heartbeat");
            feed.producer.flush();
            a.start();
            b.start();
            await("both collectors own partitions",
                    () -> !a.assignedPartitions().isEmpty() && !b.assignedPartitions().isEmpty(), Duration.ofSeconds(60));
            await("group caught up", () -> caughtUp("g-main"), Duration.ofSeconds(90));
            assertEquals(PARTITIONS, a.assignedPartitions().size() + b.assignedPartitions().size());
            beforeStop = alertKeys("eastwatch.alerts");
            assertFalse(beforeStop.isEmpty(), "the scan started before the hand-over is already alerted");

            a.close();
            assertNull(a.failure());
            // The rest of the attack arrives after the hand-over: only b can see it.
            runTicks(cluster, feed, 12 * 5, scanner, guesser, attackFrom, agents);
            await("b owns every partition", () -> b.assignedPartitions().size() == PARTITIONS, Duration.ofSeconds(60));
            await("group caught up again", () -> caughtUp("g-main"), Duration.ofSeconds(90));
        } finally {
            a.close();
            b.close();
        }
        assertNull(b.failure());
        Set<String> split = alertKeys("eastwatch.alerts");

        // Reference: one collector, own group and topics, same flows (it also skips the garbage).
        CollectorApp ref = new CollectorApp(settings("g-ref", "ref", ".ref").withProcessingThreads(1), engineSettings(),
                new SimpleMeterRegistry(), null);
        try {
            ref.start();
            await("reference caught up", () -> caughtUp("g-ref"), Duration.ofSeconds(90));
        } finally {
            ref.close();
        }
        Set<String> reference = alertKeys("eastwatch.alerts.ref");

        assertEquals(reference, split);
        assertTrue(split.stream().anyMatch(k -> k.contains("port-scan") && k.contains(scanner.name())), split::toString);
        assertTrue(split.stream().anyMatch(k -> k.contains("brute-force") && k.contains(guesser.name())), split::toString);
        assertTrue(split.stream().allMatch(k -> k.contains(scanner.name()) || k.contains(guesser.name())), split::toString);
        // The scan's alert opened before the hand-over and was revised after it, under the same id.
        String scanId = beforeStop.stream().filter(k -> k.contains(scanner.name())).findFirst().orElseThrow().split(" ")[0];
        assertTrue(split.stream().filter(k -> k.startsWith(scanId)).count() > beforeStop.stream().filter(k -> k.startsWith(scanId)).count());

        List<ConsumerRecord<byte[], byte[]>> dead = readAll("eastwatch.flows.dlq");
        assertEquals(4, dead.size());
        Set<String> reasons = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            reasons.add(new String(r.headers().lastHeader("eastwatch-dlq-reason").value(), StandardCharsets.UTF_8));
        }
        assertEquals(Set.of("decode", "empty", "timestamps", "unknown-type"), reasons);
        double dlqCount = registryA.find("eastwatch.collector.records.dead_letter").counters().stream()
                .mapToDouble(c -> c.count()).sum()
                + registryB.find("eastwatch.collector.records.dead_letter").counters().stream().mapToDouble(c -> c.count()).sum();
        assertEquals(4.0, dlqCount);
        assertTrue(registryB.get("eastwatch.collector.flows.ingested").counter().count() > 0);
        assertEquals(Optional.of(0.0), Optional.of(registryB.get("eastwatch.collector.sequence.gaps").counter().count()));
    }
}
