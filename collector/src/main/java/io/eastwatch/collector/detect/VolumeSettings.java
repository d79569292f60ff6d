package io.eastwatch.collector.detect;

/**
 * Tunables of the volume (exfiltration) detector.
 *
 * @param minBytes       no edge alerts below this many bytes in one window, whatever its baseline. Lower catches
 *                       smaller thefts and flags more bursts of ordinary traffic.
 * @param baselineFactor the window's bytes must exceed this multiple of the most one container moved on the edge
 *                       in a learning window. Lower is more sensitive to growth of legitimate traffic.
 * @param logSigmas      ... and lie this many standard deviations above the mean of ln(1 + bytes) of learned
 *                       windows (when at least two were learned). Lower is more sensitive.
 */
public record VolumeSettings(long minBytes, double baselineFactor, double logSigmas) {

    public VolumeSettings {
        if (minBytes < 1) {
            throw new IllegalArgumentException("minBytes: " + minBytes + " (expected: > 0)");
        }
        if (!(baselineFactor >= 1)) {
            throw new IllegalArgumentException("baselineFactor: " + baselineFactor + " (expected: >= 1)");
        }
        if (!(logSigmas > 0)) {
            throw new IllegalArgumentException("logSigmas: " + logSigmas + " (expected: > 0)");
        }
    }

    public static VolumeSettings defaults() {
        return new VolumeSettings(10L << 20, 10, 4);
    }
}
