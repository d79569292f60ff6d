package io.eastwatch.collector.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.collector.fixture.TestCluster;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentHealthTest {

    final List<Alert> alerts = new ArrayList<>();
    final DetectionEngine engine = new DetectionEngine(CollectorSettings.defaults(), alerts::add, new SimpleMeterRegistry());

    static AgentHeartbeat hb(String agent, long wm, long captured, long dropped) {
        return AgentHeartbeat.newBuilder().setAgentId(agent).setHost(agent.replace("agent-", "")).setWatermarkUs(wm)
                .setSentAtUs(wm).setPacketsCaptured(captured).setPacketsDroppedKernel(dropped).build();
    }

    @Test
    void silentAgentRaisesOneHealthAlertAndStopsHoldingBackTime() {
        long t = TestCluster.T0;
        for (int i = 0; i < 30; i++) {
            long now = t + i * 5_000_000L;
            engine.onHeartbeat(hb("agent-node-1", now, i * 1000L, 0));
            if (i < 5) {
                engine.onHeartbeat(hb("agent-node-2", now, i * 1000L, 0));
            }
            engine.advanceTo(engine.liveAgentWatermark() == Long.MAX_VALUE ? now : Math.max(now - 5_000_000L, 0));
        }
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals(Alert.Kind.HEALTH, a.kind());
        assertEquals("agent-silent", a.detector());
        assertEquals("node-2", a.source().host());
        assertTrue(a.summary().contains("node-2"), a.summary());
    }

    /**
     * A replay (or a freshly started agent) sends one heartbeat before its first packet, watermark
     * 0, then only flows: that agent is alive, not silent since 1970.
     */
    @Test
    void anAgentThatSendsFlowsIsNotSilentWhateverItsFirstHeartbeatSaid() {
        engine.onHeartbeat(hb("agent-node-1", 0, 0, 0));
        TestCluster c = new TestCluster();
        for (int i = 0; i < 40; i++) {
            List<io.eastwatch.flow.v1.FlowRecord> batch = new ArrayList<>();
            long t = c.tick(batch::add);
            batch.forEach(f -> engine.onFlow(f.toBuilder().setAgentId("agent-node-1").setHost("node-1").build()));
            engine.advanceTo(t);
        }
        engine.finish();
        assertTrue(alerts.stream().noneMatch(a -> a.detector().equals("agent-silent")), alerts.toString());
    }

    @Test
    void agentsSilentInWallTimeAreReportedEvenWhenEventTimeStandsStill() {
        engine.onHeartbeat(hb("agent-node-1", TestCluster.T0, 0, 0));
        long now = System.currentTimeMillis();
        engine.checkAgentsWallClock(now + 30_000);
        assertTrue(alerts.isEmpty());
        engine.checkAgentsWallClock(now + 61_000);
        assertEquals(1, alerts.size());
        assertEquals("agent-silent", alerts.get(0).detector());
        engine.checkAgentsWallClock(now + 120_000);
        assertEquals(1, alerts.size(), "one alert per silence");
    }

    @Test
    void heavyDropsRaiseAHealthAlertAndLightOnesDoNot() {
        long t = TestCluster.T0;
        engine.onHeartbeat(hb("agent-node-1", t, 0, 0));
        engine.onHeartbeat(hb("agent-node-1", t + 5_000_000L, 100_000, 100));
        assertTrue(alerts.isEmpty());
        engine.onHeartbeat(hb("agent-node-1", t + 10_000_000L, 150_000, 20_100));
        assertEquals(1, alerts.size());
        assertEquals("capture-drops", alerts.get(0).detector());
        assertEquals(0.286, ((Number) alerts.get(0).evidence().get("drop_ratio")).doubleValue(), 0.001);
    }

    @Test
    void alertsCarryTheCoverageOfTheirHost() {
        engine.onHeartbeat(hb("agent-node-1", TestCluster.T0, 0, 0));
        engine.onHeartbeat(hb("agent-node-1", TestCluster.T0 + 1, 10_000, 1_000));
        engine.onFlow(Flows.echo(TestCluster.T0, Flows.unresolved(), new byte[] {10, 0, 0, 1}, Flows.unresolved(),
                new byte[] {10, 0, 0, 2}, true));
        Alert drop = alerts.get(0);
        assertTrue(drop.coverage().note().contains("node-1"), drop.coverage().note());
        assertEquals(0.091, drop.coverage().dropRatio(), 0.001);
    }
}
