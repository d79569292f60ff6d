package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.EdgeStats;
import io.eastwatch.collector.baseline.ObservedFlow;
import io.eastwatch.collector.baseline.ObservedFlow.Attempt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exfiltration / bulk collection: the bytes one container moves on one edge in one window far
 * above what any container of its workload moved on that edge while learning, both as a multiple
 * of the learned maximum and in standard deviations of the learned log-volume. An edge absent
 * from the baseline has a learned volume of zero, so a large transfer over a new lateral edge is
 * caught with only the absolute floor.
 */
public final class VolumeDetector implements FlowDetector {

    public static final String NAME = "exfiltration";
    private static final int MAX_CONTAINERS = 100_000;

    public static final class State {
        /** container -> edge -> largest bytes already reported (one report per doubling). */
        public Map<String, Map<String, Long>> reported = new HashMap<>();
        public Map<String, Long> lastUs = new HashMap<>();
    }

    private final VolumeSettings settings;
    private final long idleMicros;
    private final long deployWindowMicros;
    private State state = new State();

    public VolumeDetector(VolumeSettings settings, long idleMicros) {
        this(settings, idleMicros, NewEdgeSettings.defaults().deployWindowMicros());
    }

    /** @param deployWindowMicros how long after a peer's new version appears a port it moved to inherits the old edge */
    public VolumeDetector(VolumeSettings settings, long idleMicros, long deployWindowMicros) {
        this.settings = settings;
        this.idleMicros = idleMicros;
        this.deployWindowMicros = deployWindowMicros;
    }

    @Override
    public String name() {
        return NAME;
    }

    public State state() {
        return state;
    }

    public void restore(State s) {
        this.state = s;
    }

    @Override
    public void onFlow(ObservedFlow f, FlowContext ctx, FindingSink sink) {
        if (ctx.phase != BaselineStore.Phase.MONITORING || f.peerKey == null || f.attempt == Attempt.NONE
                && f.record.getOutcome() != io.eastwatch.flow.v1.Outcome.MID_STREAM) {
            return;
        }
        if (ctx.workload.edges.isEmpty()) {
            return; // nothing learned to be far above
        }
        String key = f.edgeKey();
        long[] acc = ctx.container.edgeWindow.get(key);
        long windowBytes = Math.max(acc == null ? 0 : acc[1], f.bytes);
        if (windowBytes < settings.minBytes()) {
            return;
        }
        EdgeStats e = ctx.workload.edges.get(key);
        if (e == null) {
            // A callee that moved its port in a deploy: the old edge's volumes still describe the traffic.
            e = PortMigration.replacedEdge(ctx.store, ctx.workload, f, deployWindowMicros);
        }
        long learnedMax = e == null ? 0 : e.maxWindowBytes;
        if (windowBytes <= settings.baselineFactor() * learnedMax) {
            return;
        }
        double sigmas = Double.POSITIVE_INFINITY;
        if (e != null && e.windowSamples >= 2) {
            double sd = Math.max(e.logStdDev(), 0.5);
            sigmas = (Math.log1p(windowBytes) - e.logMean) / sd;
            if (sigmas < settings.logSigmas()) {
                return;
            }
        }
        String id = ctx.container.containerId;
        if (!state.reported.containsKey(id) && state.reported.size() >= MAX_CONTAINERS) {
            return;
        }
        Map<String, Long> mine = state.reported.computeIfAbsent(id, k -> new HashMap<>());
        state.lastUs.put(id, f.lastUs);
        Long before = mine.get(key);
        if (before != null && windowBytes < 2 * before) {
            return;
        }
        mine.put(key, windowBytes);
        long total = mine.values().stream().mapToLong(Long::longValue).sum();
        boolean upload = f.record.getBytesFwd() >= f.record.getBytesRev();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("window_bytes", windowBytes);
        ev.put("bytes_out", f.record.getBytesFwd());
        ev.put("bytes_in", f.record.getBytesRev());
        ev.put("baseline_max_window_bytes", learnedMax);
        ev.put("baseline_sigmas", Double.isInfinite(sigmas) ? null : ScanDetector.round(sigmas));
        ev.put("edge_in_baseline", e != null);
        ev.put("edges_over_baseline", mine.size());
        ev.put("bytes_over_baseline_total", total);
        String summary = String.format(
                "%s replica %s %s %s with %s:%d in one %d s window, %s.",
                ctx.container.workload, ctx.container.name, upload ? "sent" : "pulled", bytes(windowBytes),
                f.peerKey, f.port, ctx.store.settings().windowMicros() / 1_000_000L,
                e == null ? "over an edge its workload never used before"
                        : "where its workload's baseline is at most " + bytes(learnedMax));
        List<Finding.Target> targets = new ArrayList<>();
        targets.add(ScanDetector.target(f));
        Severity severity = windowBytes >= 100L * Math.max(learnedMax, settings.minBytes()) / 10 ? Severity.CRITICAL : Severity.HIGH;
        double score = Math.min(0.99, 0.75 + 0.05 * Math.log10((double) windowBytes / settings.minBytes() + 1) * 3);
        List<String> mitre = upload ? List.of("T1048") : List.of("T1213", "T1048");
        sink.report(new Finding(NAME, false, ctx.suspect(), severity, score, mitre, ev, mine.size(), targets,
                summary, f.firstUs, f.lastUs, total));
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format("%.1f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (double) (1L << 20));
        }
        if (b >= 1L << 10) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        return b + " B";
    }

    @Override
    public void advanceTo(long watermarkUs) {
        state.lastUs.entrySet().removeIf(e -> {
            boolean idle = watermarkUs - e.getValue() > idleMicros;
            if (idle) {
                state.reported.remove(e.getKey());
            }
            return idle;
        });
    }
}
