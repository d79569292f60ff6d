package io.eastwatch.agent.export;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link AgentStats} that the stages feed: capture adds packets, the flow table evictions and its
 * emergency state, identity unresolved flows. Kernel drops are a total read from pcap, so they are
 * set rather than added. Plain atomics: each stage writes from its own thread, the exporter reads.
 */
public final class AgentCounters implements AgentStats {

    private final AtomicLong packetsCaptured = new AtomicLong();
    private final AtomicLong packetsDroppedKernel = new AtomicLong();
    private final AtomicLong packetsDroppedAgent = new AtomicLong();
    private final AtomicLong flowsUnresolved = new AtomicLong();
    private final AtomicLong flowsEvicted = new AtomicLong();
    private volatile boolean emergency;

    public void addPacketsCaptured(long n) {
        packetsCaptured.addAndGet(n);
    }

    /** Sets the kernel drop total (pcap reports a running total per handle; the caller sums handles). */
    public void setPacketsDroppedKernel(long total) {
        packetsDroppedKernel.set(total);
    }

    public void addPacketsDroppedAgent(long n) {
        packetsDroppedAgent.addAndGet(n);
    }

    public void addFlowsUnresolved(long n) {
        flowsUnresolved.addAndGet(n);
    }

    public void addFlowsEvicted(long n) {
        flowsEvicted.addAndGet(n);
    }

    public void setEmergency(boolean on) {
        emergency = on;
    }

    @Override
    public long packetsCaptured() {
        return packetsCaptured.get();
    }

    @Override
    public long packetsDroppedKernel() {
        return packetsDroppedKernel.get();
    }

    @Override
    public long packetsDroppedAgent() {
        return packetsDroppedAgent.get();
    }

    @Override
    public long flowsUnresolved() {
        return flowsUnresolved.get();
    }

    @Override
    public long flowsEvicted() {
        return flowsEvicted.get();
    }

    @Override
    public boolean emergency() {
        return emergency;
    }
}
