package io.eastwatch.collector.baseline;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The baseline of one workload, shared by all its replicas (so a new replica inherits it): its
 * edges, the ports its own containers served, the images it ran, and the learned first-contact
 * success rate and per-window fan-out that the scan and replica detectors compare against.
 */
public final class WorkloadBaseline {
    public String name;
    public long firstSeenUs;
    /** End of this workload's learning (global learning end, or first seen + grace). */
    public long learningEndsUs;
    public Map<String, EdgeStats> edges = new HashMap<>();
    public boolean edgesOverflowed;
    /** Service ports (port << 8 | protocol) of the edges in this baseline, whatever the peer. */
    public Set<Integer> baselinePorts = new HashSet<>();
    /** Ports this workload's containers answered on: port << 8 | protocol. */
    public Set<Integer> servedPorts = new HashSet<>();
    /** Image -> event time it was first seen in this workload. */
    public Map<String, Long> images = new HashMap<>();
    /** First contacts to a destination new for the container, and how many succeeded, while learning. */
    public long firstContacts;
    public long firstContactSuccesses;
    /** Largest distinct-destination count of one container in one window while learning. */
    public long maxWindowFanout;
    public long maxWindowPorts;
    public double maxWindowFailureRatio;
    /** Replicas (containers) seen, saturating at a small bound: only used as "how many". */
    public Set<String> replicas = new HashSet<>();

    public WorkloadBaseline() {
    }

    WorkloadBaseline(String name, long firstSeenUs, long learningEndsUs) {
        this.name = name;
        this.firstSeenUs = firstSeenUs;
        this.learningEndsUs = learningEndsUs;
    }

    public boolean learning(long nowUs) {
        return nowUs < learningEndsUs;
    }

    public boolean served(int port, int protocol) {
        return servedPorts.contains(port << 8 | protocol);
    }

    /** Posterior mean of the benign first-contact success rate, Beta(prior) updated by learned contacts. */
    public double firstContactSuccessRate(double priorMean, double priorWeight) {
        return (firstContactSuccesses + priorMean * priorWeight) / (firstContacts + priorWeight);
    }

    public int edgeCount() {
        return edges.size();
    }

    // Not state (transient: not in snapshots): every replica closing the same window asks for the same key.
    private transient long windowKeyStart = Long.MIN_VALUE;
    private transient String windowKey;

    /** "name|windowStartUs", one instance per window rather than one concatenation per replica. */
    public String windowKey(long windowStartUs) {
        if (windowKey == null || windowKeyStart != windowStartUs) {
            windowKey = name + "|" + windowStartUs;
            windowKeyStart = windowStartUs;
        }
        return windowKey;
    }
}
