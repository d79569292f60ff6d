package io.eastwatch.collector.baseline;

import java.util.List;

/**
 * How the per-workload baseline is learned and bounded. All durations are event time, in
 * microseconds of capture time.
 *
 * @param learningMicros        length of the learning phase, counted from the first flow this collector
 *                              ever saw. Longer learns rarer edges (nightly jobs) and lowers false positives,
 *                              but an attacker already present during it is learned as normal.
 * @param newWorkloadGraceMicros a workload first seen after the learning phase learns its own baseline for
 *                              this long. Longer avoids alerts while a new service warms up; an attacker
 *                              deploying a brand-new workload gets that long to act unseen by the baseline
 *                              detectors (scan detection stays active). Capped at learningMicros.
 * @param windowMicros          window for rates, fan-out and per-window volumes. Longer smooths bursts (fewer
 *                              false positives) but reacts later and hides short spikes.
 * @param maxWorkloads          workloads kept; more are counted and not learned. Raising costs memory
 *                              (a few hundred bytes each plus their edges).
 * @param maxEdgesPerWorkload   edges kept per workload; overflow is counted and such edges are treated as
 *                              known (no alert) rather than raising a storm. Raising costs memory.
 * @param maxServedPorts        ports remembered per workload as served (darknet port test). Lower means a
 *                              workload with more ports loses the strong "never served" evidence.
 * @param maxLatenessMicros     how far behind the newest flow time a flow may arrive and still be placed in
 *                              its window; windows close this long after their end. Larger tolerates slower
 *                              agents but delays window-based alerts.
 * @param maxContainers       containers whose recent activity (windows, first contacts) is tracked; the least
 *                              recently active is evicted beyond it (counted). Raising costs ~2 KB each.
 * @param containerIdleMicros   a container silent this long is forgotten (its baseline stays with its
 *                              workload). Longer catches slower scans; shorter frees memory sooner.
 * @param approvedEdges         edges approved by configuration: they count as baseline and never alert.
 * @param clusterNetworks       the cluster's address plan (CIDRs). An initiated flow to an address in it that no
 *                              container holds is a darknet probe. Empty: learned from container addresses
 *                              (/24 for IPv4, /64 for IPv6), which is looser.
 */
public record BaselineSettings(
        long learningMicros,
        long newWorkloadGraceMicros,
        long windowMicros,
        int maxWorkloads,
        int maxEdgesPerWorkload,
        int maxServedPorts,
        long maxLatenessMicros,
        int maxContainers,
        long containerIdleMicros,
        List<ApprovedEdge> approvedEdges,
        List<String> clusterNetworks) {

    public BaselineSettings {
        if (learningMicros < 0) {
            throw new IllegalArgumentException("learningMicros: " + learningMicros + " (expected: >= 0)");
        }
        if (newWorkloadGraceMicros < 0) {
            throw new IllegalArgumentException("newWorkloadGraceMicros: " + newWorkloadGraceMicros + " (expected: >= 0)");
        }
        if (windowMicros < 1_000_000L) {
            throw new IllegalArgumentException("windowMicros: " + windowMicros + " (expected: >= 1000000)");
        }
        if (maxWorkloads < 1) {
            throw new IllegalArgumentException("maxWorkloads: " + maxWorkloads + " (expected: > 0)");
        }
        if (maxEdgesPerWorkload < 1) {
            throw new IllegalArgumentException("maxEdgesPerWorkload: " + maxEdgesPerWorkload + " (expected: > 0)");
        }
        if (maxServedPorts < 1) {
            throw new IllegalArgumentException("maxServedPorts: " + maxServedPorts + " (expected: > 0)");
        }
        if (maxLatenessMicros < 0) {
            throw new IllegalArgumentException("maxLatenessMicros: " + maxLatenessMicros + " (expected: >= 0)");
        }
        if (maxContainers < 1) {
            throw new IllegalArgumentException("maxContainers: " + maxContainers + " (expected: > 0)");
        }
        if (containerIdleMicros < windowMicros) {
            throw new IllegalArgumentException("containerIdleMicros: " + containerIdleMicros + " (expected: >= windowMicros)");
        }
        approvedEdges = approvedEdges == null ? List.of() : List.copyOf(approvedEdges);
        clusterNetworks = clusterNetworks == null ? List.of() : List.copyOf(clusterNetworks);
        for (String cidr : clusterNetworks) {
            Cidr.parse(cidr);
        }
    }

    public static BaselineSettings defaults() {
        return new BaselineSettings(
                3_600_000_000L, 600_000_000L, 60_000_000L, 50_000, 4_096, 256, 5_000_000L, 200_000, 3_600_000_000L,
                List.of(), List.of());
    }

    public BaselineSettings withLearningMicros(long micros) {
        return new BaselineSettings(micros, newWorkloadGraceMicros, windowMicros, maxWorkloads, maxEdgesPerWorkload,
                maxServedPorts, maxLatenessMicros, maxContainers, containerIdleMicros, approvedEdges, clusterNetworks);
    }

    public BaselineSettings withApprovedEdges(List<ApprovedEdge> edges) {
        return new BaselineSettings(learningMicros, newWorkloadGraceMicros, windowMicros, maxWorkloads,
                maxEdgesPerWorkload, maxServedPorts, maxLatenessMicros, maxContainers, containerIdleMicros, edges, clusterNetworks);
    }

    public BaselineSettings withClusterNetworks(List<String> cidrs) {
        return new BaselineSettings(learningMicros, newWorkloadGraceMicros, windowMicros, maxWorkloads,
                maxEdgesPerWorkload, maxServedPorts, maxLatenessMicros, maxContainers, containerIdleMicros, approvedEdges, cidrs);
    }

    public BaselineSettings withNewWorkloadGraceMicros(long micros) {
        return new BaselineSettings(learningMicros, micros, windowMicros, maxWorkloads, maxEdgesPerWorkload,
                maxServedPorts, maxLatenessMicros, maxContainers, containerIdleMicros, approvedEdges, clusterNetworks);
    }

    /**
     * An edge approved by configuration. {@code port} 0 and {@code protocol} 0 match any; {@code peer} is a
     * workload, {@code host} (any container host) or {@code external}.
     */
    public record ApprovedEdge(String sourceWorkload, String peer, int port, int protocol) {
        public ApprovedEdge {
            if (sourceWorkload == null || sourceWorkload.isBlank()) {
                throw new IllegalArgumentException("sourceWorkload: " + sourceWorkload + " (expected: a workload)");
            }
            if (peer == null || peer.isBlank()) {
                throw new IllegalArgumentException("peer: " + peer + " (expected: a workload, host or external)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535, 0 = any)");
            }
            if (protocol < 0 || protocol > 255) {
                throw new IllegalArgumentException("protocol: " + protocol + " (expected: 0..255, 0 = any)");
            }
        }

        public boolean matches(String source, String peerKey, int p, int proto) {
            return sourceWorkload.equals(source) && peer.equals(peerKey)
                    && (port == 0 || port == p) && (protocol == 0 || protocol == proto);
        }
    }
}
