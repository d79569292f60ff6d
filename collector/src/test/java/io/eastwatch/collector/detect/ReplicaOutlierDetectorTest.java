package io.eastwatch.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Replica outlier on crafted flows: a balancer replica that carries more load than its siblings
 * while its backends are redeployed reaches more addresses, and that is load, not reconnaissance;
 * a pooled client replica that suddenly reaches dozens of addresses is still flagged.
 */
class ReplicaOutlierDetectorTest {

    static final long T0 = 1_767_900_000_000_000L;
    static final long MIN = 60_000_000L;
    static final long LEARN = 10 * MIN;

    final List<Alert> alerts = new ArrayList<>();
    final DetectionEngine engine = new DetectionEngine(
            CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)), alerts::add, new SimpleMeterRegistry());
    final SplittableRandom rnd = new SplittableRandom(7);

    final List<Containers> lb = new ArrayList<>();
    final List<Containers> web = new ArrayList<>();
    final List<Containers> webNext = new ArrayList<>();
    final List<Containers> api = new ArrayList<>();
    final Containers db = Containers.of("shop/db", 0, "15", "node-3", "10.244.3.10");

    ReplicaOutlierDetectorTest() {
        for (int i = 0; i < 3; i++) {
            lb.add(Containers.of("ingress/nginx", i, "1.25", "node-0", "10.244.0." + (20 + i)));
            api.add(Containers.of("shop/api", i, "3.1", "node-2", "10.244.2." + (10 + i)));
        }
        for (int i = 0; i < 40; i++) {
            web.add(Containers.of("shop/web", i, "1.4", "node-1", "10.244.1." + (10 + i)));
            webNext.add(Containers.of("shop/web", i, "1.5", "node-1", "10.244.1." + (100 + i)));
        }
    }

    /** One minute of normal traffic: each balancer replica spreads {@code lbLoad[i]} requests over the web pool. */
    void minute(long t, int[] lbLoad, List<Containers> pool, List<FlowRecord> out) {
        for (int i = 0; i < lb.size(); i++) {
            for (int k = 0; k < lbLoad[i]; k++) {
                out.add(Flows.tcp(t + k * 1_500_000L + i * 1_000, lb.get(i), pool.get(rnd.nextInt(pool.size())), 8080, 5_000));
            }
        }
        // The api keeps a pool to its one database: many connections, one destination.
        for (Containers a : api) {
            for (int k = 0; k < 20; k++) {
                out.add(Flows.tcp(t + k * 2_000_000L + 500, a, db, 5432, 3_000));
            }
        }
    }

    void feed(List<FlowRecord> flows) {
        EngineRun.feed(engine, flows);
    }

    List<String> replicaOutlierAlerts() {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            boolean ro = EngineRun.involves(a, ReplicaOutlierDetector.NAME);
            if (ro) {
                out.add(a.source().name() + ": " + a.summary());
            }
        }
        return out;
    }

    @Test
    void poissonTailMatchesKnownValues() {
        assertEquals(0.0138, ReplicaOutlierDetector.poissonUpperTail(69, 52), 0.0005);
        assertEquals(1.557e-5, ReplicaOutlierDetector.poissonUpperTail(31, 13), 0.01e-5);
        assertEquals(1.0, ReplicaOutlierDetector.poissonUpperTail(0, 5), 1e-12);
        assertTrue(ReplicaOutlierDetector.poissonUpperTail(8192, 3) < 1e-300);
    }

    @Test
    void balancerReplicaWithMoreLoadDuringABackendDeployIsNotAnOutlier() {
        List<FlowRecord> flows = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            minute(T0 + m * MIN, new int[] {30, 30, 30}, web, flows);
        }
        // Monitoring: the web workload is redeployed onto new addresses (old and new replicas both
        // serve for a while) and the balancer's first replica gets twice its siblings' share.
        for (int m = 10; m < 20; m++) {
            List<Containers> pool = new ArrayList<>(web);
            if (m >= 12) {
                pool.addAll(webNext);
            }
            if (m >= 16) {
                pool = webNext;
            }
            minute(T0 + m * MIN, new int[] {60, 30, 30}, pool, flows);
        }
        feed(flows);
        engine.finish();
        assertTrue(replicaOutlierAlerts().isEmpty(), () -> String.join("\n", replicaOutlierAlerts()));
    }

    @Test
    void pooledClientReplicaReachingManyAddressesIsStillAnOutlier() {
        List<FlowRecord> flows = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            minute(T0 + m * MIN, new int[] {30, 30, 30}, web, flows);
        }
        for (int m = 10; m < 15; m++) {
            minute(T0 + m * MIN, new int[] {30, 30, 30}, web, flows);
        }
        // One api replica walks the web pool: one connection to each of 40 addresses in a minute.
        Containers rogue = api.get(1);
        long t = T0 + 12 * MIN + 1_000_000L;
        for (Containers w : web) {
            flows.add(Flows.tcp(t, rogue, w, 8080, 600));
            t += 1_200_000L;
        }
        feed(flows);
        engine.finish();
        List<String> got = replicaOutlierAlerts();
        assertFalse(got.isEmpty(), "the rogue api replica is not flagged as an outlier");
        assertTrue(got.stream().allMatch(s -> s.startsWith(rogue.name())), () -> String.join("\n", got));
    }
}
