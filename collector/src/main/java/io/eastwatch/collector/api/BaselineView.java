package io.eastwatch.collector.api;

import java.util.List;
import java.util.Optional;

/** What the detection engine shows the API of its learned state (a consistent snapshot, cheap to read). */
public interface BaselineView {

    List<WorkloadSummary> workloads();

    /** The workload's baseline edges, or empty when the workload is unknown. */
    Optional<List<EdgeSummary>> baseline(String workload);

    record WorkloadSummary(String workload, String phase, int replicas, int edges, String firstSeen) {
    }

    record EdgeSummary(String peerWorkload, int port, String protocol, long connections, long bytes,
                       String firstSeen, String lastSeen, boolean approved) {
    }
}
