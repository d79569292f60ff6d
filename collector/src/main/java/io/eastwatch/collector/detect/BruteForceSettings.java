package io.eastwatch.collector.detect;

/**
 * Tunables of the brute-force detector.
 *
 * @param windowMicros      attempts are counted per source and service over this window (event time). Longer
 *                          catches slow guessing (ncrack -T sneaky) but lets a busy legitimate client pile up.
 * @param minAttempts       fewest short or failed connections in a window that can be brute force. Lower catches
 *                          shorter attacks (a handful of SSH sessions) and risks flagging retries.
 * @param baselineFactor    on a known edge the window count must also exceed this multiple of the most any
 *                          container of the workload made in a baseline window (scaled to this window). Lower is
 *                          more sensitive on chatty edges.
 * @param shortMicros       a connection lasting at most this long counts as short (an authentication attempt).
 * @param shortBytes        ... and moving at most this many bytes both ways.
 * @param minShortFraction  fraction of the window's attempts that must be short or failed. Lower flags services
 *                          used with short sessions normally; higher misses guessers that keep sessions open.
 * @param maxKeys           (source, service) pairs tracked; the least recent is evicted beyond it.
 */
public record BruteForceSettings(
        long windowMicros,
        int minAttempts,
        double baselineFactor,
        long shortMicros,
        long shortBytes,
        double minShortFraction,
        int maxKeys) {

    public BruteForceSettings {
        if (windowMicros < 1_000_000L) {
            throw new IllegalArgumentException("windowMicros: " + windowMicros + " (expected: >= 1000000)");
        }
        if (minAttempts < 2) {
            throw new IllegalArgumentException("minAttempts: " + minAttempts + " (expected: >= 2)");
        }
        if (!(baselineFactor >= 1)) {
            throw new IllegalArgumentException("baselineFactor: " + baselineFactor + " (expected: >= 1)");
        }
        if (shortMicros < 1) {
            throw new IllegalArgumentException("shortMicros: " + shortMicros + " (expected: > 0)");
        }
        if (shortBytes < 1) {
            throw new IllegalArgumentException("shortBytes: " + shortBytes + " (expected: > 0)");
        }
        if (!(minShortFraction > 0 && minShortFraction <= 1)) {
            throw new IllegalArgumentException("minShortFraction: " + minShortFraction + " (expected: 0 < f <= 1)");
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: > 0)");
        }
    }

    public static BruteForceSettings defaults() {
        return new BruteForceSettings(600_000_000L, 6, 3.0, 30_000_000L, 65_536, 0.8, 200_000);
    }
}
