package io.eastwatch.collector.ingest;

import io.eastwatch.flow.v1.FlowRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A flow between containers on two hosts is captured by both hosts' agents. The copies share the
 * Community ID (a hash of the 5-tuple) and start within clock skew of each other; the first agent
 * to report a (Community ID, start) owns the flow and the other agent's reports of it are dropped.
 * Bounded LRU: an evicted entry only risks counting a copy twice.
 */
final class FlowDeduplicator {

    private static final class Owner {
        final String agent;
        final long firstUs;

        Owner(String agent, long firstUs) {
            this.agent = agent;
            this.firstUs = firstUs;
        }
    }

    private final long toleranceUs;
    private final int capacity;
    private final LinkedHashMap<String, Owner> owners;

    FlowDeduplicator(long toleranceUs, int capacity) {
        this.toleranceUs = toleranceUs;
        this.capacity = capacity;
        this.owners = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Owner> eldest) {
                return size() > FlowDeduplicator.this.capacity;
            }
        };
    }

    /** True if another agent already reported this flow. */
    boolean duplicate(FlowRecord r) {
        String id = r.getCommunityId();
        if (id.isEmpty()) {
            return false;
        }
        Owner o = owners.get(id);
        if (o != null && Math.abs(o.firstUs - r.getFirstTsUs()) <= toleranceUs) {
            return !o.agent.equals(r.getAgentId());
        }
        owners.put(id, new Owner(r.getAgentId(), r.getFirstTsUs()));
        return false;
    }
}
