package io.eastwatch.collector.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Per agent, on one partition: the agent numbers the records it sends to each partition
 * (partition_sequence) and its heartbeats say the last number sent, so a jump means records were
 * lost between agent and collector.
 */
final class SequenceTracker {

    private static final int AGENT_LIMIT = 10_000;

    /** agent -> last partition_sequence seen (serializable through the snapshot). */
    final Map<String, Long> last = new HashMap<>();

    /** Records a flow's sequence; returns how many records are missing before it. */
    long onFlow(String agent, long sequence) {
        if (sequence <= 0) {
            return 0;
        }
        Long prev = last.get(agent);
        if (prev == null) {
            if (last.size() < AGENT_LIMIT) {
                last.put(agent, sequence);
            }
            return 0;
        }
        if (sequence <= prev) {
            // A restarted agent renumbers from 1, or a re-delivery: not a loss.
            if (sequence < prev / 2) {
                last.put(agent, sequence);
            }
            return 0;
        }
        last.put(agent, sequence);
        return sequence - prev - 1;
    }

    /** A heartbeat says the agent had sent up to {@code sequence} to this partition. */
    long onHeartbeat(String agent, long sequence) {
        Long prev = last.get(agent);
        if (prev == null || sequence <= prev) {
            if (prev == null && sequence > 0 && last.size() < AGENT_LIMIT) {
                last.put(agent, sequence);
            }
            return 0;
        }
        last.put(agent, sequence);
        return sequence - prev;
    }
}
