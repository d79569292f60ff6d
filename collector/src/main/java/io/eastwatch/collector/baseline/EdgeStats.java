package io.eastwatch.collector.baseline;

/**
 * What a workload's baseline holds about one edge (peer x port x protocol): totals, first and last
 * seen, and per-container-window maxima and log-volume moments learned while the edge was being
 * learned. Monitoring-time traffic updates the totals but not the learned distribution, so a slow
 * ramp-up by an attacker cannot teach the baseline that a large transfer is normal.
 */
public final class EdgeStats {
    public long flows;
    public long bytes;
    public long failures;
    public long firstSeenUs;
    public long lastSeenUs;
    /** Largest connection count one container made on this edge in one window while learning. */
    public long maxWindowConnections;
    /** Largest byte total one container moved on this edge in one window while learning. */
    public long maxWindowBytes;
    /** Welford moments of ln(1 + bytes per container-window) while learning. */
    public long windowSamples;
    public double logMean;
    public double logM2;
    /** Containers of the workload seen on this edge (saturating), for rarity across replicas. */
    public int containers;

    public EdgeStats() {
    }

    EdgeStats(long nowUs) {
        this.firstSeenUs = nowUs;
        this.lastSeenUs = nowUs;
    }

    void learnWindow(long connections, long windowBytes) {
        maxWindowConnections = Math.max(maxWindowConnections, connections);
        maxWindowBytes = Math.max(maxWindowBytes, windowBytes);
        double x = Math.log1p(windowBytes);
        windowSamples++;
        double d = x - logMean;
        logMean += d / windowSamples;
        logM2 += d * (x - logMean);
    }

    public double logStdDev() {
        return windowSamples < 2 ? 0 : Math.sqrt(logM2 / (windowSamples - 1));
    }
}
