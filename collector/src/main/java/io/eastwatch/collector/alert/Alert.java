package io.eastwatch.collector.alert;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One alert: the JSON object of DESIGN.md's alert contract (webhook body, alerts-topic value, API
 * item). {@code id} is stable across updates and re-deliveries: one alert per (source container,
 * incident), updated as evidence grows; {@code revision} counts the updates. Fields beyond the
 * contract's ({@code revision}, {@code stages}, {@code coverage}, {@code updated_at}, {@code kind})
 * are additions; receivers ignore what they do not know.
 */
public record Alert(
        String id,
        String detector,
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
        String coverage,
        Kind kind) {

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(source, "source");
        targets = targets == null ? new Targets(0, List.of()) : targets;
        evidence = evidence == null ? Map.of() : evidence;
        mitre = mitre == null ? List.of() : List.copyOf(mitre);
        stages = stages == null ? List.of() : List.copyOf(stages);
        Objects.requireNonNull(summary, "summary");
        kind = kind == null ? Kind.DETECTION : kind;
    }

    public enum Severity {
        LOW, MEDIUM, HIGH, CRITICAL;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Severity parse(String s) {
            for (Severity v : values()) {
                if (v.json().equalsIgnoreCase(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("severity: " + s + " (expected: low, medium, high or critical)");
        }
    }

    /** A detection about a container, or a health alert about eastwatch's own coverage (a blind spot). */
    public enum Kind {
        DETECTION, HEALTH;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
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

    /** One step of an incident that escalated: e.g. port-scan, then new-lateral-edge, then brute-force. */
    public record Stage(String detector, Instant firstSeen, Severity severity, String summary) {
    }
}
