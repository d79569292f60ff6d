package io.eastwatch.collector;

import io.eastwatch.collector.alert.IncidentSettings;
import io.eastwatch.collector.baseline.BaselineSettings;
import io.eastwatch.collector.coverage.HealthSettings;
import io.eastwatch.collector.detect.BruteForceSettings;
import io.eastwatch.collector.detect.NewEdgeSettings;
import io.eastwatch.collector.detect.ReplicaOutlierSettings;
import io.eastwatch.collector.detect.ScanSettings;
import io.eastwatch.collector.detect.VolumeSettings;
import java.time.Duration;
import java.util.Objects;

/** Every setting of the detection engine, one validated record per stage (defaults in each). */
public record CollectorSettings(
        BaselineSettings baseline,
        ScanSettings scan,
        NewEdgeSettings newEdge,
        BruteForceSettings bruteForce,
        VolumeSettings volume,
        ReplicaOutlierSettings replicaOutlier,
        IncidentSettings incidents,
        HealthSettings health) {

    public CollectorSettings {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(scan, "scan");
        Objects.requireNonNull(newEdge, "newEdge");
        Objects.requireNonNull(bruteForce, "bruteForce");
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(replicaOutlier, "replicaOutlier");
        Objects.requireNonNull(incidents, "incidents");
        Objects.requireNonNull(health, "health");
    }

    public static CollectorSettings defaults() {
        return new CollectorSettings(BaselineSettings.defaults(), ScanSettings.defaults(), NewEdgeSettings.defaults(),
                BruteForceSettings.defaults(), VolumeSettings.defaults(), ReplicaOutlierSettings.defaults(),
                IncidentSettings.defaults(), HealthSettings.defaults());
    }

    /** The same settings with another learning phase (replay's {@code --learn}). */
    public CollectorSettings withLearning(Duration learning) {
        return withBaseline(baseline.withLearningMicros(learning.toNanos() / 1_000L));
    }

    public CollectorSettings withBaseline(BaselineSettings b) {
        return new CollectorSettings(b, scan, newEdge, bruteForce, volume, replicaOutlier, incidents, health);
    }
}
