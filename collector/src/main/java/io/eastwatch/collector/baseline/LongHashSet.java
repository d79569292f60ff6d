package io.eastwatch.collector.baseline;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * A set of longs in one open-addressing array (linear probing, Fibonacci hashing): the per-container
 * destination and port sets are touched on every flow and held for every container, and boxed
 * {@code HashSet<Long>} entries cost a node, a box and a cache miss each. Zero is kept beside the
 * table because it marks an empty slot. Written to snapshots as a JSON array of numbers, the same
 * form a {@code Set<Long>} had. Not thread-safe.
 */
public final class LongHashSet {

    private static final int MIN_CAPACITY = 8;

    private long[] table;
    private int size;
    private boolean hasZero;
    private int shift;

    public LongHashSet() {
        allocate(MIN_CAPACITY);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static LongHashSet of(long[] values) {
        LongHashSet s = new LongHashSet();
        if (values != null) {
            for (long v : values) {
                s.add(v);
            }
        }
        return s;
    }

    private void allocate(int capacity) {
        table = new long[capacity];
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private int slot(long v) {
        return (int) ((v * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** Adds {@code v}; true if it was not in the set. */
    public boolean add(long v) {
        if (v == 0) {
            if (hasZero) {
                return false;
            }
            hasZero = true;
            size++;
            return true;
        }
        long[] t = table;
        int mask = t.length - 1;
        for (int i = slot(v); ; i = (i + 1) & mask) {
            long x = t[i];
            if (x == v) {
                return false;
            }
            if (x == 0) {
                t[i] = v;
                size++;
                // keep the table at most half full so probes stay short
                if (2 * (size - (hasZero ? 1 : 0)) > t.length) {
                    rehash(t.length * 2);
                }
                return true;
            }
        }
    }

    public boolean contains(long v) {
        if (v == 0) {
            return hasZero;
        }
        long[] t = table;
        int mask = t.length - 1;
        for (int i = slot(v); ; i = (i + 1) & mask) {
            long x = t[i];
            if (x == v) {
                return true;
            }
            if (x == 0) {
                return false;
            }
        }
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Empties the set; a table grown for a burst is given back rather than scanned every window. */
    public void clear() {
        if (size == 0) {
            return;
        }
        if (table.length > 64 && size < table.length / 8) {
            allocate(MIN_CAPACITY);
        } else {
            Arrays.fill(table, 0);
        }
        size = 0;
        hasZero = false;
    }

    private void rehash(int capacity) {
        long[] old = table;
        allocate(capacity);
        int mask = capacity - 1;
        for (long v : old) {
            if (v != 0) {
                int i = slot(v);
                while (table[i] != 0) {
                    i = (i + 1) & mask;
                }
                table[i] = v;
            }
        }
    }

    /** The members in no particular order (snapshots). */
    @JsonValue
    public long[] toArray() {
        long[] out = new long[size];
        int n = 0;
        if (hasZero) {
            out[n++] = 0;
        }
        for (long v : table) {
            if (v != 0) {
                out[n++] = v;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }
}
