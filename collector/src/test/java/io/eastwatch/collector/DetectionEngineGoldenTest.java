package io.eastwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.detect.Severity;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.collector.fixture.TestCluster;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Golden tests of the whole engine: a small cluster's normal traffic (learned for 10 minutes),
 * then either churn that must stay quiet or one attack whose alert is checked field by field.
 */
class DetectionEngineGoldenTest {

    static final long MIN = 60_000_000L;
    static final long LEARN_END = TestCluster.T0 + 10 * MIN;

    final List<Alert> alerts = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final DetectionEngine engine = new DetectionEngine(
            CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)), alerts::add, registry);

    /** Runs the cluster for {@code minutes}; {@code attack} may add flows at each tick (time, sink). */
    void run(TestCluster cluster, int minutes, BiConsumer<Long, Consumer<FlowRecord>> attack) {
        List<FlowRecord> batch = new ArrayList<>();
        for (int i = 0; i < minutes * 12; i++) {
            batch.clear();
            long t = cluster.tick(batch::add);
            attack.accept(t, batch::add);
            batch.sort((a, b) -> Long.compare(a.getLastTsUs(), b.getLastTsUs()));
            batch.forEach(engine::onFlow);
        }
        engine.finish();
    }

    /** The latest revision of each alert. */
    Map<String, Alert> latest() {
        Map<String, Alert> m = new LinkedHashMap<>();
        for (Alert a : alerts) {
            m.merge(a.id(), a, (x, y) -> y.revision() > x.revision() ? y : x);
        }
        return m;
    }

    static String describe(Iterable<Alert> as) {
        StringBuilder b = new StringBuilder();
        for (Alert a : as) {
            b.append(a.detector()).append(' ').append(a.source().name()).append(": ").append(a.summary()).append('\n');
        }
        return b.toString();
    }

    @Test
    void normalClusterWithChurnStaysQuiet() {
        TestCluster c = new TestCluster();
        c.deployAt = TestCluster.T0 + 20 * MIN;
        c.scaleAt = TestCluster.T0 + 26 * MIN;
        c.restartAt = TestCluster.T0 + 30 * MIN;
        c.newWorkloadAt = TestCluster.T0 + 35 * MIN;
        c.backscatterAt = TestCluster.T0 + 40 * MIN;
        run(c, 60, (t, out) -> { });
        assertTrue(alerts.isEmpty(), () -> "false positives:\n" + describe(alerts));
        assertTrue(registry.get("eastwatch.collector.baseline.edges").gauge().value() > 10);
    }

    @Test
    void slowHorizontalScanToUnusedAddressesIsCaught() {
        TestCluster c = new TestCluster();
        Containers rogue = c.web.get(0);
        run(c, 30, (t, out) -> {
            if (t >= LEARN_END + 2 * MIN) {
                // One probe every 10 s (two per 5 s tick would be faster): alternate ticks.
                if ((t / TestCluster.TICK) % 2 == 0) {
                    int host = (int) ((t / TestCluster.TICK) % 200) + 1;
                    out.accept(Flows.unanswered(t + 3000, rogue.endpoint(), rogue.ip(), Flows.external(),
                            new byte[] {10, (byte) 244, 1, (byte) host}, 22));
                }
            }
        });
        Map<String, Alert> got = latest();
        assertEquals(1, got.size(), () -> describe(got.values()));
        Alert a = got.values().iterator().next();
        assertEquals("port-scan", a.detector());
        assertEquals(rogue.id(), a.source().containerId());
        assertEquals("shop/web", a.source().workload());
        assertEquals(List.of("T1046"), a.mitre());
        assertEquals(Severity.HIGH, a.severity());
        assertTrue(((Number) a.evidence().get("dark_addresses")).longValue() >= 2);
        assertEquals("horizontal", a.evidence().get("scan_type"));
        // Decided within a few probes of one every 10 s: under a minute after it started.
        long decideSeconds = Duration.between(alerts.get(0).firstSeen(), alerts.get(0).detectedAt()).toSeconds();
        assertTrue(decideSeconds <= 60, "decided after " + decideSeconds + " s");
        assertTrue(a.summary().contains("probed"), a.summary());
        assertTrue(a.revision() > 1, "the alert is updated as the scan goes on");
    }

    @Test
    void smallVerticalScanOfTenPortsIsCaught() {
        TestCluster c = new TestCluster();
        Containers rogue = c.api.get(1);
        int[] ports = {21, 22, 23, 25, 80, 110, 143, 443, 3306, 8443};
        run(c, 20, (t, out) -> {
            long start = LEARN_END + 3 * MIN;
            if (t == start) {
                for (int i = 0; i < ports.length; i++) {
                    out.accept(Flows.rejected(t + 4000 + i * 300, rogue.endpoint(), rogue.ip(), c.db.endpoint(), c.db.ip(), ports[i]));
                }
            }
        });
        Map<String, Alert> got = latest();
        assertEquals(1, got.size(), () -> describe(got.values()));
        Alert a = got.values().iterator().next();
        assertEquals("port-scan", a.detector());
        assertEquals(rogue.id(), a.source().containerId());
        assertEquals("vertical", a.evidence().get("scan_type"));
        assertTrue(((Number) a.evidence().get("probes_to_decide")).intValue() <= 10);
        assertEquals("shop/db", a.targets().sample().get(0).workload());
    }

    @Test
    void icmpSweepAndUdpScanAreCaught() {
        TestCluster c = new TestCluster();
        Containers pinger = c.web.get(3);
        Containers udp = c.cache.get(1);
        run(c, 20, (t, out) -> {
            long start = LEARN_END + 2 * MIN;
            if (t == start) {
                for (int i = 1; i < 60; i++) {
                    out.accept(Flows.echo(t + 4000 + i * 10, pinger.endpoint(), pinger.ip(), Flows.external(),
                            new byte[] {10, (byte) 244, 7, (byte) i}, false));
                }
            }
            if (t == start + TestCluster.TICK) {
                for (int p = 1; p <= 40; p++) {
                    out.accept(Flows.udp(t + 4000 + p * 10, udp, c.api.get(0), p, Outcome.ICMP_UNREACHABLE));
                }
            }
        });
        Map<String, Alert> byContainer = latest().values().stream()
                .collect(Collectors.toMap(a -> a.source().containerId(), a -> a));
        assertEquals(2, byContainer.size(), () -> describe(latest().values()));
        assertEquals("icmp-sweep", byContainer.get(pinger.id()).evidence().get("scan_type"));
        assertTrue(byContainer.get(pinger.id()).mitre().contains("T1018"));
        assertEquals("port-scan", byContainer.get(udp.id()).detector());
        assertTrue(((Number) byContainer.get(udp.id()).evidence().get("icmp_unreachable")).longValue() >= 3);
    }

    @Test
    void escalatingIncidentListsItsStages() {
        TestCluster c = new TestCluster();
        Containers rogue = c.web.get(2);
        run(c, 30, (t, out) -> {
            long start = LEARN_END + 2 * MIN;
            if (t == start) {
                for (int i = 0; i < 12; i++) {
                    out.accept(Flows.unanswered(t + 4000 + i * 100, rogue.endpoint(), rogue.ip(), Flows.external(),
                            new byte[] {10, (byte) 244, 3, (byte) (100 + i)}, 5432));
                }
            }
            if (t > start + MIN && t <= start + 3 * MIN) {
                // Guessing passwords on the database it found: short sessions.
                out.accept(Flows.tcp(t + 4000, rogue, c.db, 5432, 1_500));
                out.accept(Flows.tcp(t + 4500, rogue, c.db, 5432, 1_500));
            }
            if (t == start + 4 * MIN) {
                out.accept(Flows.tcp(t + 4000, rogue, c.db, 5432, 300L << 20));
            }
        });
        Map<String, Alert> got = latest();
        assertEquals(1, got.size(), () -> describe(got.values()));
        Alert a = got.values().iterator().next();
        assertEquals(rogue.id(), a.source().containerId());
        List<String> stages = a.stages().stream().map(Alert.Stage::detector)
                .filter(d -> !d.equals("replica-outlier")).toList();
        assertEquals(List.of("port-scan", "new-lateral-edge", "brute-force", "exfiltration"), stages);
        assertEquals(Severity.CRITICAL, a.severity());
        assertTrue(a.mitre().containsAll(List.of("T1046", "T1021", "T1110", "T1213")), a.mitre().toString());
        assertTrue(a.summary().contains("Incident stages so far: port-scan -> "), a.summary());
        assertTrue(a.score() > 0.9);
        // One id for the whole incident, revised as it escalated.
        assertEquals(1, alerts.stream().map(Alert::id).distinct().count());
        assertTrue(a.revision() >= 4);
        // Each stage is the alert of one (container, detector): its own stable id and revisions.
        Map<String, String> stageIds = new java.util.HashMap<>();
        for (Alert each : alerts) {
            for (Alert.Stage st : each.stages()) {
                String before = stageIds.putIfAbsent(st.detector(), st.id());
                assertTrue(before == null || before.equals(st.id()), () -> "stage id changed for " + st.detector());
            }
        }
        assertEquals(a.stages().size(), new java.util.HashSet<>(stageIds.values()).size());
        assertTrue(!stageIds.containsValue(a.id()), "a stage id differs from the incident's id");
        int stageRevisions = a.stages().stream().mapToInt(Alert.Stage::revision).sum();
        assertEquals(a.revision(), stageRevisions, "every revision of the incident is one stage's update");
    }

    @Test
    void newEdgeFromDeployIsLowerThanDrift() {
        TestCluster deploy = new TestCluster();
        deploy.deployAt = LEARN_END + 2 * MIN;
        run(deploy, 25, (t, out) -> {
            if (t == LEARN_END + 10 * MIN) {
                Containers fresh = deploy.web.get(0);
                out.accept(Flows.tcp(t + 4000, fresh, deploy.cache.get(0), 6379, 3_000));
            }
        });
        Alert deployAlert = latest().values().iterator().next();

        alerts.clear();
        DetectionEngineGoldenTest other = new DetectionEngineGoldenTest();
        TestCluster drift = new TestCluster();
        other.run(drift, 25, (t, out) -> {
            if (t == LEARN_END + 10 * MIN) {
                out.accept(Flows.tcp(t + 4000, drift.web.get(0), drift.cache.get(0), 6379, 3_000));
            }
        });
        Alert driftAlert = other.latest().values().iterator().next();
        assertEquals("new-lateral-edge", deployAlert.detector());
        assertEquals("new-lateral-edge", driftAlert.detector());
        assertEquals(Boolean.TRUE, deployAlert.evidence().get("deploy"));
        assertEquals(Boolean.FALSE, driftAlert.evidence().get("deploy"));
        assertEquals(Severity.HIGH, driftAlert.severity());
        assertTrue(deployAlert.severity().compareTo(driftAlert.severity()) < 0);
    }

    @Test
    void bruteForceOnAKnownEdgeNeedsToExceedItsBaselineRate() {
        TestCluster c = new TestCluster();
        Containers rogue = c.api.get(2);
        run(c, 20, (t, out) -> {
            long start = LEARN_END + 2 * MIN;
            if (t >= start && t < start + MIN) {
                for (int i = 0; i < 40; i++) {
                    out.accept(Flows.tcp(t + 5000 + i * 10, rogue, c.db, 5432, 1_200));
                }
            }
        });
        Map<String, Alert> got = latest();
        assertEquals(1, got.size(), () -> describe(got.values()));
        Alert a = got.values().iterator().next();
        assertEquals("brute-force", a.detector());
        assertEquals(rogue.id(), a.source().containerId());
        assertEquals(List.of("T1110"), a.mitre());
        assertTrue(((Number) a.evidence().get("baseline_max_per_window")).longValue() > 0);
    }

    @Test
    void replicaReachingFarMorePeersThanItsSiblingsIsAnOutlier() {
        TestCluster c = new TestCluster();
        c.scaleAt = TestCluster.T0 + MIN;
        for (int i = 5; i < 30; i++) {
            int replica = i;
            c.api.add(Containers.of("shop/api", replica, "3.1.0", "node-4", "10.244.4." + replica));
        }
        Containers rogue = c.web.get(1);
        run(c, 20, (t, out) -> {
            long start = LEARN_END + 3 * MIN;
            if (t == start) {
                for (Containers a : c.api) {
                    out.accept(Flows.tcp(t + 3000, rogue, a, 8080, 2_000));
                }
            }
        });
        Map<String, Alert> got = latest();
        assertEquals(1, got.size(), () -> describe(got.values()));
        Alert a = got.values().iterator().next();
        assertEquals("replica-outlier", a.detector());
        assertEquals(rogue.id(), a.source().containerId());
    }

    @Test
    void sameInputGivesSameIdsAndRevisions() {
        DetectionEngineGoldenTest first = new DetectionEngineGoldenTest();
        DetectionEngineGoldenTest second = new DetectionEngineGoldenTest();
        for (DetectionEngineGoldenTest run : List.of(first, second)) {
            TestCluster c = new TestCluster();
            Containers rogue = c.web.get(0);
            run.run(c, 20, (t, out) -> {
                if (t >= LEARN_END + MIN && t < LEARN_END + 3 * MIN) {
                    out.accept(Flows.rejected(t + 3000, rogue.endpoint(), rogue.ip(), c.db.endpoint(), c.db.ip(),
                            (int) (1000 + t / TestCluster.TICK % 1000)));
                }
            });
        }
        assertFalse(first.alerts.isEmpty());
        assertEquals(first.alerts.stream().map(a -> a.id() + "/" + a.revision()).toList(),
                second.alerts.stream().map(a -> a.id() + "/" + a.revision()).toList());
    }

    @Test
    void attacksDuringLearningAreLearnedNotAlerted() {
        TestCluster c = new TestCluster();
        run(c, 15, (t, out) -> {
            if (t < LEARN_END) {
                out.accept(Flows.tcp(t + 3000, c.web.get(0), c.cache.get(0), 6379, 1_000));
            }
            if (t > LEARN_END + MIN) {
                out.accept(Flows.tcp(t + 3000, c.web.get(1), c.cache.get(0), 6379, 1_000));
            }
        });
        assertTrue(alerts.isEmpty(), () -> describe(alerts));
    }

    @Test
    void approvedEdgesAndStaleAddressesStayQuiet() {
        List<Alert> got = new ArrayList<>();
        DetectionEngine approving = new DetectionEngine(CollectorSettings.defaults().withLearning(Duration.ofMinutes(10))
                .withBaseline(CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)).baseline()
                        .withApprovedEdges(List.of(new io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge(
                                "shop/web", "shop/cache", 6379, 6)))), got::add, new SimpleMeterRegistry());
        TestCluster c = new TestCluster();
        List<FlowRecord> batch = new ArrayList<>();
        for (int i = 0; i < 20 * 12; i++) {
            batch.clear();
            long t = c.tick(batch::add);
            if (t == LEARN_END + 3 * MIN) {
                // Approved: web starts using the cache.
                batch.add(Flows.tcp(t + 3000, c.web.get(0), c.cache.get(0), 6379, 2_000));
                // Orphan DNS answers (their queries were not captured) are not the resolver's attempts.
                for (int k = 0; k < 6; k++) {
                    batch.add(Flows.base(t + 3200 + k, c.dns.get(0).endpoint(), c.dns.get(0).ip(), c.api.get(k % 3).endpoint(),
                            c.api.get(k % 3).ip(), 17, 30000 + k).setSrcPort(53).setPacketsFwd(1).setBytesFwd(120)
                            .setOutcome(io.eastwatch.flow.v1.Outcome.UNANSWERED)
                            .setInitiatorBasis(io.eastwatch.flow.v1.InitiatorBasis.FIRST_PACKET).build());
                }
                // Stale addresses: api replicas that went away, still in a web replica's balancer.
                for (int k = 0; k < 6; k++) {
                    batch.add(Flows.unanswered(t + 3100 + k, c.web.get(1).endpoint(), c.web.get(1).ip(), Flows.external(),
                            new byte[] {10, (byte) 244, 2, (byte) (90 + k)}, 8080));
                }
            }
            batch.sort((a, b) -> Long.compare(a.getLastTsUs(), b.getLastTsUs()));
            batch.forEach(approving::onFlow);
        }
        approving.finish();
        assertTrue(got.isEmpty(), () -> describe(got));
    }

    /** The API's approval (applied at run time) makes the very edge that alerts without it quiet. */
    @Test
    void anEdgeApprovedAtRunTimeStopsAlerting() {
        for (boolean approve : new boolean[] {false, true}) {
            List<Alert> got = new ArrayList<>();
            DetectionEngine engine = new DetectionEngine(CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)),
                    got::add, new SimpleMeterRegistry());
            TestCluster c = new TestCluster();
            List<FlowRecord> batch = new ArrayList<>();
            for (int i = 0; i < 20 * 12; i++) {
                batch.clear();
                long t = c.tick(batch::add);
                if (approve && t == LEARN_END + 2 * MIN) {
                    assertTrue(engine.approve(new io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge(
                            "shop/web", "shop/cache", 6379, 6)));
                }
                if (t == LEARN_END + 3 * MIN) {
                    batch.add(Flows.tcp(t + 3000, c.web.get(0), c.cache.get(0), 6379, 2_000));
                }
                batch.sort((a, b) -> Long.compare(a.getLastTsUs(), b.getLastTsUs()));
                batch.forEach(engine::onFlow);
            }
            engine.finish();
            if (approve) {
                assertTrue(got.isEmpty(), () -> "approved edge still alerts: " + describe(got));
                // the approval is part of the engine state, so it survives a snapshot and restore
                DetectionEngine restored = new DetectionEngine(CollectorSettings.defaults(), a -> { }, new SimpleMeterRegistry());
                restored.restore(engine.snapshot());
                assertTrue(!restored.approve(new io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge(
                        "shop/web", "shop/cache", 6379, 6)), "restored engine already holds the approval");
            } else {
                assertTrue(got.stream().anyMatch(a -> a.detector().equals("new-lateral-edge")),
                        () -> "without approval the new edge alerts: " + describe(got));
            }
        }
    }
}
