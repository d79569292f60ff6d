package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorApprovals;
import io.eastwatch.collector.CollectorBaselineView;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.api.AlertIndex;
import io.eastwatch.collector.api.ApiRoutes;
import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.daemon.ops.OpsHttpServer;
import io.eastwatch.daemon.ops.OpsHttpSettings;
import io.eastwatch.daemon.ops.OpsRoutes;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.testkit.TestBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The group topics against a real embedded KRaft broker, two collectors per group over a flows
 * topic of two partitions keyed by source workload: the destination view lets the collector of the
 * scanner's partition use what the other collector's partition learned about the target (and
 * without the topic it cannot), an approval posted to one collector silences the edge on the
 * other collector's partition, also after that collector restarts, and its revocation through the
 * first collector's API makes the edge alert again there, also after a restart.
 */
class CollectorGroupTopicsTest {

    static final int PARTITIONS = 2;
    static final long T0 = 1_767_900_000_000_000L;
    static final long SEC = 1_000_000L;
    static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = TestBroker.start(TestBroker.singleNode(2));
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
        return collector(flows, group, instance, registry, sink, engineSettings());
    }

    static CollectorApp collector(String flows, String group, String instance, SimpleMeterRegistry registry,
                                  List<Alert> sink, CollectorSettings settings) {
        IngestSettings ingest = new IngestSettings(kafka.bootstrapServers(), group, flows, "alerts." + group,
                "dlq." + group, "state." + group, instance, 200, 1_000_000L, 100_000);
        return new CollectorApp(ingest, settings, registry, sink::add);
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
        return TestBroker.groupCaughtUp(kafka, group, flows, PARTITIONS);
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

    static HttpResponse<String> revoke(HttpClient http, String base, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/baseline/approvals"))
                .header("Content-Type", "application/json").method("DELETE", HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static double revoked(SimpleMeterRegistry r) {
        var c = r.find("eastwatch.collector.approvals.revoked").counter();
        return c == null ? 0 : c.count();
    }

    /**
     * Posted and revoked over HTTP at the collector that does not own the source's partition: the
     * owner applies both, the edge alerts again (also from a container that used it while it was
     * approved), a second revocation finds nothing (404) and a configuration approval is refused
     * (409). The owner's snapshot carries the revocation: restarted without the approvals topic, so
     * the snapshot is all it has, it still alerts on the edge.
     */
    @Test
    void aRevocationAtOneCollectorReachesTheOthersPartitionAndItsSnapshot() throws Exception {
        String flows = "flows.revoke";
        String group = "g-revoke";
        String topic = "approvals.revoke";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(flows, PARTITIONS, (short) 1))).all().get();
        }
        String src = "shop/billing";
        int pq = partition(src);
        String peer = named("shop/vault", pq, false);
        String control = named("shop/audit", pq, true);
        Containers vault = Containers.of(peer, 0, "1", "node-3", "10.244.3.40");
        Containers audit = Containers.of(control, 0, "1", "node-3", "10.244.3.50");
        List<Containers> billing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            billing.add(Containers.of(src, i, "1", "node-1", "10.244.1." + (40 + i)));
        }
        ApprovedEdge edge = new ApprovedEdge(src, peer, 5432, 6);
        ApprovedEdge configured = new ApprovedEdge(src, "kube-system/dns", 0, 0);
        CollectorSettings settings = engineSettings();
        settings = settings.withBaseline(settings.baseline().withApprovedEdges(List.of(configured)));
        String approval = "{\"source_workload\":\"" + src + "\",\"target_workload\":\"" + peer + "\",\"port\":5432";

        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        List<SimpleMeterRegistry> registries = List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry());
        List<CollectorApp> apps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CollectorApp a = collector(flows, group, "r" + i, registries.get(i), alerts, settings);
            a.approvalsTopic(topic);
            apps.add(a);
        }
        HttpClient http = HttpClient.newHttpClient();
        String token = "revoke-token-0123456789";
        OpsHttpServer api = null;
        CollectorApp restarted = null;
        try (Feed feed = new Feed(flows)) {
            apps.forEach(CollectorApp::start);
            await("each collector owns one partition",
                    () -> apps.get(0).assignedPartitions().size() == 1 && apps.get(1).assignedPartitions().size() == 1);
            int o = apps.get(0).assignedPartitions().contains(pq) ? 0 : 1;
            CollectorApp owner = apps.get(o);
            CollectorApp other = apps.get(1 - o);
            SimpleMeterRegistry ownerRegistry = registries.get(o);
            SimpleMeterRegistry otherRegistry = registries.get(1 - o);
            OpsRoutes routes = new OpsRoutes();
            ApiRoutes.register(routes, List.of(token), new AlertIndex(100), null, new CollectorBaselineView(other),
                    new CollectorApprovals(other, settings.baseline().approvedEdges()), otherRegistry);
            api = new OpsHttpServer(new OpsHttpSettings("127.0.0.1", 0), routes, otherRegistry, "eastwatch.collector");
            String base = "http://127.0.0.1:" + api.start().getPort();

            List<FlowRecord> normal = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                long t = T0 + i * 10 * SEC;
                normal.add(Flows.tcp(t, billing.get(0), vault, 8080, 3_000));
                normal.add(Flows.tcp(t + 100, billing.get(1), vault, 8080, 3_000));
                normal.add(Flows.tcp(t + 200, audit, vault, 8080, 3_000));
            }
            feed.send(normal);
            await("learning processed", () -> caughtUp(group, flows));

            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/baseline/approvals"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(approval + "}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode(), r.body());
            await("the owner of the source's partition applied the approval", () -> owner.approvedEdges().contains(edge));
            // billing-2 uses the approved edge; billing-3 opens an edge nobody approved (it alerts: the marker)
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 160 * SEC, billing.get(2), vault, 5432, 9_000),
                    Flows.tcp(T0 + 161 * SEC, billing.get(3), audit, 5432, 9_000))));
            await("the unapproved edge alerted", () -> alerted(alerts, billing.get(3).name(), "new-lateral-edge"));
            assertFalse(alerted(alerts, billing.get(2).name(), "new-lateral-edge"), "approved: quiet");

            assertEquals(401, revoke(http, base, null, approval + "}").statusCode());
            r = revoke(http, base, token, approval + ",\"revoked_by\":\"ana\",\"reason\":\"approved by mistake\"}");
            assertEquals(200, r.statusCode(), r.body());
            await("the owner revoked it from its partition's engine", () -> revoked(ownerRegistry) == 1.0
                    && !owner.approvedEdges().contains(edge));
            await("the collector asked read its own tombstone", () -> revoked(otherRegistry) == 1.0);
            assertEquals(404, revoke(http, base, token, approval + "}").statusCode(), "nothing left to revoke");
            r = revoke(http, base, token, "{\"source_workload\":\"" + src + "\",\"target_workload\":\"kube-system/dns\","
                    + "\"port\":53,\"protocol\":\"udp\"}");
            assertEquals(409, r.statusCode(), r.body());
            assertTrue(r.body().contains("detection.approved_edges"), r.body());
            assertEquals(1.0, otherRegistry.get("eastwatch.collector.approvals.revoked.published").tag("outcome", "ok")
                    .counter().count(), "only the one revocation was written");

            // billing-4 is new to the edge; billing-2 used it while it was approved: both alert now
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 170 * SEC, billing.get(4), vault, 5432, 9_000),
                    Flows.tcp(T0 + 171 * SEC, billing.get(2), vault, 5432, 9_000))));
            await("the revoked edge alerted for a new container",
                    () -> alerted(alerts, billing.get(4).name(), "new-lateral-edge"));
            await("and for the one that used it while approved",
                    () -> alerted(alerts, billing.get(2).name(), "new-lateral-edge"));

            // the other stops first (the owner takes its partition; the source's partition never leaves the
            // owner), then the owner, whose last commit holds the snapshot; the restart reads no approvals topic
            api.close();
            api = null;
            other.close();
            await("the owner owns every partition", () -> owner.assignedPartitions().size() == PARTITIONS);
            owner.close();
            assertNull(owner.failure());
            assertNull(other.failure());
            restarted = collector(flows, group, "r" + o, new SimpleMeterRegistry(), alerts, settings);
            restarted.start();
            CollectorApp again = restarted;
            await("the restarted collector owns every partition", () -> again.assignedPartitions().size() == PARTITIONS);
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 180 * SEC, billing.get(5), vault, 5432, 9_000))));
            await("the edge still alerts after the restart", () -> alerted(alerts, billing.get(5).name(), "new-lateral-edge"));
            assertFalse(again.approvedEdges().contains(edge));
        } finally {
            if (api != null) {
                api.close();
            }
            for (CollectorApp a : apps) {
                a.close();
            }
            if (restarted != null) {
                restarted.close();
            }
        }
        assertNull(restarted.failure());
    }

    /** Without an approvals topic a revocation acts on the receiving collector's partitions, as an approval does. */
    @Test
    void withoutTheTopicARevocationActsOnThisCollectorsPartitions() throws Exception {
        String flows = "flows.revoke-local";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(flows, PARTITIONS, (short) 1))).all().get();
        }
        String src = "shop/payroll";
        Containers bank = Containers.of("shop/bank", 0, "1", "node-3", "10.244.3.60");
        List<Containers> payroll = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            payroll.add(Containers.of(src, i, "1", "node-1", "10.244.1." + (60 + i)));
        }
        ApprovedEdge edge = new ApprovedEdge(src, "shop/bank", 5432, 6);
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CollectorApp app = collector(flows, "g-revoke-local", "solo", registry, alerts);
        CollectorApprovals approvals = new CollectorApprovals(app, List.of());
        try (Feed feed = new Feed(flows)) {
            app.start();
            await("the collector owns every partition", () -> app.assignedPartitions().size() == PARTITIONS);
            List<FlowRecord> normal = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                normal.add(Flows.tcp(T0 + i * 10 * SEC, payroll.get(0), bank, 8080, 3_000));
            }
            feed.send(normal);
            await("learning processed", () -> caughtUp("g-revoke-local", flows));
            io.eastwatch.collector.api.Approval posted = new io.eastwatch.collector.api.Approval(src, "shop/bank", 5432,
                    "tcp", "", "");
            assertEquals(io.eastwatch.collector.api.Approval.Revocation.NOT_APPROVED, approvals.revoke(posted, "", ""));
            approvals.approve(posted);
            await("approved", () -> app.approvedEdges().contains(edge));
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 160 * SEC, payroll.get(1), bank, 5432, 9_000),
                    Flows.tcp(T0 + 161 * SEC, payroll.get(2), bank, 6379, 9_000))));
            await("the unapproved edge alerted", () -> alerted(alerts, payroll.get(2).name(), "new-lateral-edge"));
            assertFalse(alerted(alerts, payroll.get(1).name(), "new-lateral-edge"));

            assertEquals(io.eastwatch.collector.api.Approval.Revocation.REVOKED, approvals.revoke(posted, "ana", "mistake"));
            await("revoked in the engines", () -> !app.approvedEdges().contains(edge));
            assertEquals(1.0, revoked(registry));
            feed.send(new ArrayList<>(List.of(Flows.tcp(T0 + 170 * SEC, payroll.get(3), bank, 5432, 9_000))));
            await("the revoked edge alerted", () -> alerted(alerts, payroll.get(3).name(), "new-lateral-edge"));
            assertEquals(io.eastwatch.collector.api.Approval.Revocation.NOT_APPROVED, approvals.revoke(posted, "", ""));
        } finally {
            app.close();
        }
        assertNull(app.failure());
    }
}
