package io.eastwatch.collector.ingest;

import com.google.protobuf.CodedOutputStream;
import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.WorkloadBaseline;
import io.eastwatch.flow.v1.DestinationSummary;
import io.eastwatch.flow.v1.ServedPorts;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes one flows partition's destination knowledge (the ports each workload served, the container
 * prefixes seen) as a {@link DestinationSummary} for the compacted destinations topic, key
 * {@code "<flows topic>/<partition>"}. The size is bounded before the message is built, from an
 * upper bound of each entry's encoded size, so the record always fits the topic.
 */
public final class DestinationSummaries {

    private DestinationSummaries() {
    }

    public static byte[] key(String flowsTopic, int partition) {
        return (flowsTopic + "/" + partition).getBytes(StandardCharsets.UTF_8);
    }

    /** The summary, or one marked truncated when the partition knows more than the limits allow. */
    public static DestinationSummary of(String flowsTopic, int partition, long offset, String collector, long nowUs,
                                        BaselineStore.State state, DestinationViewSettings limits) {
        DestinationSummary.Builder b = DestinationSummary.newBuilder().setFlowsTopic(flowsTopic).setPartition(partition)
                .setOffset(offset).setCollector(collector).setPublishedAtUs(nowUs);
        long budget = limits.maxSummaryBytes() - 64L - 3L * (flowsTopic.length() + collector.length());
        boolean truncated = false;
        int prefixes = 0;
        for (Long p : state.learnedPrefixes) {
            if (prefixes >= limits.maxPrefixes() || budget < 10) {
                truncated = true;
                break;
            }
            b.addContainerPrefixes(p);
            budget -= 10;
            prefixes++;
        }
        budget -= 6; // the packed field's tag and length
        int workloads = 0;
        for (Map.Entry<String, WorkloadBaseline> e : state.workloads.entrySet()) {
            java.util.Set<Integer> served = e.getValue().servedPorts;
            if (served.isEmpty()) {
                continue;
            }
            if (served.size() >= limits.maxPortsPerWorkload()) {
                // possibly more than the store could keep: part of its ports would make the rest look unserved
                truncated = true;
                continue;
            }
            int n = served.size();
            long cost = 12 + CodedOutputStream.computeStringSizeNoTag(e.getKey()) + 4L * n;
            if (workloads >= limits.maxWorkloads() || cost > budget) {
                truncated = true;
                break;
            }
            int[] ports = new int[served.size()];
            int i = 0;
            for (int p : served) {
                ports[i++] = p;
            }
            Arrays.sort(ports);
            ServedPorts.Builder s = ServedPorts.newBuilder().setWorkload(e.getKey());
            for (int j = 0; j < n; j++) {
                s.addPorts(ports[j]);
            }
            b.addServed(s);
            budget -= cost;
            workloads++;
        }
        return b.setTruncated(truncated).build();
    }
}
