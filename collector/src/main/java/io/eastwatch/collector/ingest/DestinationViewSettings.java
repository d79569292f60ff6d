package io.eastwatch.collector.ingest;

/**
 * Limits of the group's destination view (see {@link DestinationView}) and how often a collector
 * publishes its partitions' summaries.
 *
 * @param publishIntervalMillis a partition's summary is published at a transaction commit at most this
 *                              often, and only when it learned something. Shorter spreads new knowledge
 *                              sooner; longer writes less (each summary carries the partition's whole set).
 * @param maxPartitions         partitions' summaries kept (one per flows partition). Beyond it new partitions
 *                              are counted and left out. Raising costs up to maxSummaryBytes of heap each.
 * @param maxWorkloads          destination workloads kept per summary, published or read. Lower loses the
 *                              "never served" evidence for the workloads left out (never a false one).
 * @param maxPortsPerWorkload   served ports kept per workload and summary. Lower means a workload serving more
 *                              ports may look as if it never served one it does: keep it at least the
 *                              baseline's maxServedPorts.
 * @param maxPrefixes           container address prefixes kept per summary. Lower loses darknet evidence for the
 *                              prefixes left out.
 * @param maxSummaryBytes       largest summary written: it must fit the topic's max.message.bytes (the broker's
 *                              default is about 1 MiB), or the transaction holding it fails. A partition knowing
 *                              more is published truncated (counted).
 */
public record DestinationViewSettings(
        long publishIntervalMillis,
        int maxPartitions,
        int maxWorkloads,
        int maxPortsPerWorkload,
        int maxPrefixes,
        int maxSummaryBytes) {

    public DestinationViewSettings {
        if (publishIntervalMillis < 0) {
            throw new IllegalArgumentException("publishIntervalMillis: " + publishIntervalMillis + " (expected: >= 0)");
        }
        if (maxPartitions < 1) {
            throw new IllegalArgumentException("maxPartitions: " + maxPartitions + " (expected: > 0)");
        }
        if (maxWorkloads < 1) {
            throw new IllegalArgumentException("maxWorkloads: " + maxWorkloads + " (expected: > 0)");
        }
        if (maxPortsPerWorkload < 1) {
            throw new IllegalArgumentException("maxPortsPerWorkload: " + maxPortsPerWorkload + " (expected: > 0)");
        }
        if (maxPrefixes < 1) {
            throw new IllegalArgumentException("maxPrefixes: " + maxPrefixes + " (expected: > 0)");
        }
        if (maxSummaryBytes < 1024) {
            throw new IllegalArgumentException("maxSummaryBytes: " + maxSummaryBytes + " (expected: >= 1024)");
        }
    }

    public static DestinationViewSettings defaults() {
        return new DestinationViewSettings(5_000, 1_024, 50_000, 256, 65_536, 900_000);
    }

    public DestinationViewSettings withPublishIntervalMillis(long ms) {
        return new DestinationViewSettings(ms, maxPartitions, maxWorkloads, maxPortsPerWorkload, maxPrefixes,
                maxSummaryBytes);
    }
}
