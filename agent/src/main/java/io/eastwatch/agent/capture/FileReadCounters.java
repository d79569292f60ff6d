package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/**
 * Per-read error tally of a capture file reader, mirrored into Micrometer counters tagged by
 * reason. Counting goes through primitive arrays so the rare error path stays cheap too.
 */
final class FileReadCounters {
    static final String ERRORS_METRIC = "eastwatch.agent.capture.file.errors";
    static final String PACKETS_METRIC = "eastwatch.agent.capture.file.packets";

    private static final CaptureFileError[] REASONS = CaptureFileError.values();

    private final Counter[] errorCounters = new Counter[REASONS.length];
    private final Counter packetsCounter;
    private final long[] errors = new long[REASONS.length];
    long delivered;
    long skipped;
    long bytes;

    FileReadCounters(MeterRegistry registry) {
        for (CaptureFileError reason : REASONS) {
            errorCounters[reason.ordinal()] = Counter.builder(ERRORS_METRIC)
                    .description("Capture file content that could not be delivered as-is, by reason")
                    .tag("reason", reason.tag())
                    .register(registry);
        }
        packetsCounter = Counter.builder(PACKETS_METRIC)
                .description("Packets delivered from capture files")
                .register(registry);
    }

    void error(CaptureFileError reason) {
        errors[reason.ordinal()]++;
        errorCounters[reason.ordinal()].increment();
    }

    /** Publishes the delivered packet count (done in bulk, not per packet). */
    void publishPackets(long newlyDelivered) {
        packetsCounter.increment(newlyDelivered);
    }

    FileReadStats snapshot(String format) {
        Map<CaptureFileError, Long> map = new EnumMap<>(CaptureFileError.class);
        for (CaptureFileError reason : REASONS) {
            if (errors[reason.ordinal()] != 0) {
                map.put(reason, errors[reason.ordinal()]);
            }
        }
        return new FileReadStats(format, delivered, skipped, bytes, map);
    }
}
