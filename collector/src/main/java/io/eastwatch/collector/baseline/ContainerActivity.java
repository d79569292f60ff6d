package io.eastwatch.collector.baseline;

import java.util.HashMap;
import java.util.Map;

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
    /** Address hashes reached this window (primitive: touched on every flow, held for every container). */
    public LongHashSet windowDestinations = new LongHashSet();
    /** port << 8 | protocol used this window. */
    public LongHashSet windowPorts = new LongHashSet();
    public long windowAttempts;
    public long windowFailures;
    public LongHashSet contacted = new LongHashSet();
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
