package io.eastwatch.agent.capture;

import java.nio.ByteBuffer;

/**
 * Puts packets from several interfaces back in capture-timestamp order before the flow table sees
 * them. Each direction of a conversation between two local containers is captured on a different
 * veth by a different thread, so the order in which the threads reach the ring is not the order on
 * the wire (a RST can overtake the SYN it answers when the sender's capture thread is descheduled).
 *
 * <p>The idea is the watermark of stream processors (Akidau et al., "The Dataflow Model", VLDB
 * 2015) applied to one host: a packet is released once the wall clock has passed its timestamp by
 * a fixed allowed lateness, when every capture thread has had time to deliver anything older. Held
 * packets live in preallocated slots ordered by a binary min-heap on (timestamp, arrival), so equal
 * timestamps keep their arrival order and nothing is allocated per packet. When the buffer is full
 * the oldest packet is released early (counted), so memory stays bounded under any load.
 */
final class TimeOrderedBuffer implements PacketHandler {

    private final int capacity;
    private final int slotBytes;
    private final long[] ts;
    private final long[] arrival;
    private final int[] wireLen;
    private final int[] capLen;
    private final int[] linkType;
    private final int[] interfaceId;
    private final byte[] data;
    private final ByteBuffer dataView;
    private final int[] heap;
    private final int[] free;
    private int size;
    private int freeTop;
    private long arrivals;
    private long releasedEarly;

    TimeOrderedBuffer(int capacity, int slotBytes) {
        this.capacity = capacity;
        this.slotBytes = slotBytes;
        this.ts = new long[capacity];
        this.arrival = new long[capacity];
        this.wireLen = new int[capacity];
        this.capLen = new int[capacity];
        this.linkType = new int[capacity];
        this.interfaceId = new int[capacity];
        this.data = new byte[Math.multiplyExact(capacity, slotBytes)];
        this.dataView = ByteBuffer.wrap(data);
        this.heap = new int[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeTop = capacity;
    }

    /** The downstream handler that released packets go to; set before packets are offered. */
    private PacketHandler downstream;

    void downstream(PacketHandler handler) {
        this.downstream = handler;
    }

    /** Takes one packet from the ring (copying it); releases the oldest first if the buffer is full. */
    @Override
    public void onPacket(long tsMicros, int wire, ByteBuffer buf, int offset, int cap, int link, int ifId) {
        if (size == capacity) {
            releaseOldest();
            releasedEarly++;
        }
        int slot = free[--freeTop];
        int n = Math.min(cap, slotBytes);
        buf.get(offset, data, slot * slotBytes, n);
        ts[slot] = tsMicros;
        arrival[slot] = arrivals++;
        wireLen[slot] = wire;
        capLen[slot] = n;
        linkType[slot] = link;
        interfaceId[slot] = ifId;
        int i = size++;
        heap[i] = slot;
        siftUp(i);
    }

    /** Releases, in timestamp order, every packet stamped at or before {@code watermarkMicros}. */
    int releaseUpTo(long watermarkMicros) {
        int n = 0;
        while (size > 0 && ts[heap[0]] <= watermarkMicros) {
            releaseOldest();
            n++;
        }
        return n;
    }

    void releaseAll() {
        while (size > 0) {
            releaseOldest();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Timestamp of the oldest held packet; only meaningful when not empty. */
    long oldestTs() {
        return ts[heap[0]];
    }

    long releasedEarly() {
        return releasedEarly;
    }

    private void releaseOldest() {
        int slot = heap[0];
        int last = heap[--size];
        if (size > 0) {
            heap[0] = last;
            siftDown(0);
        }
        downstream.onPacket(ts[slot], wireLen[slot], dataView, slot * slotBytes, capLen[slot], linkType[slot],
                interfaceId[slot]);
        free[freeTop++] = slot;
    }

    private boolean before(int a, int b) {
        return ts[a] < ts[b] || (ts[a] == ts[b] && arrival[a] < arrival[b]);
    }

    private void siftUp(int i) {
        int slot = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(slot, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = slot;
    }

    private void siftDown(int i) {
        int slot = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], slot)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = slot;
    }
}
