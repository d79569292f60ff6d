package io.eastwatch.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.EngineRun;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Failures on a port the workload itself uses (DNS, its peers' service port) are excused as stale
 * endpoints only a few addresses at a time: a client that meets three departed replicas stays
 * quiet, a sweep of port 53 over the pod network is a scan.
 */
class ScanOnServicePortTest {

    static final long T0 = 1_767_900_000_000_000L;
    static final long MIN = 60_000_000L;

    final List<Alert> alerts = new ArrayList<>();
    final DetectionEngine engine = new DetectionEngine(
            CollectorSettings.defaults().withLearning(Duration.ofMinutes(10)), alerts::add, new SimpleMeterRegistry());
    final List<Containers> web = new ArrayList<>();
    final List<Containers> api = new ArrayList<>();
    final List<Containers> dns = new ArrayList<>();

    ScanOnServicePortTest() {
        for (int i = 0; i < 3; i++) {
            web.add(Containers.of("shop/web", i, "1.4", "node-1", "10.244.1." + (10 + i)));
            dns.add(Containers.of("kube-system/coredns", i, "1.11", "node-0", "10.244.0." + (10 + i)));
        }
        for (int i = 0; i < 30; i++) {
            api.add(Containers.of("shop/api", i, "3.1", "node-2", "10.244.2." + (10 + i)));
        }
    }

    void normal(long t, List<FlowRecord> out) {
        for (int k = 0; k < 6; k++) {
            for (int i = 0; i < web.size(); i++) {
                out.add(Flows.tcp(t + k * 10_000_000L + i * 1_000, web.get(i), api.get((k * 3 + i) % api.size()), 8080, 6_000));
                out.add(Flows.udp(t + k * 10_000_000L + i * 1_000 + 500, web.get(i), dns.get((k + i) % dns.size()), 53,
                        Outcome.ESTABLISHED));
            }
        }
    }

    static FlowRecord silentUdp(long t, Containers src, byte[] dst, int port) {
        return Flows.base(t, src.endpoint(), src.ip(), Flows.external(), dst, 17, port)
                .setPacketsFwd(1).setBytesFwd(70)
                .setOutcome(Outcome.UNANSWERED).setInitiatorBasis(InitiatorBasis.FIRST_PACKET)
                .setEndReason(EndReason.END_IDLE).build();
    }

    Set<String> scanAlerts(List<FlowRecord> extra) {
        List<FlowRecord> flows = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            normal(T0 + m * MIN, flows);
        }
        flows.addAll(extra);
        EngineRun.feed(engine, flows);
        engine.finish();
        Set<String> out = new TreeSet<>();
        for (Alert a : alerts) {
            if (EngineRun.involves(a, ScanDetector.NAME)) {
                out.add(a.source().name());
            }
        }
        return out;
    }

    @Test
    void aClientMeetingAFewDepartedReplicasIsNotAScanner() {
        List<FlowRecord> extra = new ArrayList<>();
        long t = T0 + 13 * MIN;
        // Three api replicas went away; the client still tries their addresses once or twice.
        for (int k = 0; k < 3; k++) {
            byte[] gone = {10, (byte) 244, 2, (byte) (200 + k)};
            extra.add(Flows.unanswered(t + k * 700_000L, web.get(0).endpoint(), web.get(0).ip(), Flows.external(), gone, 8080));
            extra.add(Flows.unanswered(t + 5_000_000L + k * 700_000L, web.get(0).endpoint(), web.get(0).ip(),
                    Flows.external(), gone, 8080));
        }
        Set<String> got = scanAlerts(extra);
        assertTrue(got.isEmpty(), () -> "scan alerts: " + got + " " + alerts);
    }

    @Test
    void aSweepOfTheWorkloadsOwnDnsPortIsAScan() {
        List<FlowRecord> extra = new ArrayList<>();
        long t = T0 + 13 * MIN;
        Containers rogue = web.get(1);
        // One query every 2 s: api pods answer ICMP port unreachable, empty addresses stay silent.
        for (int k = 0; k < 40; k++) {
            long at = t + k * 2_000_000L;
            if (k % 2 == 0) {
                extra.add(Flows.udp(at, rogue, api.get(k / 2), 53, Outcome.ICMP_UNREACHABLE));
            } else {
                extra.add(silentUdp(at, rogue, new byte[] {10, (byte) 244, 2, (byte) (100 + k)}, 53));
            }
        }
        Set<String> got = scanAlerts(extra);
        assertEquals(Set.of(rogue.name()), got, () -> alerts.toString());
    }
}
