package io.eastwatch.collector.baseline;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One container's activity in the current window (connections and bytes per edge, distinct
 * destinations and ports, attempts and failures) and the destinations it has ever contacted
 * (bounded), which decides what counts as a first contact.
 */
public final class ContainerActivity {
    /** Sets stop growing here; the count saturates (a container this busy is noticed anyway). */
    public static final int SET_LIMIT = 8_192;

    public String containerId;
    public String workload;
    public String name;
    public String image;
    public String host;
    public String ip;
    public long firstSeenUs;
    public long lastSeenUs;
    public long window = Long.MIN_VALUE;
    /** edge key -> {connections, bytes, short-or-failed connections}. */
    public Map<String, long[]> edgeWindow = new HashMap<>();
    public Set<Long> windowDestinations = new HashSet<>();
    public Set<Integer> windowPorts = new HashSet<>();
    public long windowAttempts;
    public long windowFailures;
    public Set<Long> contacted = new HashSet<>();
    public boolean contactedSaturated;

    public ContainerActivity() {
    }

    /** Records a destination; true if the container never contacted it before. */
    public boolean firstContact(long destinationHash) {
        if (contacted.size() >= SET_LIMIT) {
            contactedSaturated = true;
            return !contacted.contains(destinationHash);
        }
        return contacted.add(destinationHash);
    }

    void resetWindow(long newWindow) {
        window = newWindow;
        edgeWindow.clear();
        windowDestinations.clear();
        windowPorts.clear();
        windowAttempts = 0;
        windowFailures = 0;
    }

    public double windowFailureRatio() {
        return windowAttempts == 0 ? 0 : (double) windowFailures / windowAttempts;
    }
}
