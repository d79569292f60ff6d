package io.eastwatch.collector.alert;

import io.eastwatch.collector.coverage.Coverage;
import io.eastwatch.collector.detect.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One alert: the JSON object of DESIGN.md's alert contract (webhook body, alerts-topic value, API
 * item). {@code id} is stable across updates and re-deliveries: one alert per (source container,
 * incident), derived from the container, the detector that opened the incident and the incident's
 * start (event time), so a restarted or failed-over collector derives the same id; {@code revision}
 * counts the updates as evidence grows and detectors add {@code stages}. Fields beyond the
 * contract's ({@code kind}, {@code revision}, {@code stages}, {@code coverage}) are additions;
 * receivers ignore what they do not know.
 */
public record Alert(
        String id,
        String detector,
        Kind kind,
        Severity severity,
        double score,
        Instant firstSeen,
        Instant detectedAt,
        Source source,
        Targets targets,
        Map<String, Object> evidence,
        List<String> mitre,
        String summary,
        int revision,
        List<Stage> stages,
        Coverage coverage) {

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(summary, "summary");
        kind = kind == null ? Kind.DETECTION : kind;
        targets = targets == null ? new Targets(0, List.of()) : targets;
        evidence = evidence == null ? Map.of() : evidence;
        mitre = mitre == null ? List.of() : List.copyOf(mitre);
        stages = stages == null ? List.of() : List.copyOf(stages);
    }

    /** A detection about a container, or a health alert about eastwatch's own coverage (a blind spot). */
    public enum Kind {
        DETECTION, HEALTH
    }

    /** The rogue container (or, for a health alert, the host whose agent went blind). */
    public record Source(String containerId, String name, String workload, String image, String host, String ip) {
    }

    public record Target(String ip, Integer port, String workload) {
    }

    public record Targets(int count, List<Target> sample) {
        public Targets {
            sample = sample == null ? List.of() : List.copyOf(sample);
        }
    }

    /**
     * One step of an incident that escalated (e.g. port-scan, then new-lateral-edge, then
     * brute-force), and the alert of one (source container, detector): {@code id} is stable for
     * that pair within the incident and {@code revision} counts that detector's own updates, so a
     * receiver that wants one alert per (container, detector) keys on the stage.
     */
    public record Stage(String id, String detector, int revision, Instant firstSeen, Instant detectedAt,
                        Severity severity, double score, List<String> mitre, String summary,
                        Map<String, Object> evidence) {
    }
}
