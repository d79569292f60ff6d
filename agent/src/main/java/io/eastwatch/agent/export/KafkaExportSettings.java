package io.eastwatch.agent.export;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Settings of {@link KafkaFlowExporter}.
 *
 * @param bootstrapServers   Kafka {@code host:port} list
 * @param topic              flows topic (default {@code eastwatch.flows}); heartbeats go to every partition of it
 * @param agentId            this agent's id, stamped on every record and the key of its heartbeats
 * @param host               this container host's name, stamped on every record
 * @param stateDir           where record numbering is kept across restarts
 * @param spoolDir           where records wait while Kafka is away
 * @param spoolMaxBytes      disk the spool may use; when full, new records are dropped and counted.
 *                           Raising it rides out longer Kafka outages at the cost of disk.
 * @param spoolSegmentBytes  spool file size; delivered records are freed a whole file at a time, so
 *                           larger segments hold delivered data longer, smaller ones mean more files
 * @param handoffCapacity    flows waiting between the flow table and the exporter thread; when full,
 *                           flows are dropped and counted (the capture path never waits). Raising it
 *                           absorbs longer bursts at about 1 KB of heap per slot in use.
 * @param maxInFlightRecords records handed to the producer and not yet acknowledged; beyond it new
 *                           records go to the spool. Raising it allows more throughput per round
 *                           trip; all of them are held in memory until acknowledged.
 * @param maxInFlightBytes   the same limit in bytes; the producer's buffer is sized at twice this, so
 *                           the producer never blocks
 * @param stallTimeout       Kafka counts as unreachable once the oldest unacknowledged record is this
 *                           old; shorter reacts faster to an outage, but a slow broker then sends
 *                           records through the spool (disk writes) more often
 * @param retryBackoff       pause after a failure before the exporter tries Kafka again
 * @param heartbeatInterval  heartbeat period (wall clock); shorter lets an idle agent's watermark and
 *                           health reach the collector sooner, at one record per partition per tick
 * @param linger             time the producer waits to fill a batch: more latency, fewer requests
 * @param batchBytes         producer batch size per partition
 * @param compression        {@code lz4} (cheap on the host's CPU), {@code zstd} (smaller), {@code gzip},
 *                           {@code snappy} or {@code none}
 * @param deliveryTimeout    how long the producer retries an accepted record before giving up on it;
 *                           within it, retries are de-duplicated by the broker (idempotence), after it
 *                           the record is spooled again and may then arrive twice. Long by default.
 * @param requestTimeout     how long one produce request may take before the producer retries it
 * @param closeTimeout       on shutdown, how long to wait for Kafka to acknowledge what is in flight
 *                           before spooling it for the next start
 * @param sequenceBlock      record numbers reserved per write of the state file: larger means fewer
 *                           writes, but a bigger numbering gap after a crash
 */
public record KafkaExportSettings(
        String bootstrapServers,
        String topic,
        String agentId,
        String host,
        Path stateDir,
        Path spoolDir,
        long spoolMaxBytes,
        long spoolSegmentBytes,
        int handoffCapacity,
        int maxInFlightRecords,
        long maxInFlightBytes,
        Duration stallTimeout,
        Duration retryBackoff,
        Duration heartbeatInterval,
        Duration linger,
        int batchBytes,
        String compression,
        Duration deliveryTimeout,
        Duration requestTimeout,
        Duration closeTimeout,
        long sequenceBlock) {

    public static final String DEFAULT_TOPIC = "eastwatch.flows";
    private static final Set<String> COMPRESSIONS = Set.of("lz4", "zstd", "gzip", "snappy", "none");

    public KafkaExportSettings {
        requireText("bootstrapServers", bootstrapServers);
        requireText("topic", topic);
        requireText("agentId", agentId);
        requireText("host", host);
        if (stateDir == null) {
            throw new IllegalArgumentException("stateDir: null (expected: a directory path)");
        }
        if (spoolDir == null) {
            throw new IllegalArgumentException("spoolDir: null (expected: a directory path)");
        }
        if (spoolSegmentBytes < 4096) {
            throw new IllegalArgumentException("spoolSegmentBytes: " + spoolSegmentBytes + " (expected: >= 4096)");
        }
        if (spoolMaxBytes < spoolSegmentBytes) {
            throw new IllegalArgumentException("spoolMaxBytes: " + spoolMaxBytes + " (expected: >= spoolSegmentBytes "
                + spoolSegmentBytes + ")");
        }
        positive("handoffCapacity", handoffCapacity);
        positive("maxInFlightRecords", maxInFlightRecords);
        if (maxInFlightBytes < 65536) {
            throw new IllegalArgumentException("maxInFlightBytes: " + maxInFlightBytes + " (expected: >= 65536)");
        }
        positive("stallTimeout", stallTimeout);
        positive("retryBackoff", retryBackoff);
        positive("heartbeatInterval", heartbeatInterval);
        if (linger == null || linger.isNegative()) {
            throw new IllegalArgumentException("linger: " + linger + " (expected: >= 0)");
        }
        positive("batchBytes", batchBytes);
        if (compression == null || !COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("compression: " + compression + " (expected: one of lz4, zstd, gzip, snappy, none)");
        }
        positive("requestTimeout", requestTimeout);
        positive("deliveryTimeout", deliveryTimeout);
        if (deliveryTimeout.compareTo(requestTimeout.plus(linger)) < 0) {
            throw new IllegalArgumentException("deliveryTimeout: " + deliveryTimeout
                + " (expected: >= requestTimeout + linger = " + requestTimeout.plus(linger) + ")");
        }
        positive("closeTimeout", closeTimeout);
        if (sequenceBlock < 1) {
            throw new IllegalArgumentException("sequenceBlock: " + sequenceBlock + " (expected: >= 1)");
        }
    }

    /** Defaults for everything but where Kafka is, who this agent is and where it keeps state. */
    public static KafkaExportSettings defaults(String bootstrapServers, String agentId, String host, Path stateDir) {
        return new KafkaExportSettings(bootstrapServers, DEFAULT_TOPIC, agentId, host, stateDir,
            stateDir.resolve("spool"), 1L << 30, 64L << 20, 65536, 20_000, 8L << 20,
            Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(20),
            256 * 1024, "lz4", Duration.ofMinutes(10), Duration.ofSeconds(15), Duration.ofSeconds(10), 4096);
    }

    public KafkaExportSettings withTopic(String t) {
        return new KafkaExportSettings(bootstrapServers, t, agentId, host, stateDir, spoolDir, spoolMaxBytes,
            spoolSegmentBytes, handoffCapacity, maxInFlightRecords, maxInFlightBytes, stallTimeout, retryBackoff,
            heartbeatInterval, linger, batchBytes, compression, deliveryTimeout, requestTimeout, closeTimeout, sequenceBlock);
    }

    public KafkaExportSettings withSpool(long maxBytes, long segmentBytes) {
        return new KafkaExportSettings(bootstrapServers, topic, agentId, host, stateDir, spoolDir, maxBytes,
            segmentBytes, handoffCapacity, maxInFlightRecords, maxInFlightBytes, stallTimeout, retryBackoff,
            heartbeatInterval, linger, batchBytes, compression, deliveryTimeout, requestTimeout, closeTimeout, sequenceBlock);
    }

    public KafkaExportSettings withTimings(Duration stall, Duration backoff, Duration heartbeat, Duration close) {
        return new KafkaExportSettings(bootstrapServers, topic, agentId, host, stateDir, spoolDir, spoolMaxBytes,
            spoolSegmentBytes, handoffCapacity, maxInFlightRecords, maxInFlightBytes, stall, backoff,
            heartbeat, linger, batchBytes, compression, deliveryTimeout, requestTimeout, close, sequenceBlock);
    }

    public KafkaExportSettings withSequenceBlock(long block) {
        return new KafkaExportSettings(bootstrapServers, topic, agentId, host, stateDir, spoolDir, spoolMaxBytes,
            spoolSegmentBytes, handoffCapacity, maxInFlightRecords, maxInFlightBytes, stallTimeout, retryBackoff,
            heartbeatInterval, linger, batchBytes, compression, deliveryTimeout, requestTimeout, closeTimeout, block);
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": " + (value == null ? "null" : "\"" + value + "\"")
                + " (expected: non-empty)");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
