package io.eastwatch.collector.ingest;

import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.flow.v1.DestinationSummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Decides when an owned partition's destination summary is due and builds its record: at a commit,
 * at most once per publish interval, and only when the partition learned a served port or a
 * container prefix since its last summary, or changed hands (a restored partition re-asserts its
 * key). Consume thread only: it reads the engine between batches.
 */
public final class DestinationPublisher {

    private record Published(DetectionEngine engine, long version, long atNanos) {
    }

    private final String topic;
    private final String flowsTopic;
    private final String instance;
    private final DestinationViewSettings settings;
    private final Map<Integer, Published> last = new HashMap<>();
    private final Counter published;
    private final Counter truncated;

    public DestinationPublisher(String topic, String flowsTopic, String instance, DestinationViewSettings settings,
                                MeterRegistry registry) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.flowsTopic = Objects.requireNonNull(flowsTopic, "flowsTopic");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.published = Counter.builder("eastwatch.collector.destinations.summaries.published")
                .description("Partition summaries this collector wrote to the destinations topic").register(registry);
        this.truncated = DestinationView.overflow(registry, "summary");
    }

    /**
     * The partition's summary at {@code nextOffset} if one is due, else null. Send it in the transaction
     * that commits {@code nextOffset}, so it never runs ahead of the partition's committed state.
     */
    public ProducerRecord<byte[], byte[]> due(int partition, DetectionEngine engine, long nextOffset, long nowNanos) {
        Published p = last.get(partition);
        long version = engine.destinationVersion();
        if (p != null && p.engine() == engine && (p.version() == version
                || nowNanos - p.atNanos() < settings.publishIntervalMillis() * 1_000_000L)) {
            return null;
        }
        DestinationSummary s = DestinationSummaries.of(flowsTopic, partition, nextOffset, instance,
                System.currentTimeMillis() * 1000, engine.baselineState(), settings);
        if (s.getTruncated()) {
            truncated.increment();
        }
        last.put(partition, new Published(engine, version, nowNanos));
        published.increment();
        return new ProducerRecord<>(topic, DestinationSummaries.key(flowsTopic, partition), s.toByteArray());
    }

    /** Forgets partitions no longer owned (their next owner publishes them). */
    public void retain(java.util.Set<Integer> owned) {
        last.keySet().retainAll(owned);
    }
}
