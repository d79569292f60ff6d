package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.EdgeStats;
import io.eastwatch.collector.baseline.ObservedFlow;
import io.eastwatch.collector.baseline.WorkloadBaseline;
import java.util.Map;

/**
 * A callee that moved its port: a deploy whose new version listens elsewhere (8080 to 8081, a
 * gRPC port renumbered, a sidecar port inserted) makes every caller reach the same peer workload
 * on a port outside the callers' baselines. That is not lateral movement when three things hold
 * together: the caller's workload already talks to that peer workload over the same protocol, the
 * replica answering runs an image version of the peer that is new (first seen within the deploy
 * window, or not seen yet, while an older version of the peer is known), and the connection
 * succeeded (the new-edge detector also never accepts a move onto a sensitive or node-control
 * port: SSH on a fresh replica is not a renumbered API). The new edge then stands in for the caller's old edge to that peer: its learned
 * rates and volumes apply. An attacker would have to reach a workload its own workload already
 * calls, on a port only the callee's brand-new version serves, during that deploy.
 */
final class PortMigration {
    private PortMigration() {
    }

    /**
     * The caller workload's learned edge to the same peer and protocol that this flow's edge
     * replaces, or null if the flow is not a port migration.
     */
    static EdgeStats replacedEdge(BaselineStore store, WorkloadBaseline caller, ObservedFlow f, long deployWindowMicros) {
        if (f.attempt != ObservedFlow.Attempt.SUCCESS || !f.dstIsContainer() || f.peerKey == null) {
            return null;
        }
        WorkloadBaseline peer = store.workloadOrNull(f.peerKey);
        if (peer == null || peer == caller || !newVersion(peer, f.dst.getImage(), f.firstUs, deployWindowMicros)) {
            return null;
        }
        String prefix = f.peerKey + "|";
        String suffix = "|" + f.protocol;
        EdgeStats best = null;
        for (Map.Entry<String, EdgeStats> e : caller.edges.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(prefix) && k.endsWith(suffix) && k.length() > prefix.length() + suffix.length()
                    && k.indexOf('|', prefix.length()) == k.length() - suffix.length()) {
                EdgeStats s = e.getValue();
                if (best == null || s.maxWindowBytes > best.maxWindowBytes) {
                    best = s;
                }
            }
        }
        return best;
    }

    /** The image runs in the workload as a version newer than one already known, within the deploy window. */
    static boolean newVersion(WorkloadBaseline w, String image, long nowUs, long deployWindowMicros) {
        if (image == null || image.isEmpty() || w.images.isEmpty()) {
            return false;
        }
        Long first = w.images.get(image);
        if (first != null && nowUs - first > deployWindowMicros) {
            return false;
        }
        long since = first == null ? nowUs : first;
        for (Map.Entry<String, Long> e : w.images.entrySet()) {
            if (!e.getKey().equals(image) && e.getValue() < since) {
                return true;
            }
        }
        return false;
    }
}
