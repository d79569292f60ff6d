package io.eastwatch.collector.ingest;

/**
 * How the collector reads Kafka and checkpoints.
 *
 * @param bootstrapServers     Kafka bootstrap servers.
 * @param groupId              consumer group shared by all collectors (they split the partitions).
 * @param flowsTopic           flow records and heartbeats, keyed by source workload.
 * @param alertsTopic          alerts out, keyed by alert id.
 * @param deadLetterTopic      records that cannot be decoded or make no sense.
 * @param stateTopic           compacted topic of partition snapshots.
 * @param instanceId           stable per collector instance; names its transactional producer so a restarted
 *                             instance fences its predecessor's unfinished transaction.
 * @param commitIntervalMillis alerts, snapshots and offsets are committed together in one transaction this often.
 *                             Shorter publishes alerts sooner (they are visible on commit) but writes snapshots
 *                             more often; longer replays more after a crash.
 * @param dedupeToleranceMicros two agents' reports of one flow start within this clock skew. Larger merges more
 *                             distinct short flows on the same 5-tuple; smaller double-counts skewed hosts.
 * @param dedupeCapacity       flows remembered for de-duplication per partition (memory up to ~56 B each, in
 *                             primitive arrays that grow with use).
 * @param processingThreads    threads that run the owned partitions' pipelines in parallel (the consume thread is
 *                             one of them; a partition is on one thread at a time). More uses more cores, up to one
 *                             per owned partition; 1 runs everything on the consume thread.
 */
public record IngestSettings(
        String bootstrapServers,
        String groupId,
        String flowsTopic,
        String alertsTopic,
        String deadLetterTopic,
        String stateTopic,
        String instanceId,
        long commitIntervalMillis,
        long dedupeToleranceMicros,
        int dedupeCapacity,
        int processingThreads) {

    /** Threads by default: one per core, at most 8 (beyond that, run more collectors in the group). */
    public static final int DEFAULT_PROCESSING_THREADS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));

    public IngestSettings(String bootstrapServers, String groupId, String flowsTopic, String alertsTopic,
                          String deadLetterTopic, String stateTopic, String instanceId, long commitIntervalMillis,
                          long dedupeToleranceMicros, int dedupeCapacity) {
        this(bootstrapServers, groupId, flowsTopic, alertsTopic, deadLetterTopic, stateTopic, instanceId,
                commitIntervalMillis, dedupeToleranceMicros, dedupeCapacity, DEFAULT_PROCESSING_THREADS);
    }

    public IngestSettings {
        requireText("bootstrapServers", bootstrapServers);
        requireText("groupId", groupId);
        requireText("flowsTopic", flowsTopic);
        requireText("alertsTopic", alertsTopic);
        requireText("deadLetterTopic", deadLetterTopic);
        requireText("stateTopic", stateTopic);
        requireText("instanceId", instanceId);
        if (commitIntervalMillis < 10) {
            throw new IllegalArgumentException("commitIntervalMillis: " + commitIntervalMillis + " (expected: >= 10)");
        }
        if (dedupeToleranceMicros < 0) {
            throw new IllegalArgumentException("dedupeToleranceMicros: " + dedupeToleranceMicros + " (expected: >= 0)");
        }
        if (dedupeCapacity < 1 || dedupeCapacity > 100_000_000) {
            throw new IllegalArgumentException("dedupeCapacity: " + dedupeCapacity + " (expected: 1..100000000)");
        }
        if (processingThreads < 1 || processingThreads > 256) {
            throw new IllegalArgumentException("processingThreads: " + processingThreads + " (expected: 1..256)");
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: non-empty)");
        }
    }

    public static IngestSettings defaults(String bootstrapServers, String instanceId) {
        return new IngestSettings(bootstrapServers, "eastwatch-collector", "eastwatch.flows", "eastwatch.alerts",
                "eastwatch.flows.dlq", "eastwatch.collector.state", instanceId, 500, 1_000_000L, 200_000);
    }

    public IngestSettings withCommitIntervalMillis(long ms) {
        return new IngestSettings(bootstrapServers, groupId, flowsTopic, alertsTopic, deadLetterTopic, stateTopic,
                instanceId, ms, dedupeToleranceMicros, dedupeCapacity, processingThreads);
    }

    public IngestSettings withProcessingThreads(int threads) {
        return new IngestSettings(bootstrapServers, groupId, flowsTopic, alertsTopic, deadLetterTopic, stateTopic,
                instanceId, commitIntervalMillis, dedupeToleranceMicros, dedupeCapacity, threads);
    }
}
