package io.eastwatch.collector.coverage;

import io.eastwatch.collector.detect.Finding;
import io.eastwatch.collector.detect.FindingSink;
import io.eastwatch.collector.detect.Severity;
import io.eastwatch.collector.detect.Suspect;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * eastwatch's own blind spots: per agent, its heartbeats (watermark, capture drops) and the share
 * of its flows with unresolved identity; collector-wide, consumer lag and sequence gaps. Gives
 * each alert its coverage note, and raises health findings when an agent goes silent (its
 * watermark falls behind the others' in event time) or drops heavily.
 */
public final class CoverageMonitor {

    public static final String SILENT = "agent-silent";
    public static final String DROPS = "capture-drops";

    /** One agent as its heartbeats and flows describe it (serializable). */
    public static final class Agent {
        public String agentId;
        public String host;
        public long watermarkUs = Long.MIN_VALUE;
        /**
         * Latest event time the agent is known to have been alive at: its heartbeat watermark or the
         * end of a flow it reported, whichever is later. Silence is judged on this, not on the
         * watermark alone: an agent that keeps sending flows is not a blind spot.
         */
        public long aliveUs = Long.MIN_VALUE;
        public long captured;
        public long dropped;
        public double recentDropRatio;
        public long flows;
        public long unresolvedFlows;
        public boolean silentReported;
        /** Wall clock (ms) when its last heartbeat arrived: the only wall-time fact, for total silence. */
        public long lastHeartbeatWallMs;
        public boolean dropsReported;
    }

    public static final class State {
        public Map<String, Agent> agents = new HashMap<>();
        public long consumerLag;
        public long sequenceGaps;
    }

    private static final int AGENT_LIMIT = 10_000;

    private final HealthSettings settings;
    private final FindingSink sink;
    private State state = new State();

    public CoverageMonitor(HealthSettings settings, FindingSink sink) {
        this.settings = settings;
        this.sink = sink;
    }

    public State state() {
        return state;
    }

    public void restore(State s) {
        this.state = s;
    }

    public void setConsumerLag(long lag) {
        state.consumerLag = lag;
    }

    public void addSequenceGap(long missing) {
        state.sequenceGaps += missing;
    }

    public void onFlow(FlowRecord r) {
        Agent a = agent(r.getAgentId(), r.getHost());
        if (a == null) {
            return;
        }
        a.flows++;
        if (r.getLastTsUs() > a.aliveUs) {
            a.aliveUs = r.getLastTsUs();
            a.silentReported = false;
        }
        if (r.getSrc().getKind() == EndpointKind.UNRESOLVED || r.getDst().getKind() == EndpointKind.UNRESOLVED) {
            a.unresolvedFlows++;
        }
    }

    public void onHeartbeat(AgentHeartbeat hb, long wallMs) {
        Agent a = agent(hb.getAgentId(), hb.getHost());
        if (a == null) {
            return;
        }
        a.lastHeartbeatWallMs = wallMs;
        long captured = hb.getPacketsCaptured();
        long dropped = hb.getPacketsDroppedKernel() + hb.getPacketsDroppedAgent();
        long dc = captured - a.captured;
        long dd = dropped - a.dropped;
        if (dc >= 0 && dd >= 0 && dc + dd >= settings.minPackets()) {
            a.recentDropRatio = (double) dd / (dc + dd);
            if (a.recentDropRatio >= settings.dropAlertRatio() && !a.dropsReported) {
                a.dropsReported = true;
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("packets_captured", dc);
                ev.put("packets_dropped", dd);
                ev.put("drop_ratio", Math.round(a.recentDropRatio * 1000) / 1000.0);
                ev.put("agent_id", a.agentId);
                sink.report(new Finding(DROPS, true, hostSuspect(a), Severity.MEDIUM, 0.5, List.of(), ev, 0, List.of(),
                        String.format("The eastwatch agent on %s dropped %.1f%% of %d packets since its last heartbeat: "
                                + "attacks on that host may go unseen.", a.host, a.recentDropRatio * 100, dc + dd),
                        hb.getWatermarkUs(), hb.getWatermarkUs(), dd));
            } else if (a.recentDropRatio < settings.dropAlertRatio() / 2) {
                a.dropsReported = false;
            }
        }
        a.captured = captured;
        a.dropped = dropped;
        // a watermark of 0 is an agent that has not seen its first packet yet: it says nothing about time
        if (hb.getWatermarkUs() > 0 && hb.getWatermarkUs() > a.watermarkUs) {
            a.watermarkUs = hb.getWatermarkUs();
            if (a.watermarkUs > a.aliveUs) {
                a.aliveUs = a.watermarkUs;
                a.silentReported = false;
            }
        }
    }

    /** Event time reached {@code nowUs}: an agent whose watermark lags it too far is silent. */
    public void advanceTo(long nowUs) {
        for (Agent a : state.agents.values()) {
            if (a.aliveUs == Long.MIN_VALUE || a.silentReported || nowUs - a.aliveUs <= settings.silenceMicros()) {
                continue;
            }
            reportSilent(a, nowUs);
        }
    }

    /**
     * Wall clock check for when every agent stops (event time then stands still and the event-time
     * test cannot fire): an agent with no heartbeat for the silence interval of wall time is silent.
     * The finding carries the agent's last watermark as its start, so the alert has the same id as
     * the event-time one would.
     */
    public void checkWallClock(long wallMs) {
        for (Agent a : state.agents.values()) {
            if (a.aliveUs == Long.MIN_VALUE || a.silentReported || a.lastHeartbeatWallMs == 0
                    || (wallMs - a.lastHeartbeatWallMs) * 1000 <= settings.silenceMicros()) {
                continue;
            }
            reportSilent(a, a.aliveUs + (wallMs - a.lastHeartbeatWallMs) * 1000);
        }
    }

    private void reportSilent(Agent a, long nowUs) {
        a.silentReported = true;
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("agent_id", a.agentId);
        ev.put("last_watermark_us", a.watermarkUs);
        ev.put("last_alive_us", a.aliveUs);
        ev.put("silent_seconds", (nowUs - a.aliveUs) / 1_000_000L);
        sink.report(new Finding(SILENT, true, hostSuspect(a), Severity.HIGH, 0.6, List.of(), ev, 0, List.of(),
                String.format("The eastwatch agent on %s has sent nothing for %d s: that host is a blind spot.",
                        a.host, (nowUs - a.aliveUs) / 1_000_000L),
                a.aliveUs, nowUs, 1));
    }

    /** Watermarks of agents that are not silent: event time may advance to their minimum. */
    public long liveWatermark(long newestUs) {
        long min = Long.MAX_VALUE;
        for (Agent a : state.agents.values()) {
            if (a.watermarkUs != Long.MIN_VALUE && newestUs - a.watermarkUs <= settings.silenceMicros()) {
                min = Math.min(min, a.watermarkUs);
            }
        }
        return min;
    }

    public Coverage coverageFor(String host) {
        double drop = 0;
        long flows = 0;
        long unresolved = 0;
        for (Agent a : state.agents.values()) {
            flows += a.flows;
            unresolved += a.unresolvedFlows;
            if (host != null && host.equals(a.host)) {
                drop = Math.max(drop, a.recentDropRatio);
            }
        }
        double unresolvedRatio = flows == 0 ? 0 : (double) unresolved / flows;
        String note = String.format("capture drops on %s: %.1f%%; flows with unresolved identity: %.1f%%; consumer lag: %d records; "
                        + "records lost in transit: %d.", host == null || host.isEmpty() ? "the source host" : host, drop * 100,
                unresolvedRatio * 100, state.consumerLag, state.sequenceGaps);
        return new Coverage(note, Math.round(drop * 1000) / 1000.0, Math.round(unresolvedRatio * 1000) / 1000.0,
                state.consumerLag, state.sequenceGaps);
    }

    private Agent agent(String id, String host) {
        String key = id.isEmpty() ? "host:" + host : id;
        Agent a = state.agents.get(key);
        if (a == null) {
            if (state.agents.size() >= AGENT_LIMIT) {
                return null;
            }
            a = new Agent();
            a.agentId = key;
            a.host = host;
            state.agents.put(key, a);
        }
        return a;
    }

    private static Suspect hostSuspect(Agent a) {
        return new Suspect(null, null, null, null, a.host, null);
    }
}
