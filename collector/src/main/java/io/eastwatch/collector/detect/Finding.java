package io.eastwatch.collector.detect;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one detector concluded about one suspect, with the numbers behind it. The alert stage turns
 * findings into incidents: one per suspect, escalating across detectors, updated as
 * {@code magnitude} (the detector's headline count: probes, attempts, bytes...) grows.
 *
 * @param firstSeenUs event time of the first piece of evidence
 * @param decidedUs   event time of the flow (or watermark) that produced this finding
 */
public record Finding(
        String detector,
        boolean health,
        Suspect suspect,
        Severity severity,
        double score,
        List<String> mitre,
        Map<String, Object> evidence,
        int targetCount,
        List<Target> targets,
        String summary,
        long firstSeenUs,
        long decidedUs,
        long magnitude) {

    public Finding {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(suspect, "suspect");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        mitre = List.copyOf(mitre);
        targets = List.copyOf(targets);
        if (score < 0 || score > 1) {
            throw new IllegalArgumentException("score: " + score + " (expected: 0..1)");
        }
    }

    /** One target of the suspect: address, port (null for ICMP), workload (null if not a container). */
    public record Target(String ip, Integer port, String workload) {
    }
}
