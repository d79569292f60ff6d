package io.eastwatch.collector.coverage;

/**
 * Tunables of agent health tracking.
 *
 * @param silenceMicros  an agent whose watermark falls this far behind the newest agent's (event time) is
 *                       silent: a health alert is raised and it no longer holds back event time. Shorter
 *                       notices a dead agent sooner and flags agents that are merely slow.
 * @param dropAlertRatio packets dropped / packets seen between two heartbeats at or above which a drop health
 *                       alert is raised. Lower warns of smaller blind spots, more often.
 * @param minPackets     fewest packets between heartbeats for the drop ratio to count (tiny samples are noise).
 */
public record HealthSettings(long silenceMicros, double dropAlertRatio, long minPackets) {

    public HealthSettings {
        if (silenceMicros < 1_000_000L) {
            throw new IllegalArgumentException("silenceMicros: " + silenceMicros + " (expected: >= 1000000)");
        }
        if (!(dropAlertRatio > 0 && dropAlertRatio <= 1)) {
            throw new IllegalArgumentException("dropAlertRatio: " + dropAlertRatio + " (expected: 0 < r <= 1)");
        }
        if (minPackets < 1) {
            throw new IllegalArgumentException("minPackets: " + minPackets + " (expected: > 0)");
        }
    }

    public static HealthSettings defaults() {
        return new HealthSettings(60_000_000L, 0.05, 1_000);
    }
}
