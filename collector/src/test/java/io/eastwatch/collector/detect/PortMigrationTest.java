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
import io.eastwatch.flow.v1.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A callee whose new version serves on another port: its callers follow it without a new-edge
 * alert, while the same new port on an old replica, a sensitive port on a new replica, or a peer
 * the caller never called are still new edges.
 */
class PortMigrationTest {

    static final long T0 = 1_767_900_000_000_000L;
    static final long MIN = 60_000_000L;

    final List<Alert> alerts = new ArrayList<>();
    final DetectionEngine engine = new DetectionEngine(
            CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)), alerts::add, new SimpleMeterRegistry());
    final List<Containers> web = new ArrayList<>();
    final List<Containers> api = new ArrayList<>();
    final List<Containers> apiNext = new ArrayList<>();
    final Containers cache = Containers.of("shop/cache", 0, "7.2", "node-3", "10.244.3.20");
    final Containers dns = Containers.of("kube-system/coredns", 0, "1.11", "node-0", "10.244.0.10");

    PortMigrationTest() {
        for (int i = 0; i < 3; i++) {
            web.add(Containers.of("shop/web", i, "1.4", "node-1", "10.244.1." + (10 + i)));
            api.add(Containers.of("shop/api", i, "3.1", "node-2", "10.244.2." + (10 + i)));
            apiNext.add(Containers.of("shop/api", i, "3.2", "node-2", "10.244.2." + (50 + i)));
        }
    }

    /** A minute of traffic: every web replica calls the api replicas serving at the time, every replica resolves names. */
    void minute(long t, List<Containers> apiPool, int apiPort, List<FlowRecord> out) {
        for (int k = 0; k < 12; k++) {
            for (int i = 0; i < web.size(); i++) {
                Containers a = apiPool.get((k + i) % apiPool.size());
                out.add(Flows.tcp(t + k * 5_000_000L + i * 1_000, web.get(i), a, apiPort, 8_000));
            }
        }
        int i = 0;
        for (Containers c : web) {
            out.add(Flows.udp(t + 3_000_000L + i++, c, dns, 53, Outcome.ESTABLISHED));
        }
        for (Containers c : apiPool) {
            out.add(Flows.udp(t + 3_000_000L + i++, c, dns, 53, Outcome.ESTABLISHED));
            out.add(Flows.tcp(t + 4_000_000L + i++, c, cache, 6379, 2_000));
        }
    }

    Set<String> newEdgeAlerts() {
        Set<String> out = new TreeSet<>();
        for (Alert a : alerts) {
            if (EngineRun.involves(a, NewEdgeDetector.NAME)) {
                out.add(a.source().name());
            }
        }
        return out;
    }

    void run(List<FlowRecord> extra) {
        List<FlowRecord> flows = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            minute(T0 + m * MIN, api, 8080, flows);
        }
        // Monitoring: the api's new version serves on 8081; its replicas replace the old ones.
        for (int m = 10; m < 20; m++) {
            if (m < 12) {
                minute(T0 + m * MIN, api, 8080, flows);
            } else {
                minute(T0 + m * MIN, apiNext, 8081, flows);
            }
        }
        flows.addAll(extra);
        EngineRun.feed(engine, flows);
        engine.finish();
    }

    @Test
    void callersFollowingTheirPeersNewPortStayQuiet() {
        run(List.of());
        assertTrue(newEdgeAlerts().isEmpty(), () -> "new-edge alerts: " + newEdgeAlerts());
        assertTrue(alerts.isEmpty(), () -> alerts.get(0).summary());
    }

    @Test
    void newPortsThatAreNotAPeersMoveAreStillNewEdges() {
        long t = T0 + 14 * MIN + 7_000_000L;
        List<FlowRecord> extra = new ArrayList<>();
        // A new port on a replica of the version the workload already called, before any deploy.
        extra.add(Flows.tcp(T0 + 11 * MIN + 7_000_000L, web.get(0), api.get(0), 8081, 900));
        // SSH on a brand-new replica of the peer: never a renumbered API.
        extra.add(Flows.tcp(t + 1_000_000L, web.get(1), apiNext.get(0), 22, 900));
        // A peer its workload never called.
        extra.add(Flows.tcp(t + 2_000_000L, web.get(2), cache, 6380, 900));
        run(extra);
        assertEquals(Set.of(web.get(0).name(), web.get(1).name(), web.get(2).name()), newEdgeAlerts());
    }
}
