package io.eastwatch.collector.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted state topic: one record per flows partition (key {@code <flows topic>-<partition>}),
 * each the latest committed {@link PartitionSnapshot}. Read with read_committed, so only
 * snapshots whose transaction also committed their offsets are ever restored.
 */
public final class SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
    /** Largest snapshot (compressed) the producer and the state topic accept. */
    public static final int MAX_SNAPSHOT_BYTES = 64 << 20;

    private SnapshotStore() {
    }

    public static byte[] key(String flowsTopic, int partition) {
        return (flowsTopic + "-" + partition).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] encode(PartitionSnapshot s) {
        return EngineStateCodec.encode(s);
    }

    /** The latest snapshot of each wanted partition (missing ones have none yet). */
    public static Map<Integer, PartitionSnapshot> load(IngestSettings ingest, Set<Integer> wanted, IngestMetrics metrics) {
        return load(ingest, wanted, metrics, Map.of());
    }

    /** With the collector's TLS / SASL client properties ({@code kafka.security}). */
    public static Map<Integer, PartitionSnapshot> load(IngestSettings ingest, Set<Integer> wanted, IngestMetrics metrics,
                                                       Map<String, Object> clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ingest.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_SNAPSHOT_BYTES));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(MAX_SNAPSHOT_BYTES));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, Integer> keys = new HashMap<>();
        for (int w : wanted) {
            keys.put(new String(key(ingest.flowsTopic(), w), StandardCharsets.UTF_8), w);
        }
        Map<Integer, byte[]> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<PartitionInfo> infos = c.partitionsFor(ingest.stateTopic(), Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return Map.of();
            }
            List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Integer partition = r.key() == null ? null : keys.get(new String(r.key(), StandardCharsets.UTF_8));
                    if (partition != null) {
                        latest.put(partition, r.value());
                    }
                }
            }
        }
        Map<Integer, PartitionSnapshot> out = new HashMap<>();
        for (Map.Entry<Integer, byte[]> e : latest.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            try {
                out.put(e.getKey(), EngineStateCodec.decode(e.getValue()));
            } catch (IOException | RuntimeException ex) {
                // A snapshot this version cannot read: relearn rather than refuse to run.
                metrics.dlq("snapshot").increment();
                LOG.error("snapshot of partition {} is unreadable; that partition relearns", e.getKey(), ex);
            }
        }
        return out;
    }
}
