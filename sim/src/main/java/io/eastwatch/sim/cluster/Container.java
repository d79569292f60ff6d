package io.eastwatch.sim.cluster;

import io.eastwatch.sim.wire.Nic;

/**
 * One container: identity as the inventory states it, where it runs, and when it lived.
 * Times are microseconds since the epoch; {@code stopUs} is {@link Long#MAX_VALUE} while running.
 */
public final class Container {
    private final String id;
    private final String name;
    private final Workload workload;
    private final String image;
    private final Host host;
    private final long startUs;
    private long stopUs = Long.MAX_VALUE;
    private Nic nic;
    private int nextPort;
    /** The port this container's process listens on: its workload's at the time it started (a deploy may move it). */
    private final int servicePort;
    /** A restart window (the process down, the address kept): connections are refused. */
    private long downFromUs = Long.MAX_VALUE;
    private long downToUs = Long.MAX_VALUE;
    private boolean evicted;

    Container(String id, Workload workload, String image, Host host, long startUs, int firstEphemeralPort) {
        this.id = id;
        this.workload = workload;
        this.name = workload.shortName() + "-" + id.substring(0, 8);
        this.image = image;
        this.host = host;
        this.startUs = startUs;
        this.nextPort = firstEphemeralPort;
        this.servicePort = workload.servicePort();
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Workload workload() {
        return workload;
    }

    public String image() {
        return image;
    }

    /** The port this replica serves on (its image version's; a rolling deploy may change it). */
    public int servicePort() {
        return servicePort;
    }

    public Host host() {
        return host;
    }

    public long startUs() {
        return startUs;
    }

    public long stopUs() {
        return stopUs;
    }

    void stopAt(long us) {
        if (us <= startUs) {
            throw new IllegalArgumentException("stop: " + us + " (expected: after start " + startUs + ")");
        }
        stopUs = us;
    }

    public Nic nic() {
        if (nic == null) {
            throw new IllegalStateException(name + ": no address assigned yet");
        }
        return nic;
    }

    void assign(Nic nic) {
        this.nic = nic;
    }

    public boolean aliveDuring(long fromUs, long toUs) {
        return startUs <= fromUs && toUs < stopUs;
    }

    /** Start of the restart window, or {@link Long#MAX_VALUE} if the container never restarts. */
    public long downFromUs() {
        return downFromUs;
    }

    public long downToUs() {
        return downToUs;
    }

    public boolean downAt(long us) {
        return us >= downFromUs && us < downToUs;
    }

    void restart(long fromUs, long toUs) {
        downFromUs = fromUs;
        downToUs = toUs;
    }

    /** Evicted by a node drain: its callers' endpoint lists still name it for a moment after it stopped. */
    public boolean evicted() {
        return evicted;
    }

    void evicted(boolean e) {
        evicted = e;
    }

    /** Linux picks ephemeral ports from 32768-60999; sequential with wrap is close enough. */
    public int ephemeralPort() {
        int p = nextPort++;
        if (nextPort > 60999) {
            nextPort = 32768;
        }
        return p;
    }

    @Override
    public String toString() {
        return name;
    }
}
