package io.eastwatch.agent.capture;

/**
 * Settings of {@link LivePcapSource}: how each interface is opened and how packets are handed
 * from the capture threads to the processing thread.
 *
 * @param snaplen            bytes kept of each packet. Raising it costs ring memory
 *                           ({@code ringSlots * snaplen} bytes of heap) and kernel buffer space per
 *                           packet; lowering it below ~96 can cut off TCP flags behind IPv6
 *                           extension headers or VLAN tags, so the flow table sees less.
 * @param bufferBytes        kernel capture buffer per interface. Raising it rides out longer
 *                           bursts without kernel drops but is reserved in kernel memory for
 *                           every captured interface (with hundreds of veths it adds up).
 * @param promiscuous        open interfaces in promiscuous mode. Not needed on host-side veths
 *                           (they see all their container's traffic anyway); turning it on makes
 *                           the kernel copy frames nobody asked for.
 * @param immediate          deliver each packet as it arrives (TPACKET_V2) instead of in kernel
 *                           blocks (TPACKET_V3). Immediate mode wakes the capture thread for every
 *                           packet, which costs far more CPU at tens of thousands of packets per
 *                           second; block mode delays a packet by up to {@code timeoutMillis}.
 * @param timeoutMillis      in block mode, the longest a packet waits in a partly filled kernel
 *                           block before it is handed over. Raising it saves wakeups on quiet
 *                           interfaces but delays packets (keep it well below
 *                           {@code reorderMillis}, or packets of one conversation captured on two
 *                           interfaces may reach the flow table out of order).
 * @param filter             BPF filter expression applied in the kernel ("" for none). A filter
 *                           that drops what the flow table needs (e.g. TCP control packets) makes
 *                           flows look unanswered.
 * @param ringSlots          packets the hand-off ring holds between the capture threads and the
 *                           processing thread (a power of two). Raising it absorbs longer
 *                           processing stalls at {@code snaplen} bytes of heap per slot.
 * @param sampleFraction     ring occupancy (0..1) above which data packets are sampled. Lowering
 *                           it starts sampling earlier (protects the control packets sooner but
 *                           loses data-packet counts at moderate load).
 * @param sampleOneIn        while sampling, one data packet in this many is kept. Raising it sheds
 *                           more load but makes packet and byte counts less accurate.
 * @param reserveFraction    share of the ring (0..1) reserved for TCP SYN, FIN and RST packets:
 *                           data packets are dropped when only this much room is left. Raising it
 *                           protects more control packets in a burst but leaves less room for data.
 * @param tickIntervalMillis how often the processing thread reports wall-clock time while no
 *                           packets arrive, so idle flows expire. Raising it delays exports from
 *                           quiet hosts; lowering it costs idle wakeups.
 * @param reorderMillis      how long a packet is held so that packets captured by other interfaces'
 *                           threads can be put before it in timestamp order (the two directions of
 *                           a conversation between local containers are captured on two veths).
 *                           Raising it tolerates capture threads that are descheduled longer on a busy
 *                           host, at the cost of latency and of up to {@code ringSlots} more held
 *                           packets; 0 hands packets on in arrival order.
 */
public record CaptureSettings(
        int snaplen,
        int bufferBytes,
        boolean promiscuous,
        boolean immediate,
        int timeoutMillis,
        String filter,
        int ringSlots,
        double sampleFraction,
        int sampleOneIn,
        double reserveFraction,
        int tickIntervalMillis,
        int reorderMillis) {

    public static final int DEFAULT_REORDER_MILLIS = 50;

    public static final int DEFAULT_SNAPLEN = 128;
    public static final int DEFAULT_BUFFER_BYTES = 32 << 20;
    public static final int DEFAULT_RING_SLOTS = 1 << 16;

    /** Largest heap the ring may take ({@code ringSlots * snaplen}; the reorder buffer takes as much again). */
    static final long MAX_RING_BYTES = 1L << 30;

    public CaptureSettings {
        if (snaplen < 64 || snaplen > 262_144) {
            throw new IllegalArgumentException("snaplen: " + snaplen + " (expected: 64..262144)");
        }
        if (bufferBytes < (1 << 20)) {
            throw new IllegalArgumentException("bufferBytes: " + bufferBytes + " (expected: >= 1048576)");
        }
        if (timeoutMillis < 1 || timeoutMillis > 10_000) {
            throw new IllegalArgumentException("timeoutMillis: " + timeoutMillis + " (expected: 1..10000)");
        }
        if (filter == null) {
            throw new IllegalArgumentException("filter: null (expected: a BPF expression or \"\")");
        }
        if (ringSlots < 64 || Integer.bitCount(ringSlots) != 1) {
            throw new IllegalArgumentException("ringSlots: " + ringSlots + " (expected: a power of two >= 64)");
        }
        if ((long) ringSlots * snaplen > MAX_RING_BYTES) {
            throw new IllegalArgumentException("ringSlots: " + ringSlots + " (expected: ringSlots * snaplen <= "
                    + MAX_RING_BYTES + ", snaplen is " + snaplen + ")");
        }
        if (!(sampleFraction > 0 && sampleFraction <= 1)) {
            throw new IllegalArgumentException("sampleFraction: " + sampleFraction + " (expected: > 0 and <= 1)");
        }
        if (sampleOneIn < 1) {
            throw new IllegalArgumentException("sampleOneIn: " + sampleOneIn + " (expected: >= 1)");
        }
        if (!(reserveFraction >= 0 && reserveFraction < 1)) {
            throw new IllegalArgumentException("reserveFraction: " + reserveFraction + " (expected: >= 0 and < 1)");
        }
        if (reserveFraction + sampleFraction > 1 + 1e-9 && sampleFraction < 1) {
            throw new IllegalArgumentException("sampleFraction: " + sampleFraction
                    + " (expected: <= 1 - reserveFraction = " + (1 - reserveFraction) + ", or 1 to never sample)");
        }
        if (tickIntervalMillis < 10 || tickIntervalMillis > 60_000) {
            throw new IllegalArgumentException("tickIntervalMillis: " + tickIntervalMillis + " (expected: 10..60000)");
        }
        if (reorderMillis < 0 || reorderMillis > 1_000) {
            throw new IllegalArgumentException("reorderMillis: " + reorderMillis + " (expected: 0..1000)");
        }
        if (reorderMillis > 0 && !immediate && reorderMillis < 2 * timeoutMillis) {
            throw new IllegalArgumentException("reorderMillis: " + reorderMillis + " (expected: 0 or >= 2 * timeoutMillis = "
                    + 2 * timeoutMillis + " in block mode, so a packet held in a kernel block is still put in order)");
        }
    }

    /** Without {@code reorderMillis}: {@link #DEFAULT_REORDER_MILLIS}. */
    public CaptureSettings(int snaplen, int bufferBytes, boolean promiscuous, boolean immediate, int timeoutMillis,
                           String filter, int ringSlots, double sampleFraction, int sampleOneIn, double reserveFraction,
                           int tickIntervalMillis) {
        this(snaplen, bufferBytes, promiscuous, immediate, timeoutMillis, filter, ringSlots, sampleFraction,
                sampleOneIn, reserveFraction, tickIntervalMillis, DEFAULT_REORDER_MILLIS);
    }

    /**
     * Headers only, 32 MB kernel buffer, kernel blocks handed over after at most 10 ms, sampling
     * from half full, 1/8 of the ring reserved for SYN/FIN/RST, packets put in order within 50 ms.
     */
    public static CaptureSettings defaults() {
        return new CaptureSettings(DEFAULT_SNAPLEN, DEFAULT_BUFFER_BYTES, false, false, 10, "",
                DEFAULT_RING_SLOTS, 0.5, 8, 0.125, 500, DEFAULT_REORDER_MILLIS);
    }

    public CaptureSettings withFilter(String expression) {
        return new CaptureSettings(snaplen, bufferBytes, promiscuous, immediate, timeoutMillis, expression,
                ringSlots, sampleFraction, sampleOneIn, reserveFraction, tickIntervalMillis, reorderMillis);
    }

    public CaptureSettings withRing(int slots, double sample, int oneIn, double reserve) {
        return new CaptureSettings(snaplen, bufferBytes, promiscuous, immediate, timeoutMillis, filter,
                slots, sample, oneIn, reserve, tickIntervalMillis, reorderMillis);
    }

    public CaptureSettings withBufferBytes(int bytes) {
        return new CaptureSettings(snaplen, bytes, promiscuous, immediate, timeoutMillis, filter,
                ringSlots, sampleFraction, sampleOneIn, reserveFraction, tickIntervalMillis, reorderMillis);
    }

    public CaptureSettings withTickIntervalMillis(int millis) {
        return new CaptureSettings(snaplen, bufferBytes, promiscuous, immediate, timeoutMillis, filter,
                ringSlots, sampleFraction, sampleOneIn, reserveFraction, millis, reorderMillis);
    }

    public CaptureSettings withImmediate(boolean deliverEachPacket) {
        return new CaptureSettings(snaplen, bufferBytes, promiscuous, deliverEachPacket, timeoutMillis, filter,
                ringSlots, sampleFraction, sampleOneIn, reserveFraction, tickIntervalMillis, reorderMillis);
    }

    public CaptureSettings withReorderMillis(int millis) {
        return new CaptureSettings(snaplen, bufferBytes, promiscuous, immediate, timeoutMillis, filter,
                ringSlots, sampleFraction, sampleOneIn, reserveFraction, tickIntervalMillis, millis);
    }
}
