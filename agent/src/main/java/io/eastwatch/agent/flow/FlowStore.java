package io.eastwatch.agent.flow;

import java.util.Arrays;

/**
 * The flow table's memory: one slot per flow, each field in its own primitive array (no object
 * per flow or per packet), an open-addressing hash index from flow key to slot, and intrusive
 * doubly linked lists over the slots for expiry.
 *
 * <p>Index: linear probing over an int array at most half full, holding slot + 1 (0 = empty);
 * removal shifts the following run back (Knuth 6.4, algorithm R) so no tombstones pile up under a
 * scan's churn. Lists: every flow is on exactly one "expiry" list (attempts, established,
 * closing), kept in order of its last packet because a touched flow moves to the tail and event
 * time never goes back inside the table; independently on the "report" list in order of its last
 * report, for the active timeout. Expiry then only ever looks at list heads.
 *
 * <p>Arrays start small and double up to {@code maxFlows}: about 150 bytes per flow in all.
 */
final class FlowStore {

    static final int LIST_ATTEMPT = 0;
    static final int LIST_ESTABLISHED = 1;
    static final int LIST_CLOSING = 2;
    static final int LISTS = 3;
    static final int NONE = -1;

    /**
     * Array lengths are kept 16 elements short of a power of two: with the array header the array
     * then fits in a power-of-two number of bytes, so G1 does not give a large ("humongous") array
     * a whole extra region for its last few bytes (measured: 312 instead of 190 bytes per flow).
     */
    private static final int SHORT_OF_POWER_OF_TWO = 16;
    private static final int INITIAL_SLOTS = 1024 - SHORT_OF_POWER_OF_TWO;

    final int maxFlows;
    int capacity;
    int size;
    /** Slots [0, used) have been handed out at least once; freed ones go on the free list. */
    private int used;
    private int freeHead = NONE;

    // Key, canonical: endpoint A is the smaller (address, port).
    long[] aHi, aLo, bHi, bLo;
    /** portA << 16 | portB. */
    int[] ports;
    /** protocol | vlan << 8 | v6 << 20 | echo << 21 | used << 31. */
    int[] keyMeta;
    int[] hash;

    // Flow state.
    long[] firstTs, lastTs, touchTs, reportTs;
    long[] pktsA, pktsB, bytesA, bytesB;
    /** TCP flags OR-ed: side A in the low byte, side B in the high byte. */
    short[] tcpFlags;
    /** See FlowTable's ST_* bits. */
    int[] state;
    /** initiator's ICMP type | code << 8 | error type << 16 | error code << 24. */
    int[] icmp;
    short[] iface;

    // Lists.
    int[] listPrev, listNext, reportPrev, reportNext;
    byte[] listOf;
    final int[] head = new int[LISTS];
    final int[] tail = new int[LISTS];
    int reportHead = NONE, reportTail = NONE;

    private int[] index;

    FlowStore(int maxFlows) {
        this.maxFlows = maxFlows;
        Arrays.fill(head, NONE);
        Arrays.fill(tail, NONE);
        allocate(Math.min(maxFlows, INITIAL_SLOTS));
    }

    static final int USED = 1 << 31;

    boolean isUsed(int slot) {
        return (keyMeta[slot] & USED) != 0;
    }

    /** Slot holding the key, or NONE. */
    int find(int h, long aHiK, long aLoK, long bHiK, long bLoK, int portsK, int metaK) {
        int i = home(h);
        int metaUsed = metaK | USED;
        while (true) {
            int e = index[i];
            if (e == 0) {
                return NONE;
            }
            int s = e - 1;
            if (hash[s] == h && ports[s] == portsK && keyMeta[s] == metaUsed
                    && aLo[s] == aLoK && bLo[s] == bLoK && aHi[s] == aHiK && bHi[s] == bHiK) {
                return s;
            }
            i = next(i);
        }
    }

    /** Takes a free slot for the key (the caller made room: size < maxFlows) and indexes it. */
    int insert(int h, long aHiK, long aLoK, long bHiK, long bLoK, int portsK, int metaK) {
        int s;
        if (freeHead != NONE) {
            s = freeHead;
            freeHead = listNext[s];
        } else {
            if (used == capacity) {
                grow();
            }
            s = used++;
        }
        aHi[s] = aHiK;
        aLo[s] = aLoK;
        bHi[s] = bHiK;
        bLo[s] = bLoK;
        ports[s] = portsK;
        keyMeta[s] = metaK | USED;
        hash[s] = h;
        firstTs[s] = lastTs[s] = touchTs[s] = reportTs[s] = 0;
        pktsA[s] = pktsB[s] = bytesA[s] = bytesB[s] = 0;
        tcpFlags[s] = 0;
        state[s] = 0;
        icmp[s] = 0;
        iface[s] = 0;
        listOf[s] = -1;
        indexPut(s);
        size++;
        return s;
    }

    /** Unlinks the slot from its lists and the index and frees it. */
    void remove(int s) {
        unlink(s);
        reportUnlink(s);
        indexRemove(s);
        keyMeta[s] = 0;
        listNext[s] = freeHead;
        freeHead = s;
        size--;
    }

    // ---- expiry lists

    void append(int s, int list) {
        listOf[s] = (byte) list;
        listNext[s] = NONE;
        int t = tail[list];
        listPrev[s] = t;
        if (t == NONE) {
            head[list] = s;
        } else {
            listNext[t] = s;
        }
        tail[list] = s;
    }

    void unlink(int s) {
        int list = listOf[s];
        if (list < 0) {
            return;
        }
        int p = listPrev[s];
        int n = listNext[s];
        if (p == NONE) {
            head[list] = n;
        } else {
            listNext[p] = n;
        }
        if (n == NONE) {
            tail[list] = p;
        } else {
            listPrev[n] = p;
        }
        listOf[s] = -1;
    }

    /** Moves the slot to the tail of {@code list} (it was touched now). */
    void moveToTail(int s, int list) {
        if (listOf[s] == list && tail[list] == s) {
            return;
        }
        unlink(s);
        append(s, list);
    }

    void reportAppend(int s) {
        reportNext[s] = NONE;
        reportPrev[s] = reportTail;
        if (reportTail == NONE) {
            reportHead = s;
        } else {
            reportNext[reportTail] = s;
        }
        reportTail = s;
    }

    void reportUnlink(int s) {
        int p = reportPrev[s];
        int n = reportNext[s];
        if (p == NONE) {
            reportHead = n;
        } else {
            reportNext[p] = n;
        }
        if (n == NONE) {
            reportTail = p;
        } else {
            reportPrev[n] = p;
        }
    }

    // ---- index

    /** First probe position: the hash scaled onto the index (Lemire's multiply-shift; any length works). */
    private int home(int h) {
        return (int) (((h & 0xffffffffL) * index.length) >>> 32);
    }

    private int next(int i) {
        return i + 1 == index.length ? 0 : i + 1;
    }

    private void indexPut(int s) {
        int i = home(hash[s]);
        while (index[i] != 0) {
            i = next(i);
        }
        index[i] = s + 1;
    }

    private void indexRemove(int s) {
        int i = home(hash[s]);
        while (index[i] != s + 1) {
            i = next(i);
        }
        // Shift back every following entry of the run whose home lies cyclically at or before the hole.
        int j = i;
        while (true) {
            j = next(j);
            int e = index[j];
            if (e == 0) {
                break;
            }
            int home = home(hash[e - 1]);
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                index[i] = e;
                i = j;
            }
        }
        index[i] = 0;
    }

    // ---- growth

    private void grow() {
        int next = (int) Math.min(2L * (capacity + SHORT_OF_POWER_OF_TWO) - SHORT_OF_POWER_OF_TWO, maxFlows);
        if (next <= capacity) {
            throw new IllegalStateException("flow store full: " + capacity + " (caller must evict first)");
        }
        allocate(next);
    }

    private void allocate(int slots) {
        aHi = copy(aHi, slots);
        aLo = copy(aLo, slots);
        bHi = copy(bHi, slots);
        bLo = copy(bLo, slots);
        ports = copy(ports, slots);
        keyMeta = copy(keyMeta, slots);
        hash = copy(hash, slots);
        firstTs = copy(firstTs, slots);
        lastTs = copy(lastTs, slots);
        touchTs = copy(touchTs, slots);
        reportTs = copy(reportTs, slots);
        pktsA = copy(pktsA, slots);
        pktsB = copy(pktsB, slots);
        bytesA = copy(bytesA, slots);
        bytesB = copy(bytesB, slots);
        tcpFlags = tcpFlags == null ? new short[slots] : Arrays.copyOf(tcpFlags, slots);
        state = copy(state, slots);
        icmp = copy(icmp, slots);
        iface = iface == null ? new short[slots] : Arrays.copyOf(iface, slots);
        listPrev = copy(listPrev, slots);
        listNext = copy(listNext, slots);
        reportPrev = copy(reportPrev, slots);
        reportNext = copy(reportNext, slots);
        listOf = listOf == null ? new byte[slots] : Arrays.copyOf(listOf, slots);
        capacity = slots;
        // At most half full: short probe runs even for a scan's flood of keys.
        index = new int[2 * slots + SHORT_OF_POWER_OF_TWO];
        for (int s = 0; s < used; s++) {
            if (isUsed(s)) {
                indexPut(s);
            }
        }
    }

    private static long[] copy(long[] a, int n) {
        return a == null ? new long[n] : Arrays.copyOf(a, n);
    }

    private static int[] copy(int[] a, int n) {
        return a == null ? new int[n] : Arrays.copyOf(a, n);
    }

    /** Bytes held by the arrays now (for the memory test and the bench). */
    long footprintBytes() {
        long perSlot = 4 * 8 + 4 + 4 + 4 + 4 * 8 + 4 * 8 + 2 + 4 + 4 + 2 + 4 * 4 + 1;
        return perSlot * capacity + 4L * index.length;
    }
}
