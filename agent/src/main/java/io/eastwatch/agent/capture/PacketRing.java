package io.eastwatch.agent.capture;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The hand-off between the capture threads (one per interface) and the single processing thread:
 * a bounded multi-producer, single-consumer ring of preallocated packet slots.
 *
 * <p>The idea is Dmitry Vyukov's bounded MPMC queue (1024cores.net, "Bounded MPMC queue"): each
 * slot carries a sequence number that says whose turn it is. A producer claims position {@code t}
 * by a CAS on the tail when the slot's sequence equals {@code t}, fills the slot and publishes it
 * by setting the sequence to {@code t + 1}; the consumer reads position {@code h} once the sequence
 * is {@code h + 1} and hands the slot back by setting it to {@code h + capacity}. Nothing is
 * allocated per packet: the packet bytes go into one preallocated array, the metadata into
 * parallel primitive arrays.
 *
 * <p>Load shedding happens at admission, before a slot is claimed: above {@code sampleFrom}
 * occupied slots data packets are sampled (one in {@code sampleOneIn} kept), above
 * {@code dataLimit} they are dropped, and the remaining reserve is for TCP SYN, FIN and RST,
 * which are never shed: when even the reserve is full, their producer waits for the consumer (the
 * kernel buffer absorbs the delay; what it cannot absorb shows in the kernel drop count).
 */
final class PacketRing {

    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    private final int mask;
    private final int slotBytes;
    private final long[] seq;
    private final long[] tsMicros;
    private final int[] wireLen;
    private final int[] capLen;
    private final int[] linkType;
    private final int[] interfaceId;
    private final byte[] data;
    private final ByteBuffer dataView;

    private final long sampleFrom;
    private final long dataLimit;
    private final int sampleOneIn;

    private final AtomicLong tail = new AtomicLong();
    /** Written only by the consumer; read by producers to estimate occupancy. */
    private volatile long head;
    private volatile Thread consumer;
    private volatile boolean consumerParked;

    private final LongAdder sampledOut = new LongAdder();
    private final LongAdder droppedFull = new LongAdder();
    private final LongAdder controlWaits = new LongAdder();
    private volatile long delivered;

    PacketRing(int capacity, int slotBytes, double sampleFraction, int sampleOneIn, double reserveFraction) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: a power of two >= 2)");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slotBytes = slotBytes;
        this.seq = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            seq[i] = i;
        }
        this.tsMicros = new long[capacity];
        this.wireLen = new int[capacity];
        this.capLen = new int[capacity];
        this.linkType = new int[capacity];
        this.interfaceId = new int[capacity];
        this.data = new byte[Math.multiplyExact(capacity, slotBytes)];
        this.dataView = ByteBuffer.wrap(data);
        this.dataLimit = Math.max(1, Math.round(capacity * (1 - reserveFraction)));
        this.sampleFrom = Math.min(dataLimit, Math.round(capacity * sampleFraction));
        this.sampleOneIn = sampleOneIn;
    }

    /** Per-producer state: the sampling counter (so producers do not share a hot word). */
    static final class Producer {
        private long dataSeen;
    }

    /**
     * Copies one packet into the ring, or sheds it by the rules above. Called by capture threads.
     *
     * @return true if the packet was queued
     */
    boolean offer(Producer producer, boolean control, long ts, int wire, byte[] bytes, int len, int link, int ifId) {
        long t;
        while (true) {
            t = tail.get();
            long used = t - head;
            if (!control) {
                if (used >= dataLimit) {
                    droppedFull.increment();
                    return false;
                }
                if (used >= sampleFrom && (producer.dataSeen++ % sampleOneIn) != 0) {
                    sampledOut.increment();
                    return false;
                }
            }
            int slot = (int) (t & mask);
            long s = (long) SEQ.getAcquire(seq, slot);
            if (s == t) {
                if (tail.compareAndSet(t, t + 1)) {
                    break;
                }
            } else if (s < t) {
                // The slot still holds an unread packet: the ring is full.
                if (!control) {
                    droppedFull.increment();
                    return false;
                }
                controlWaits.increment();
                wakeConsumer();
                LockSupport.parkNanos(50_000);
            }
            // else another producer took position t: retry with the new tail.
        }
        int slot = (int) (t & mask);
        int n = Math.min(len, slotBytes);
        System.arraycopy(bytes, 0, data, slot * slotBytes, n);
        tsMicros[slot] = ts;
        wireLen[slot] = wire;
        capLen[slot] = n;
        linkType[slot] = link;
        interfaceId[slot] = ifId;
        // A volatile store, not a release: it must not pass the read of consumerParked below,
        // or a consumer that just decided to park would miss this packet until its timeout.
        SEQ.setVolatile(seq, slot, t + 1);
        if (consumerParked) {
            wakeConsumer();
        }
        return true;
    }

    private void wakeConsumer() {
        Thread c = consumer;
        if (c != null) {
            LockSupport.unpark(c);
        }
    }

    /**
     * Hands up to {@code max} queued packets to {@code handler}, in ring order. Consumer thread only.
     *
     * @return the number of packets handed over
     */
    int drain(PacketHandler handler, int max) {
        long h = head;
        int n = 0;
        while (n < max) {
            int slot = (int) (h & mask);
            if ((long) SEQ.getAcquire(seq, slot) != h + 1) {
                break;
            }
            handler.onPacket(tsMicros[slot], wireLen[slot], dataView, slot * slotBytes, capLen[slot],
                    linkType[slot], interfaceId[slot]);
            SEQ.setRelease(seq, slot, h + capacity);
            h++;
            n++;
        }
        if (n > 0) {
            head = h;
            delivered += n;
        }
        return n;
    }

    /**
     * Sleeps without asking producers for a wakeup. While packets are held for reordering anyway,
     * being woken by every publish only makes the consumer and the producers ping-pong.
     */
    void nap(long nanos) {
        LockSupport.parkNanos(this, nanos);
    }

    /**
     * Parks the consumer until a producer publishes or {@code nanos} pass. The flag is set and the
     * ring re-checked before parking so a packet published in between is not left waiting.
     */
    void awaitPackets(long nanos) {
        consumer = Thread.currentThread();
        consumerParked = true;
        try {
            long h = head;
            if ((long) SEQ.getAcquire(seq, (int) (h & mask)) == h + 1) {
                return;
            }
            LockSupport.parkNanos(this, nanos);
        } finally {
            consumerParked = false;
        }
    }

    int capacity() {
        return capacity;
    }

    long used() {
        return Math.max(0, tail.get() - head);
    }

    long delivered() {
        return delivered;
    }

    long sampledOut() {
        return sampledOut.sum();
    }

    long droppedFull() {
        return droppedFull.sum();
    }

    long controlWaits() {
        return controlWaits.sum();
    }
}
