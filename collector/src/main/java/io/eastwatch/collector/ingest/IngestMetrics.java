package io.eastwatch.collector.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Ingest counters shared by every partition's pipeline (reasons are a small fixed set). */
public final class IngestMetrics {
    final Counter ingested;
    final Counter heartbeats;
    final Counter duplicates;
    final Counter sequenceGaps;
    private final MeterRegistry registry;
    private final Map<String, Counter> dlq = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        ingested = Counter.builder("eastwatch.collector.flows.ingested")
                .description("Flow records accepted from the flows topic").register(registry);
        heartbeats = Counter.builder("eastwatch.collector.heartbeats")
                .description("Agent heartbeats read from the flows topic").register(registry);
        duplicates = Counter.builder("eastwatch.collector.flows.duplicate")
                .description("Flow reports dropped because another host's agent reported the same flow").register(registry);
        sequenceGaps = Counter.builder("eastwatch.collector.sequence.gaps")
                .description("Records missing between an agent and this collector (partition_sequence jumps)")
                .register(registry);
        for (String reason : new String[] {"decode", "empty", "no-agent", "timestamps", "address", "port", "protocol",
                "counters", "unknown-type"}) {
            dlq(reason);
        }
    }

    Counter dlq(String reason) {
        return dlq.computeIfAbsent(reason, r -> Counter.builder("eastwatch.collector.records.dead_letter").tag("reason", r)
                .description("Records sent to the dead-letter topic, by reason").register(registry));
    }
}
