package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.RemoteDestinations;
import io.eastwatch.collector.baseline.WorkloadBaseline;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.flow.v1.DestinationSummary;
import io.eastwatch.flow.v1.ServedPorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The destination view alone: summaries written from a real store and read back, a new owner's
 * summary replacing the old owner's and a late one from the old owner ignored, every limit counted,
 * garbage on the topic counted and dropped; and in one engine, the scan's "never served" evidence
 * coming from the view when the partition itself never saw the target serve.
 */
class DestinationViewTest {

    static final String FLOWS = "eastwatch.flows";
    static final long T0 = 1_767_900_000_000_000L;
    static final int HTTP = 8080 << 8 | 6;
    static final int TLS = 443 << 8 | 6;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static byte[] summary(int partition, long offset, long publishedAtUs, Map<String, List<Integer>> served,
                          long... prefixes) {
        DestinationSummary.Builder b = DestinationSummary.newBuilder().setFlowsTopic(FLOWS).setPartition(partition)
                .setOffset(offset).setCollector("c").setPublishedAtUs(publishedAtUs);
        served.forEach((w, ports) -> b.addServed(ServedPorts.newBuilder().setWorkload(w).addAllPorts(ports)));
        for (long p : prefixes) {
            b.addContainerPrefixes(p);
        }
        return b.build().toByteArray();
    }

    static byte[] key(int partition) {
        return DestinationSummaries.key(FLOWS, partition);
    }

    double count(String name, String tag, String value) {
        var c = registry.find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aStoresSummaryReadsBackAsItsServedPortsAndPrefixes() {
        DetectionEngine engine = new DetectionEngine(CollectorSettings.defaults().withLearning(Duration.ofMinutes(1)),
                a -> { }, registry, false);
        Containers web = Containers.of("shop/web", 0, "1", "node-1", "10.244.1.10");
        Containers db = Containers.of("shop/db", 0, "1", "node-2", "10.244.2.10");
        engine.onFlow(Flows.tcp(T0, web, db, 5432, 1_000));
        engine.onFlow(Flows.rejected(T0 + 1_000, web.endpoint(), web.ip(), db.endpoint(), db.ip(), 5433));
        DestinationSummary s = DestinationSummaries.of(FLOWS, 3, 42, "c", 1, engine.baselineState(),
                DestinationViewSettings.defaults());
        assertFalse(s.getTruncated());

        DestinationView view = new DestinationView(FLOWS, DestinationViewSettings.defaults(), registry);
        assertFalse(view.knowsServed("shop/db"), "an empty view knows nothing");
        assertTrue(view.apply(key(3), s.toByteArray()));
        view.rebuild();
        assertTrue(view.knowsServed("shop/db"));
        assertTrue(view.served("shop/db", 5432 << 8 | 6));
        assertFalse(view.served("shop/db", 5433 << 8 | 6), "a rejected port is not served");
        assertFalse(view.knowsServed("shop/web"), "web answered nothing");
        assertTrue(view.containerPrefix(BaselineStore.prefixOf(new byte[] {10, (byte) 244, 2, 77})));
        assertFalse(view.containerPrefix(BaselineStore.prefixOf(new byte[] {10, (byte) 245, 2, 77})));
        assertEquals(1.0, registry.get("eastwatch.collector.destinations.workloads").gauge().value());
    }

    @Test
    void aNewOwnersSummaryReplacesTheOldOnesAndALateOneFromTheOldOwnerIsIgnored() {
        DestinationView view = new DestinationView(FLOWS, DestinationViewSettings.defaults(), registry);
        view.apply(key(1), summary(1, 100, T0, Map.of("shop/api", List.of(HTTP))));
        view.apply(key(2), summary(2, 7, T0, Map.of("shop/api", List.of(TLS), "shop/db", List.of(5432 << 8 | 6))));
        view.rebuild();
        assertTrue(view.served("shop/api", HTTP) && view.served("shop/api", TLS), "partitions' knowledge is merged");

        // partition 1 moves: the new owner restored the snapshot at 100 and went on to 120
        view.apply(key(1), summary(1, 120, T0 + 5_000_000, Map.of("shop/api", List.of(HTTP, 9090 << 8 | 6))));
        // the old owner, not yet aware it lost the partition, publishes what it had at 110
        assertFalse(view.apply(key(1), summary(1, 110, T0 + 6_000_000, Map.of("shop/api", List.of(HTTP)))));
        view.rebuild();
        assertTrue(view.served("shop/api", 9090 << 8 | 6), "the newer summary holds");
        assertEquals(1.0, registry.get("eastwatch.collector.destinations.summaries.stale").counter().count());
        assertEquals(2, view.partitionCount());

        // the flows topic was recreated (offsets start again) long after: the new summary wins
        assertTrue(view.apply(key(1), summary(1, 3, T0 + DestinationView.OFFSET_RESET_US + 10_000_000,
                Map.of("shop/api", List.of(HTTP)))));
        view.rebuild();
        assertFalse(view.served("shop/api", 9090 << 8 | 6));
        // a tombstone removes the partition
        assertTrue(view.apply(key(2), null));
        view.rebuild();
        assertFalse(view.knowsServed("shop/db"));
    }

    @Test
    void limitsAreCountedAndAWorkloadBeyondThePortLimitIsLeftOutWhole() {
        DestinationViewSettings small = new DestinationViewSettings(0, 2, 2, 3, 2, 1024);
        DestinationView view = new DestinationView(FLOWS, small, registry);
        view.apply(key(0), summary(0, 1, T0, Map.of("a", List.of(HTTP)), 1L << 40 | 1, 1L << 40 | 2, 1L << 40 | 3));
        view.apply(key(1), summary(1, 1, T0, Map.of("b", List.of(HTTP, TLS, 22 << 8 | 6))));
        assertFalse(view.apply(key(2), summary(2, 1, T0, Map.of("c", List.of(HTTP)))), "a third partition");
        view.rebuild();
        assertTrue(view.served("a", HTTP));
        assertFalse(view.knowsServed("b"), "three ports reach the limit: it may have more, so it gives no evidence");
        assertFalse(view.knowsServed("c"));
        assertTrue(view.containerPrefix(1L << 40 | 2));
        assertFalse(view.containerPrefix(1L << 40 | 3));
        assertEquals(1.0, count("eastwatch.collector.destinations.overflow", "table", "partitions"));
        assertEquals(1.0, count("eastwatch.collector.destinations.overflow", "table", "ports"));
        assertEquals(1.0, count("eastwatch.collector.destinations.overflow", "table", "prefixes"));

        // merged over partitions, a workload's ports can reach the limit too
        view.apply(key(1), summary(1, 2, T0, Map.of("a", List.of(TLS, 22 << 8 | 6))));
        view.rebuild();
        assertFalse(view.knowsServed("a"));
    }

    @Test
    void aSummaryTooLargeForTheTopicIsTruncatedToFit() {
        BaselineStore.State state = new BaselineStore.State();
        for (int i = 0; i < 500; i++) {
            WorkloadBaseline w = new WorkloadBaseline();
            w.name = "team-" + i + "/service-with-a-long-name";
            w.servedPorts.add(HTTP);
            w.servedPorts.add(TLS);
            state.workloads.put(w.name, w);
        }
        for (long p = 1; p <= 50; p++) {
            state.learnedPrefixes.add(1L << 40 | p);
        }
        DestinationViewSettings limits = new DestinationViewSettings(0, 8, 50_000, 256, 65_536, 4_096);
        DestinationSummary s = DestinationSummaries.of(FLOWS, 0, 1, "collector-1", T0, state, limits);
        assertTrue(s.getTruncated());
        assertTrue(s.getSerializedSize() <= 4_096, "size " + s.getSerializedSize());
        assertEquals(50, s.getContainerPrefixesCount());
        assertTrue(s.getServedCount() > 50, "it still carries what fits: " + s.getServedCount());
    }

    @Test
    void garbageOnTheTopicIsCountedNotACrash() {
        DestinationView view = new DestinationView(FLOWS, DestinationViewSettings.defaults(), registry);
        assertFalse(view.apply(key(0), new byte[] {0x0a, (byte) 0xff, 0x01}));
        assertFalse(view.apply(key(0), "not a summary at all, just text".getBytes(StandardCharsets.UTF_8)));
        byte[] foreign = DestinationSummary.newBuilder().setFlowsTopic("other.flows").setPartition(0).build().toByteArray();
        assertFalse(view.apply("other.flows/0".getBytes(StandardCharsets.UTF_8), foreign));
        assertFalse(view.apply(key(5), summary(0, 1, T0, Map.of("a", List.of(HTTP)))), "key and content disagree");
        assertFalse(view.apply(null, summary(0, 1, T0, Map.of("a", List.of(HTTP)))));
        view.rebuild();
        assertFalse(view.knowsServed("a"));
        assertTrue(count("eastwatch.collector.destinations.summaries.invalid", "reason", "decode") >= 1);
        assertEquals(1.0, count("eastwatch.collector.destinations.summaries.invalid", "reason", "other-flows-topic"));
        assertEquals(2.0, count("eastwatch.collector.destinations.summaries.invalid", "reason", "key"));
        assertEquals(0, view.partitionCount());
    }

    /**
     * The partition holding the scanner knows the target workload (its own flows are here) but none of
     * its ports: they were learned where its clients' flows are. Without the view the probes are
     * plain failures; with it, each is a probe of a port the workload never served.
     */
    @Test
    void theScanUsesTheViewWhenThePartitionNeverSawTheTargetServe() {
        Map<String, Object> without = scanEvidence(RemoteDestinations.NONE, new SimpleMeterRegistry());
        DestinationView view = new DestinationView(FLOWS, DestinationViewSettings.defaults(), registry);
        view.apply(key(1), summary(1, 10, T0, Map.of("shop/db", List.of(5432 << 8 | 6))));
        view.rebuild();
        Map<String, Object> with = scanEvidence(view, registry);

        assertEquals(0L, ((Number) without.get("unserved_ports")).longValue(), without::toString);
        assertEquals(((Number) with.get("probes")).longValue(), ((Number) with.get("unserved_ports")).longValue(),
                with::toString);
        assertTrue(((Number) with.get("probes_to_decide")).longValue() < ((Number) without.get("probes_to_decide")).longValue(),
                () -> with + " vs " + without);
        assertTrue(count("eastwatch.collector.destinations.evidence", "kind", "unserved-port") > 0);
    }

    /**
     * The sweep goes to a /24 where containers live, but only another partition's flows showed one
     * there: with the view each unanswered address is an address no container holds.
     */
    @Test
    void theSweepUsesThePrefixesOtherPartitionsLearned() {
        Map<String, Object> without = sweepEvidence(RemoteDestinations.NONE, new SimpleMeterRegistry());
        DestinationView view = new DestinationView(FLOWS, DestinationViewSettings.defaults(), registry);
        view.apply(key(1), summary(1, 10, T0, Map.of(),
                BaselineStore.prefixOf(new byte[] {10, (byte) 244, 7, 0})));
        view.rebuild();
        Map<String, Object> with = sweepEvidence(view, registry);
        assertEquals(0L, ((Number) without.get("dark_addresses")).longValue(), without::toString);
        assertEquals(((Number) with.get("probes")).longValue(), ((Number) with.get("dark_addresses")).longValue(),
                with::toString);
        assertTrue(count("eastwatch.collector.destinations.evidence", "kind", "dark-address") > 0);
    }

    static Map<String, Object> sweepEvidence(RemoteDestinations view, SimpleMeterRegistry registry) {
        List<Alert> alerts = new ArrayList<>();
        DetectionEngine engine = new DetectionEngine(CollectorSettings.defaults().withLearning(Duration.ofMinutes(2)),
                alerts::add, registry, false);
        engine.destinations(view);
        Containers web = Containers.of("shop/web", 0, "1", "node-1", "10.244.1.10");
        Containers api = Containers.of("shop/api", 0, "1", "node-2", "10.244.2.10");
        for (int i = 0; i < 24; i++) {
            engine.onFlow(Flows.tcp(T0 + i * 10_000_000L, web, api, 8080, 2_000));
        }
        for (int host = 1; host <= 16; host++) {
            long t = T0 + 5 * 60_000_000L + host * 1_000_000L;
            engine.onFlow(Flows.unanswered(t, web.endpoint(), web.ip(), Flows.external(),
                    new byte[] {10, (byte) 244, 7, (byte) host}, 22));
        }
        engine.finish();
        return lastScanStage(alerts);
    }

    static Map<String, Object> lastScanStage(List<Alert> alerts) {
        Alert last = null;
        for (Alert a : alerts) {
            if (a.stages().stream().anyMatch(s -> s.detector().equals("port-scan"))) {
                last = a;
            }
        }
        assertTrue(last != null, "the scan is detected either way");
        return last.stages().stream().filter(s -> s.detector().equals("port-scan")).findFirst().orElseThrow().evidence();
    }

    static Map<String, Object> scanEvidence(RemoteDestinations view, SimpleMeterRegistry registry) {
        List<Alert> alerts = new ArrayList<>();
        DetectionEngine engine = new DetectionEngine(CollectorSettings.defaults().withLearning(Duration.ofMinutes(2)),
                alerts::add, registry, false);
        engine.destinations(view);
        Containers web = Containers.of("shop/web", 0, "1", "node-1", "10.244.1.10");
        Containers api = Containers.of("shop/api", 0, "1", "node-2", "10.244.2.10");
        Containers db = Containers.of("shop/db", 0, "1", "node-3", "10.244.3.10");
        for (int i = 0; i < 24; i++) {
            long t = T0 + i * 10_000_000L;
            engine.onFlow(Flows.tcp(t, web, api, 8080, 2_000));
            engine.onFlow(Flows.tcp(t + 1_000, db, api, 8080, 2_000));   // db's own flows: it is known here
        }
        for (int port = 20; port < 40; port++) {
            long t = T0 + 5 * 60_000_000L + port * 1_000_000L;
            engine.onFlow(Flows.rejected(t, web.endpoint(), web.ip(), db.endpoint(), db.ip(), port));
        }
        engine.finish();
        Alert last = null;
        for (Alert a : alerts) {
            if (a.stages().stream().anyMatch(s -> s.detector().equals("port-scan"))) {
                last = a;
            }
        }
        assertTrue(last != null, "the scan is detected either way");
        return last.stages().stream().filter(s -> s.detector().equals("port-scan")).findFirst().orElseThrow().evidence();
    }
}
