package io.eastwatch.collector.detect;

/**
 * Tunables of the replica outlier detector.
 *
 * @param minReplicas     fewest active replicas in a window for a comparison. Lower compares smaller
 *                        workloads, where a median is a weak reference (more false positives).
 * @param robustZ         how many robust standard deviations (1.4826 x MAD) above the replicas' median a value
 *                        must lie. Lower is more sensitive.
 * @param minExcessPeers  ... and at least this many more distinct destinations (or ports) than the median, and
 *                        more than any replica reached in a learning window. Guards against MAD = 0.
 * @param minFailureExcess failure ratio must exceed the median's by this much, with at least minFailures failures.
 * @param minFailures     fewest failed attempts in the window for a failure-ratio outlier.
 */
public record ReplicaOutlierSettings(int minReplicas, double robustZ, int minExcessPeers, double minFailureExcess,
                                     int minFailures) {

    public ReplicaOutlierSettings {
        if (minReplicas < 3) {
            throw new IllegalArgumentException("minReplicas: " + minReplicas + " (expected: >= 3)");
        }
        if (!(robustZ > 0)) {
            throw new IllegalArgumentException("robustZ: " + robustZ + " (expected: > 0)");
        }
        if (minExcessPeers < 1) {
            throw new IllegalArgumentException("minExcessPeers: " + minExcessPeers + " (expected: > 0)");
        }
        if (!(minFailureExcess > 0 && minFailureExcess < 1)) {
            throw new IllegalArgumentException("minFailureExcess: " + minFailureExcess + " (expected: 0 < x < 1)");
        }
        if (minFailures < 1) {
            throw new IllegalArgumentException("minFailures: " + minFailures + " (expected: > 0)");
        }
    }

    public static ReplicaOutlierSettings defaults() {
        return new ReplicaOutlierSettings(3, 5, 10, 0.5, 10);
    }
}
