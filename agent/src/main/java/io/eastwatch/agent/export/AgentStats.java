package io.eastwatch.agent.export;

/**
 * The agent's health totals since start that heartbeats carry to the collector, read from the
 * stages that own them (capture, flow table, identity). Implementations must be safe to read from
 * the exporter thread while those stages update them; {@link AgentCounters} is the usual one.
 */
public interface AgentStats {

    long packetsCaptured();

    /** Packets the kernel dropped before the agent saw them (pcap statistics). */
    long packetsDroppedKernel();

    /** Packets the agent itself dropped (hand-off full, sampling, undecodable). */
    long packetsDroppedAgent();

    /** Flows sent with an endpoint marked unresolved. */
    long flowsUnresolved();

    /** Flows ended early because the flow table was full. */
    long flowsEvicted();

    /** True while the flow table runs with shorter timeouts because it is near full. */
    boolean emergency();

    /** For an exporter with nothing upstream (replaying records, tests): all zero. */
    AgentStats NONE = new AgentStats() {
        @Override
        public long packetsCaptured() {
            return 0;
        }

        @Override
        public long packetsDroppedKernel() {
            return 0;
        }

        @Override
        public long packetsDroppedAgent() {
            return 0;
        }

        @Override
        public long flowsUnresolved() {
            return 0;
        }

        @Override
        public long flowsEvicted() {
            return 0;
        }

        @Override
        public boolean emergency() {
            return false;
        }
    };
}
