package io.eastwatch.sim.eval;

import java.util.List;

/**
 * How one real capture went. {@code flagged}: the actor was named by a baseline-free detection
 * (port-scan or brute-force, as the alert's detector or one of its stages). {@code falsePositives}:
 * such detections naming any other address. {@code otherAlerts}: baseline-dependent alerts
 * (new edge, volume, replica outlier), which a capture without history cannot support; listed, not scored.
 */
public record CaptureScore(RealCapture capture, boolean flagged, List<String> detectors, int falsePositives,
        List<String> falsePositiveSamples, int otherAlerts, long flows) {

    /** Whether the capture met its ground truth (always true for rows that are only reported). */
    public boolean pass() {
        return switch (capture.kind()) {
            case SCAN, BRUTEFORCE -> flagged;
            case NEGATIVE -> !flagged && falsePositives == 0;
            case LATERAL, L2 -> true;
        };
    }
}
