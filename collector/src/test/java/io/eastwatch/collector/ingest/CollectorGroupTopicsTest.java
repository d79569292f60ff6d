package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The group topics against a real embedded KRaft broker, two collectors per group over a flows
 * topic of two partitions keyed by source workload: the destination view lets the collector of the
 * scanner's partition use what the other collector's partition learned about the target (and
 * without the topic it cannot), and an approval posted to one collector silences the edge on the
 * other collector's partition, also after that collector restarts.
 */
class CollectorGroupTopicsTest {

    static final int PARTITIONS = 2;
    static final long T0 = 1_767_900_000_000_000L;
    static final long SEC = 1_000_000L;
    static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("flows.dst", PARTITIONS, (short) 1),
                    new NewTopic("flows.appr", PARTITIONS, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static int partition(String workload) {
        return Utils.toPositive(Utils.murmur2(workload.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** The first of {@code prefix-0, prefix-1, ...} whose partition is (or is not) {@code p}. */
    static String named(String prefix, int p, boolean same) {
        for (int i = 0; ; i++) {
            String w = prefix + "-" + i;
            if (partition(w) == p == same) {
                return w;
            }
        }
    }

    static CollectorSettings engineSettings() {
        CollectorSettings s = CollectorSettings.defaults().withLearning(Duration.ofMinutes(2));
        return new CollectorSettings(s.baseline(), s.scan(), s.newEdge(), s.bruteForce(), s.volume(), s.replicaOutlier(),
                s.incidents(), new io.eastwatch.collector.coverage.HealthSettings(3_600_000_000L, 0.05, 1_000));
    }

    /** A member of {@code group} over {@code flows}, its own alerts/state topics per group, alerts also into {@code sink}. */
    static CollectorApp collector(String flows, String group, String instance, SimpleMeterRegistry registry,
                                  List<Alert> sink) {
        IngestSettings ingest = new IngestSettings(kafka.bootstrapServers(), group, flows, "alerts." + group,
                "dlq." + group, "state." + group, instance, 200, 1_000_000L, 100_000);
        return new CollectorApp(ingest, engineSettings(), registry, sink::add);
    }

    static final class Feed implements AutoCloseable {
        final String topic;
        final KafkaProducer<byte[], byte[]> producer;
        final Map<String, Long> seq = new HashMap<>();

        Feed(String topic) {
            this.topic = topic;
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            producer = new KafkaProducer<>(p);
        }

        void send(List<FlowRecord> flows) {
            flows.sort((a, b) -> Long.compare(a.getLastTsUs(), b.getLastTsUs()));
            for (FlowRecord r : flows) {
                String workload = r.getSrc().getWorkload();
                int p = partition(workload);
                long n = seq.merge(r.getAgentId() + "/" + p, 1L, Long::sum);
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, p, workload.getBytes(StandardCharsets.UTF_8),
                        r.toBuilder().setPartitionSequence(n).build().toByteArray());
                rec.headers().add(CollectorApp.TYPE_HEADER, "flow".getBytes(StandardCharsets.UTF_8));
                producer.send(rec);
            }
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static boolean caughtUp(String group, String flows) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                spec.put(new TopicPartition(flows, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(spec).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    static double evidence(SimpleMeterRegistry r) {
        var c = r.find("eastwatch.collector.destinations.evidence").tag("kind", "unserved-port").counter();
        return c == null ? 0 : c.count();
    }

    /** The port-scan stage of the latest alert about {@code container}, or null. */
    static Map<String, Object> scanEvidence(List<Alert> alerts, String container) {
        Map<String, Object> last = null;
        synchronized (alerts) {
            for (Alert a : alerts) {
                if (a.source().name().equals(container)) {
                    for (Alert.Stage s : a.stages()) {
                        if (s.detector().equals("port-scan")) {
                            last = s.evidence();
                        }
                    }
                }
            }
        }
        return last;
    }

    static boolean alerted(List<Alert> alerts, String container, String detector) {
        synchronized (alerts) {
            return alerts.stream().anyMatch(a -> a.source().name().equals(container)
                    && a.stages().stream().anyMatch(s -> s.detector().equals(detector)));
        }
    }

    /**
     * web scans db's ports. web and db share a partition (db's own flows are there, so it is no
     * stranger); the flows that show db serving come from api, whose partition the other collector
     * owns. Group "on" shares the destination view, group "off" does not; both read the same flows.
     */
    @Test
    void theScannersCollectorUsesWhatTheOtherCollectorLearnedAboutTheTarget() throws Exception {
        String web = "shop/web";
        int px = partition(web);
        String db = named("shop/db", px, true);
        String api = named("shop/api", px, false);
        Containers scanner = Containers.of(web, 0, "1", "node-1", "10.244.1.10");
        Containers web1 = Containers.of(web, 1, "1", "node-1", "10.244.1.11");
        Containers dbc = Containers.of(db, 0, "1", "node-3", "10.244.3.10");
        Containers apic = Containers.of(api, 0, "1", "node-2", "10.244.2.10");

        List<Alert> onAlerts = Collections.synchronizedList(new ArrayList<>());
        List<Alert> offAlerts = Collections.synchronizedList(new ArrayList<>());
        List<SimpleMeterRegistry> onRegistries = List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry());
        List<SimpleMeterRegistry> offRegistries = List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry());
        List<CollectorApp> on = new ArrayList<>();
        List<CollectorApp> off = new ArrayList<>();
        DestinationViewSettings fast = DestinationViewSettings.defaults().withPublishIntervalMillis(300);
        for (int i = 0; i < 2; i++) {
            CollectorApp a = collector("flows.dst", "g-on", "on-" + i, onRegistries.get(i), onAlerts);
            a.destinationsTopic("eastwatch.collector.destinations", fast);
            on.add(a);
            off.add(collector("flows.dst", "g-off", "off-" + i, offRegistries.get(i), offAlerts));
        }
        try (Feed feed = new Feed("flows.dst")) {
            on.forEach(CollectorApp::start);
            off.forEach(CollectorApp::start);
            for (List<CollectorApp> g : List.of(on, off)) {
                await("each collector owns one partition", () -> g.get(0).assignedPartitions().size() == 1
                        && g.get(1).assignedPartitions().size() == 1);
            }
            // three minutes of normal traffic: two of learning, one of monitoring
            List<FlowRecord> normal = new ArrayList<>();
            for (int i = 0; i < 18; i++) {
                long t = T0 + i * 10 * SEC;
                normal.add(Flows.tcp(t, scanner, apic, 8080, 3_000));
                normal.add(Flows.tcp(t + 100, web1, apic, 8080, 3_000));
                normal.add(Flows.tcp(t + 200, dbc, apic, 8080, 1_000));
                normal.add(Flows.tcp(t + 300, apic, dbc, 5432, 20_000));
            }
            feed.send(normal);
            await("the on group's collectors know db serves 5432", () -> on.stream().allMatch(
                    a -> a.destinationView().served(db, 5432 << 8 | 6)));
            assertFalse(off.get(0).destinationView().knowsServed(db), "no topic, no view");

            List<FlowRecord> scan = new ArrayList<>();
            for (int port = 20; port < 36; port++) {
                scan.add(Flows.rejected(T0 + 190 * SEC + port * SEC, scanner.endpoint(), scanner.ip(), dbc.endpoint(),
                        dbc.ip(), port));
            }
            feed.send(scan);
            await("both groups processed the scan", () -> caughtUp("g-on", "flows.dst") && caughtUp("g-off", "flows.dst"));
            await("the on group's alert counts all 16 probes", () -> {
                Map<String, Object> ev = scanEvidence(onAlerts, scanner.name());
                return ev != null && ((Number) ev.get("probes")).longValue() == 16;
            });
        } finally {
            for (CollectorApp a : on) {
                a.close();
            }
            for (CollectorApp a : off) {
                a.close();
            }
        }
        for (CollectorApp a : on) {
            assertNull(a.failure());
        }
        Map<String, Object> with = scanEvidence(onAlerts, scanner.name());
        assertEquals(16L, ((Number) with.get("unserved_ports")).longValue(), with::toString);
        assertTrue(evidence(onRegistries.get(0)) + evidence(onRegistries.get(1)) >= 16);
        Map<String, Object> without = scanEvidence(offAlerts, scanner.name());
        assertTrue(without != null, "without the view the scan is still caught, on weaker evidence");
        assertEquals(0L, ((Number) without.get("unserved_ports")).longValue(), without::toString);
        assertTrue(((Number) with.get("probes_to_decide")).longValue()
                < ((Number) without.get("probes_to_decide")).longValue(), () -> with + " vs " + without);
        assertEquals(0.0, evidence(offRegistries.get(0)) + evidence(offRegistries.get(1)));
        assertTrue(onRegistries.stream().mapToDouble(r -> r.get("eastwatch.collector.destinations.summaries.published")
                .counter().count()).sum() >= 2, "both partitions were published");
        assertFalse(alerted(onAlerts, web1.name(), "port-scan"), "the scanner's sibling stays quiet");
    }

    /**
     * An approval posted to the collector that does not own the source's partition reaches the one
     * that does, and holds after that one restarts (and then owns every partition).
     */
    @Test
    void anApprovalPostedToOneCollectorHoldsOnTheOthersPartitionAndAfterItsRestart() throws Exception {
        String src = "shop/report";
        int pq = partition(src);
        String peer = named("shop/ledger", pq, false);
        String control = named("shop/archive", pq, true);
        Containers ledger = Containers.of(peer, 0, "1", "node-3", "10.244.3.20");
        Containers archive = Containers.of(control, 0, "1", "node-3", "10.244.3.30");
        List<Containers> reports = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reports.add(Containers.of(src, i, "1", "node-1", "10.244.1." + (20 + i)));
        }
        ApprovedEdge edge = new ApprovedEdge(src, peer, 5432, 6);

        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        SimpleMeterRegistry r1 = new SimpleMeterRegistry();
        CollectorApp c1 = collector("flows.appr", "g-appr", "c1", r1, alerts);
        CollectorApp c2 = collector("flows.appr", "g-appr", "c2", new SimpleMeterRegistry(), alerts);
        CollectorApp c2again = null;
        c1.approvalsTopic("eastwatch.collector.approvals");
        c2.approvalsTopic("eastwatch.collector.approvals");
        try (Feed feed = new Feed("flows.appr")) {
            c1.start();
            c2.start();
            await("each collector owns one partition",
                    () -> c1.assignedPartitions().size() == 1 && c2.assignedPartitions().size() == 1);
            CollectorApp owner = c1.assignedPartitions().contains(pq) ? c1 : c2;
            CollectorApp other = owner == c1 ? c2 : c1;
            List<FlowRecord> normal = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                long t = T0 + i * 10 * SEC;
                normal.add(Flows.tcp(t, reports.get(0), ledger, 8080, 3_000));
                normal.add(Flows.tcp(t + 100, reports.get(1), ledger, 8080, 3_000));
                normal.add(Flows.tcp(t + 200, archive, ledger, 8080, 3_000));
            }
            feed.send(normal);
            await("learning processed", () -> caughtUp("g-appr", "flows.appr"));

            other.approve(edge);
            await("the owner of the source's partition applied it", () -> owner.approvedEdges().contains(edge));
            // report-2 uses the approved edge; report-3 opens an edge nobody approved
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 160 * SEC, reports.get(2), ledger, 5432, 9_000),
                    Flows.tcp(T0 + 161 * SEC, reports.get(3), archive, 5432, 9_000))));
            await("the unapproved edge alerted", () -> alerted(alerts, reports.get(3).name(), "new-lateral-edge"));
            assertFalse(alerted(alerts, reports.get(2).name(), "new-lateral-edge"));

            // the owner restarts, then the other stops: the restarted one owns every partition
            String ownerId = owner == c1 ? "c1" : "c2";
            owner.close();
            assertNull(owner.failure());
            SimpleMeterRegistry again = new SimpleMeterRegistry();
            c2again = collector("flows.appr", "g-appr", ownerId, again, alerts);
            c2again.approvalsTopic("eastwatch.collector.approvals");
            c2again.start();
            CollectorApp restarted = c2again;
            await("the restarted collector owns a partition", () -> !restarted.assignedPartitions().isEmpty());
            other.close();
            await("the restarted collector owns every partition", () -> restarted.assignedPartitions().size() == PARTITIONS);
            await("it read the approval from the topic",
                    () -> again.get("eastwatch.collector.approvals.edges").gauge().value() == 1.0);
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 170 * SEC, reports.get(4), ledger, 5432, 9_000),
                    Flows.tcp(T0 + 171 * SEC, reports.get(5), archive, 5432, 9_000))));
            await("the second unapproved edge alerted", () -> alerted(alerts, reports.get(5).name(), "new-lateral-edge"));
            assertTrue(restarted.approvedEdges().contains(edge));
            assertFalse(alerted(alerts, reports.get(4).name(), "new-lateral-edge"));
            assertFalse(alerted(alerts, reports.get(2).name(), "new-lateral-edge"));
            assertNotEquals(0.0, r1.find("eastwatch.collector.approvals.received").counter().count());
        } finally {
            c1.close();
            c2.close();
            if (c2again != null) {
                c2again.close();
            }
        }
        assertNull(c2again.failure());
    }
}
