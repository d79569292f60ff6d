package io.eastwatch.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.EngineRun;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A client retrying a crash-looping peer with exponential backoff makes dozens of refused
 * connections on an edge it always uses: an outage, not guessing. Short answered sessions to a
 * database it never used are still brute force.
 */
class BruteForceOutageTest {

    static final long T0 = 1_767_900_000_000_000L;
    static final long MIN = 60_000_000L;

    final List<Alert> alerts = new ArrayList<>();
    final DetectionEngine engine = new DetectionEngine(
            CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)), alerts::add, new SimpleMeterRegistry());
    final Containers api = Containers.of("shop/api", 0, "3.1", "node-2", "10.244.2.10");
    final Containers api2 = Containers.of("shop/api", 1, "3.1", "node-2", "10.244.2.11");
    final Containers orders = Containers.of("shop/orders", 0, "2.0", "node-3", "10.244.3.10");
    final Containers db = Containers.of("shop/db", 0, "15", "node-3", "10.244.3.20");

    Set<String> bruteForce(List<FlowRecord> extra) {
        List<FlowRecord> flows = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            for (int k = 0; k < 2; k++) {
                flows.add(Flows.tcp(T0 + m * MIN + k * 30_000_000L, api, orders, 50051, 40_000));
                flows.add(Flows.tcp(T0 + m * MIN + k * 30_000_000L + 1_000, api2, orders, 50051, 40_000));
                flows.add(Flows.tcp(T0 + m * MIN + k * 30_000_000L + 2_000, orders, db, 5432, 40_000));
            }
        }
        flows.addAll(extra);
        EngineRun.feed(engine, flows);
        engine.finish();
        Set<String> out = new TreeSet<>();
        for (Alert a : alerts) {
            if (EngineRun.involves(a, BruteForceDetector.NAME)) {
                out.add(a.source().name());
            }
        }
        return out;
    }

    @Test
    void retriesAgainstACrashLoopingPeerAreNotBruteForce() {
        List<FlowRecord> extra = new ArrayList<>();
        long t = T0 + 13 * MIN;
        long backoff = 50_000L;
        for (int k = 0; k < 60; k++) {
            extra.add(Flows.rejected(t, api.endpoint(), api.ip(), orders.endpoint(), orders.ip(), 50051));
            t += backoff;
            backoff = Math.min(1_600_000L, backoff * 2);
        }
        Set<String> got = bruteForce(extra);
        assertTrue(got.isEmpty(), () -> "brute-force alerts: " + got);
    }

    @Test
    void shortSessionsToADatabaseItNeverUsedAreStillBruteForce() {
        List<FlowRecord> extra = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            extra.add(Flows.tcp(T0 + 13 * MIN + k * 2_000_000L, api2, db, 5432, 400));
        }
        assertEquals(Set.of(api2.name()), bruteForce(extra));
    }
}
