package io.eastwatch.collector;

import io.eastwatch.collector.api.BaselineView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The API's view of the baselines this collector holds (copied on the consume thread every 2 s). */
public final class CollectorBaselineView implements BaselineView {
    private final CollectorApp app;

    public CollectorBaselineView(CollectorApp app) {
        this.app = app;
    }

    @Override
    public List<WorkloadSummary> workloads() {
        List<WorkloadSummary> out = new ArrayList<>();
        for (DetectionEngine.BaselineCopy b : app.baselines()) {
            out.add(new WorkloadSummary(b.workload(), b.phase(), b.replicas(), b.edges().size(), time(b.firstSeenUs())));
        }
        out.sort(java.util.Comparator.comparing(WorkloadSummary::workload));
        return out;
    }

    @Override
    public Optional<List<EdgeSummary>> baseline(String workload) {
        for (DetectionEngine.BaselineCopy b : app.baselines()) {
            if (b.workload().equals(workload)) {
                List<EdgeSummary> edges = new ArrayList<>();
                for (DetectionEngine.EdgeCopy e : b.edges()) {
                    boolean approved = app.approvedEdges().stream()
                            .anyMatch(a -> a.matches(workload, e.peer(), e.port(), e.protocol()));
                    edges.add(new EdgeSummary(e.peer(), e.port(), protocol(e.protocol()), e.flows(), e.bytes(),
                            time(e.firstSeenUs()), time(e.lastSeenUs()), approved));
                }
                edges.sort(java.util.Comparator.comparing(EdgeSummary::peerWorkload).thenComparing(EdgeSummary::port));
                return Optional.of(edges);
            }
        }
        return Optional.empty();
    }

    private static String protocol(int p) {
        return switch (p) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> Integer.toString(p);
        };
    }

    private static String time(long us) {
        return us <= 0 || us == Long.MIN_VALUE ? null : Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1000).toString();
    }
}
