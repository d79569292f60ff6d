package io.eastwatch.sim.cluster;

import io.eastwatch.sim.wire.Nic;
import java.util.ArrayDeque;

/**
 * A container host: its own address, and the /22 of pod addresses it hands out. Freed addresses
 * are handed out again first (after a short quarantine), as host-local IPAM does, which is how
 * one workload's old address ends up on another workload's new container.
 */
public final class Host {
    /** Pod block of host {@code i}: 10.128.0.0 + 1024 i, a /22. */
    static final int POD_BASE = Nic.ipv4(10, 128, 0, 0);
    static final int BLOCK = 1024;

    private final String name;
    private final int index;
    private final Nic nic;
    private int nextFresh = 2;
    /** Freed addresses with the time they were freed, oldest first. */
    private final ArrayDeque<long[]> freed = new ArrayDeque<>();

    Host(int index) {
        this.index = index;
        this.name = String.format("node-%02d", index);
        this.nic = Nic.host(Nic.ipv4(10, 1, 0, 10 + index));
    }

    public String name() {
        return name;
    }

    public int index() {
        return index;
    }

    public Nic nic() {
        return nic;
    }

    public int podBlockStart() {
        return POD_BASE + index * BLOCK;
    }

    /** Highest address handed out so far (exclusive), for the darknet around live pods. */
    public int podBlockUsedEnd() {
        return podBlockStart() + nextFresh;
    }

    int allocate(long nowUs, long quarantineUs) {
        long[] head = freed.peekFirst();
        if (head != null && nowUs - head[1] >= quarantineUs) {
            freed.pollFirst();
            return (int) head[0];
        }
        if (nextFresh >= BLOCK - 1) {
            throw new IllegalStateException(name + ": pod block exhausted (" + BLOCK + " addresses)");
        }
        return podBlockStart() + nextFresh++;
    }

    void release(int ip, long nowUs) {
        freed.addLast(new long[] {ip, nowUs});
    }
}
