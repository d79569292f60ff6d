package io.eastwatch.collector.ingest;

import io.eastwatch.flow.v1.FlowRecord;
import java.util.Arrays;

/**
 * A flow between containers on two hosts is captured by both hosts' agents. The copies share the
 * Community ID (a hash of the 5-tuple) and start within clock skew of each other; the first agent
 * to report a (Community ID, start) owns the flow and the other agent's reports of it are dropped.
 *
 * <p>Every flow record passes through here, so the table holds no object per flow: an open-addressing
 * table (linear probing, backward-shift deletion) of 64-bit hashes of the Community ID and of the
 * agent id, with the start time, growing up to twice {@code capacity} slots; the entries also form a
 * ring in insertion order, and past {@code capacity} the oldest is forgotten. A forgotten entry only
 * risks counting a late copy twice; two different Community IDs (or agents) sharing a 64-bit hash
 * among the 200,000 remembered flows is about a one in 10^8 chance.
 */
final class FlowDeduplicator {

    private static final int INITIAL_SLOTS = 1 << 12;

    private final long toleranceUs;
    private final int capacity;
    /** The table's final size: a power of two, at least twice {@code capacity} (load at most one half). */
    private final int maxSlots;
    /** Community ID hash per slot; 0 = empty (a hash of 0 is stored as 1). */
    private long[] keys = new long[INITIAL_SLOTS];
    private long[] firstUs = new long[INITIAL_SLOTS];
    private long[] agents = new long[INITIAL_SLOTS];
    private int mask = INITIAL_SLOTS - 1;
    /** Keys in insertion order: a plain array until {@code capacity} entries, then a ring. */
    private long[] order = new long[loadLimit(INITIAL_SLOTS)];
    private int oldest;
    private int size;

    FlowDeduplicator(long toleranceUs, int capacity) {
        if (capacity < 1 || capacity > 1 << 29) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: 1.." + (1 << 29) + ")");
        }
        this.toleranceUs = toleranceUs;
        this.capacity = capacity;
        long want = 2L * capacity;
        int slots = INITIAL_SLOTS;
        while (slots < want && slots < 1 << 30) {
            slots <<= 1;
        }
        this.maxSlots = slots;
        if (order.length > capacity) {
            order = new long[capacity];
        }
    }

    /** Entries a table of this many slots takes before it grows (linear probing stays short at half full). */
    private static int loadLimit(int slots) {
        return slots / 2;
    }

    /** True if another agent already reported this flow. */
    boolean duplicate(FlowRecord r) {
        String id = r.getCommunityId();
        if (id.isEmpty()) {
            return false;
        }
        long key = hash(id);
        long agent = hash(r.getAgentId());
        long start = r.getFirstTsUs();
        int slot = find(key);
        if (slot >= 0) {
            if (Math.abs(firstUs[slot] - start) <= toleranceUs) {
                return agents[slot] != agent;
            }
            firstUs[slot] = start;   // a later flow on the same 5-tuple: its first reporter owns it
            agents[slot] = agent;
            return false;
        }
        insert(key, start, agent);
        return false;
    }

    /** Entries held (for tests). */
    int size() {
        return size;
    }

    private int find(long key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    private int home(long key) {
        return (int) (key ^ key >>> 32) & mask;
    }

    private void insert(long key, long start, long agent) {
        if (size == capacity) {
            remove(find(order[oldest]));
            order[oldest] = key;
            oldest = oldest + 1 == capacity ? 0 : oldest + 1;
        } else {
            if (size + 1 > loadLimit(keys.length) && keys.length < maxSlots) {
                grow();
            }
            if (size == order.length) {
                order = Arrays.copyOf(order, (int) Math.min(capacity, 2L * order.length));
            }
            order[size] = key;
        }
        int i = home(key);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        firstUs[i] = start;
        agents[i] = agent;
        if (size < capacity) {
            size++;
        }
    }

    private void grow() {
        long[] k = keys;
        long[] f = firstUs;
        long[] a = agents;
        int n = k.length << 1;
        keys = new long[n];
        firstUs = new long[n];
        agents = new long[n];
        mask = n - 1;
        for (int j = 0; j < k.length; j++) {
            if (k[j] != 0) {
                int i = home(k[j]);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = k[j];
                firstUs[i] = f[j];
                agents[i] = a[j];
            }
        }
    }

    /** Backward-shift deletion: later entries of the probe run move up so that lookups never stop early. */
    private void remove(int slot) {
        int hole = slot;
        int j = slot;
        while (true) {
            j = (j + 1) & mask;
            long k = keys[j];
            if (k == 0) {
                break;
            }
            int h = home(k);
            // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!stays) {
                keys[hole] = k;
                firstUs[hole] = firstUs[j];
                agents[hole] = agents[j];
                hole = j;
            }
        }
        keys[hole] = 0;
    }

    /** 64-bit FNV-1a over the characters, then a murmur3 finalizer so that low bits mix well; never 0. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
