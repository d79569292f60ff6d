package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.flow.v1.FlowRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowDeduplicatorTest {

    static FlowRecord flow(String communityId, String agent, long firstUs) {
        return FlowRecord.newBuilder().setCommunityId(communityId).setAgentId(agent).setFirstTsUs(firstUs).build();
    }

    @Test
    void theSecondAgentsCopyIsTheDuplicate() {
        FlowDeduplicator d = new FlowDeduplicator(1_000_000, 100);
        assertFalse(d.duplicate(flow("1:abc=", "node-a", 5_000_000)));
        assertTrue(d.duplicate(flow("1:abc=", "node-b", 5_400_000)), "the other host's copy, 0.4 s of skew");
        assertFalse(d.duplicate(flow("1:abc=", "node-a", 5_000_000)), "the owner's interim report is kept");
        assertFalse(d.duplicate(flow("1:abc=", "node-b", 9_000_000)), "a later flow on the same 5-tuple: new owner");
        assertTrue(d.duplicate(flow("1:abc=", "node-a", 9_100_000)));
        assertFalse(d.duplicate(flow("", "node-b", 9_100_000)), "no Community ID: never a duplicate");
        assertThrows(IllegalArgumentException.class, () -> new FlowDeduplicator(1, 0));
    }

    /**
     * The table against a plain insertion-ordered map with the same bound, over a long random
     * sequence (few Community IDs so that entries are found, overwritten and evicted, the table
     * grows and deletes by shifting).
     */
    @Test
    void agreesWithABoundedInsertionOrderedMap() {
        for (int capacity : new int[] {1, 7, 1000, 5000}) {
            FlowDeduplicator d = new FlowDeduplicator(2_000, capacity);
            Map<String, long[]> reference = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                    return size() > capacity;
                }
            };
            SplittableRandom rnd = new SplittableRandom(capacity);
            String[] agents = {"node-a", "node-b", "node-c"};
            int duplicates = 0;
            for (int i = 0; i < 300_000; i++) {
                String id = "1:" + rnd.nextInt(capacity * 3 + 5);
                int agent = rnd.nextInt(3);
                long start = rnd.nextLong(20_000);
                boolean expected;
                long[] o = reference.get(id);
                if (o != null && Math.abs(o[0] - start) <= 2_000) {
                    expected = o[1] != agent;
                } else {
                    reference.put(id, new long[] {start, agent});
                    expected = false;
                }
                int step = i;
                assertEquals(expected, d.duplicate(flow(id, agents[agent], start)), () -> "step " + step + " capacity " + capacity);
                duplicates += expected ? 1 : 0;
            }
            assertEquals(reference.size(), d.size());
            assertTrue(duplicates > 1000, "the sequence exercised duplicates: " + duplicates);
        }
    }

    @Test
    void boundedAndForgetsTheOldestFirst() {
        FlowDeduplicator d = new FlowDeduplicator(0, 100_000);
        for (int i = 0; i < 300_000; i++) {
            assertFalse(d.duplicate(flow("1:" + i, "node-a", i)));
        }
        assertEquals(100_000, d.size());
        assertTrue(d.duplicate(flow("1:299999", "node-b", 299_999)), "the newest is remembered");
        assertFalse(d.duplicate(flow("1:5", "node-b", 5)), "the oldest is forgotten");
    }

    @Test
    void hashesAreNeverZeroAndSpread() {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            long h = FlowDeduplicator.hash("1:" + i);
            assertTrue(h != 0);
            seen.add(h);
        }
        assertEquals(100_000, seen.size());
    }
}
