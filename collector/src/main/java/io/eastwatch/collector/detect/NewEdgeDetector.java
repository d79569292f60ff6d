package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.ObservedFlow;
import io.eastwatch.collector.baseline.ObservedFlow.Attempt;
import io.eastwatch.collector.baseline.WorkloadBaseline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * New lateral edge: a monitored workload's container completes a connection to a peer workload
 * (or host) on a port outside its workload's baseline, and no approval covers it. Severity comes
 * from what was reached (node control, data stores, remote administration) and how unusual the
 * edge is across all workloads; a source running an image version that just appeared (a deploy)
 * is rated one level lower than the same edge from an unchanged image (drift). A peer that moved
 * its port in a deploy of its own is not a new edge at all ({@link PortMigration}).
 */
public final class NewEdgeDetector implements FlowDetector {

    public static final String NAME = "new-lateral-edge";
    private static final int MAX_CONTAINERS = 100_000;

    /** New edges per container (serializable). */
    public static final class State {
        public Map<String, Reported> containers = new HashMap<>();
        /**
         * Edges accepted as a callee's port migration ("caller workload|peer|port|protocol" -> when):
         * they stay accepted after the deploy window, as a learned edge would.
         */
        public Map<String, Long> migrated = new HashMap<>();
    }

    public static final class Reported {
        public LinkedHashSet<String> edges = new LinkedHashSet<>();
        public List<Finding.Target> sample = new ArrayList<>();
        public long firstUs;
        public long lastUs;
        public Severity worst = Severity.LOW;
        public long overflow;
    }

    private final NewEdgeSettings settings;
    private final long idleMicros;
    private State state = new State();

    public NewEdgeDetector(NewEdgeSettings settings, long idleMicros) {
        this.settings = settings;
        this.idleMicros = idleMicros;
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
        if (f.attempt != Attempt.SUCCESS || ctx.phase != BaselineStore.Phase.MONITORING || ctx.knownEdge
                || ctx.targetInGrace || f.peerKey == null || "external".equals(f.peerKey)
                || ctx.workload.edges.isEmpty() && !ctx.workload.edgesOverflowed) {
            // No baseline at all (nothing learned: forensics with no learning phase): every edge is new,
            // so "new" says nothing.
            return;
        }
        String edge = f.edgeKey();
        String workloadEdge = ctx.workload.name + "|" + edge;
        if (state.migrated.containsKey(workloadEdge)) {
            return;
        }
        boolean sensitivePort = settings.sensitivePorts().containsKey(f.port) || settings.criticalPorts().contains(f.port);
        if (!sensitivePort && PortMigration.replacedEdge(ctx.store, ctx.workload, f, settings.deployWindowMicros()) != null) {
            // The peer's new version serves this port in place of one the workload already used.
            if (state.migrated.size() < MAX_CONTAINERS) {
                state.migrated.put(workloadEdge, f.firstUs);
            }
            return;
        }
        Reported r = state.containers.get(ctx.container.containerId);
        if (r == null) {
            if (state.containers.size() >= MAX_CONTAINERS) {
                return; // bounded: beyond this many containers with new edges, the scan and volume tests still run
            }
            r = new Reported();
            r.firstUs = f.firstUs;
            state.containers.put(ctx.container.containerId, r);
        }
        r.lastUs = Math.max(r.lastUs, f.lastUs);
        if (r.edges.contains(edge)) {
            return;
        }
        if (r.edges.size() >= settings.maxEdgesPerContainer()) {
            r.overflow++;
            return;
        }
        r.edges.add(edge);
        if (r.sample.size() < 10) {
            r.sample.add(ScanDetector.target(f));
        }
        String service = settings.sensitivePorts().get(f.port);
        boolean critical = f.protocol == ObservedFlow.TCP && settings.criticalPorts().contains(f.port);
        Severity severity = critical ? Severity.CRITICAL
                : service != null && f.protocol != ObservedFlow.ICMP ? Severity.HIGH : Severity.MEDIUM;
        long[] counts = workloadsWithEdge(ctx.store, edge);
        double fraction = counts[1] == 0 ? 0 : (double) counts[0] / counts[1];
        if (counts[0] >= settings.minCommonWorkloads()) {
            if (fraction >= settings.commonFraction()) {
                severity = severity.lower(2);
            } else if (fraction > settings.rareFraction()) {
                severity = severity.lower(1);
            }
        }
        boolean deploy = inDeploy(ctx.workload, ctx.container.image, f.firstUs);
        if (deploy) {
            severity = severity.lower(1);
        }
        if (severity.compareTo(r.worst) > 0) {
            r.worst = severity;
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("new_edges", r.edges.size());
        ev.put("edge", Map.of("peer", f.peerKey, "port", f.port, "protocol", f.protocol));
        ev.put("service", service == null ? (critical ? "node-control" : "other") : service);
        ev.put("baseline_peers", ctx.workload.edgeCount());
        ev.put("workloads_with_edge", counts[0]);
        ev.put("workloads_with_edge_fraction", ScanDetector.round(fraction));
        ev.put("replicas_with_edge", 0);
        ev.put("deploy", deploy);
        ev.put("bytes", f.bytes);
        String peerText = f.peerKey + ":" + f.port + (f.protocol == ObservedFlow.UDP ? "/udp" : "");
        String summary = String.format(
                "%s replica %s reached %s (%s), an edge no replica of its workload used in its baseline of %d edges and %.0f%% of workloads have%s; %d new %s from this container so far.",
                ctx.container.workload, ctx.container.name, peerText,
                service == null ? (critical ? "container runtime / node control" : "service") : service,
                ctx.workload.edgeCount(), fraction * 100,
                deploy ? " (its image version is new: likely a deploy)" : " (its image is unchanged: drift)",
                r.edges.size(), r.edges.size() == 1 ? "edge" : "edges");
        List<String> mitre = new ArrayList<>();
        mitre.add("T1021");
        switch (f.port) {
            case 22 -> mitre.add("T1021.004");
            case 3389 -> mitre.add("T1021.001");
            case 445, 139 -> mitre.add("T1021.002");
            case 5985, 5986 -> mitre.add("T1021.006");
            default -> {
                if (critical) {
                    mitre.add("T1610");
                }
            }
        }
        double score = switch (r.worst) {
            case CRITICAL -> 0.95;
            case HIGH -> 0.85;
            case MEDIUM -> 0.65;
            case LOW -> 0.4;
        };
        sink.report(new Finding(NAME, false, ctx.suspect(), r.worst, score, mitre, ev, r.edges.size(), r.sample,
                summary, r.firstUs, f.lastUs, r.edges.size()));
    }

    private boolean inDeploy(WorkloadBaseline w, String image, long nowUs) {
        Long first = w.images.get(image);
        if (first == null || image.isEmpty()) {
            return false;
        }
        boolean otherOlder = w.images.values().stream().anyMatch(t -> t < first);
        return otherOlder && nowUs - first <= settings.deployWindowMicros();
    }

    /** {workloads whose baseline has the edge, workloads that initiate anything}. */
    private static long[] workloadsWithEdge(BaselineStore store, String edge) {
        Map<String, WorkloadBaseline> all = store.state().workloads;
        // Among workloads that initiate anything at all: pure servers say nothing about who calls what.
        long with = 0;
        long clients = 0;
        for (WorkloadBaseline w : all.values()) {
            if (!w.edges.isEmpty()) {
                clients++;
                if (w.edges.containsKey(edge)) {
                    with++;
                }
            }
        }
        return new long[] {with, clients};
    }

    @Override
    public void advanceTo(long watermarkUs) {
        state.containers.values().removeIf(r -> watermarkUs - r.lastUs > idleMicros);
    }
}
