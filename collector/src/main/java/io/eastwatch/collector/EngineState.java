package io.eastwatch.collector;

import io.eastwatch.collector.alert.IncidentTracker;
import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.coverage.CoverageMonitor;
import io.eastwatch.collector.detect.BruteForceDetector;
import io.eastwatch.collector.detect.NewEdgeDetector;
import io.eastwatch.collector.detect.ReplicaOutlierDetector;
import io.eastwatch.collector.detect.ScanDetector;
import io.eastwatch.collector.detect.VolumeDetector;

/**
 * The state of one {@link DetectionEngine}: baselines, detector state and open incidents. Written
 * as JSON (see {@link EngineStateCodec}) to the compacted state topic so a restarted collector or
 * the one that takes over a partition resumes without relearning and without re-alerting.
 */
public final class EngineState {
    public int version = 1;
    public long newestUs;
    public long watermarkUs;
    public BaselineStore.State baseline;
    public ScanDetector.State scan;
    public NewEdgeDetector.State newEdge;
    public BruteForceDetector.State bruteForce;
    public VolumeDetector.State volume;
    public ReplicaOutlierDetector.State replicaOutlier;
    public CoverageMonitor.State coverage;
    public IncidentTracker.State incidents;
}
