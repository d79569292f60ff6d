package io.eastwatch.collector.alert;

/**
 * How findings become alerts.
 *
 * @param idleMicros     an incident with no new evidence for this long (event time) is closed; the container's
 *                       next finding opens a new incident with a new id. Longer merges a slow attack's stages
 *                       into one alert; shorter splits them.
 * @param growthFactor   a stage is re-published when its headline count grew by this factor since it was last
 *                       published (or its severity rose). Lower gives fresher numbers and more revisions.
 * @param maxIncidents   open incidents kept; beyond it the oldest is closed (counted).
 */
public record IncidentSettings(long idleMicros, double growthFactor, int maxIncidents) {

    public IncidentSettings {
        if (idleMicros < 1_000_000L) {
            throw new IllegalArgumentException("idleMicros: " + idleMicros + " (expected: >= 1000000)");
        }
        if (!(growthFactor > 1)) {
            throw new IllegalArgumentException("growthFactor: " + growthFactor + " (expected: > 1)");
        }
        if (maxIncidents < 1) {
            throw new IllegalArgumentException("maxIncidents: " + maxIncidents + " (expected: > 0)");
        }
    }

    public static IncidentSettings defaults() {
        return new IncidentSettings(3_600_000_000L, 2.0, 100_000);
    }
}
