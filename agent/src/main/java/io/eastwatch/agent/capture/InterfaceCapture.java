package io.eastwatch.agent.capture;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one interface on its own thread and copies each packet into the shared
 * {@link PacketRing}. pcap4j opens the handle (snaplen, buffer, immediate mode, direction, BPF
 * filter); the loop then reads it with {@code pcap_next_ex} in non-blocking mode and waits in
 * {@code poll(2)} with a timeout when nothing is ready, so an idle interface still wakes up to
 * stop and to read kernel statistics (libpcap's own read timeout never fires on an idle
 * interface). Stopping takes up to a quarter of a second. Nothing is allocated per packet: the output pointers, the header and the packet
 * bytes go through preallocated memory.
 */
final class InterfaceCapture implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(InterfaceCapture.class);
    private static final long STATS_INTERVAL_NANOS = 1_000_000_000L;
    private static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /**
     * In immediate mode, while packets arrived within this window, an empty read is followed by a
     * short nap instead of {@code poll(2)}: that collects several packets per wakeup instead of
     * waking once per packet.
     */
    private static final long BUSY_WINDOW_NANOS = 50_000_000L;
    private static final long BUSY_NAP_NANOS = 500_000L;
    /** How long an idle capture thread sleeps in poll(2) before checking for stop and statistics. */
    private static final int IDLE_POLL_MILLIS = 250;

    private final NetInterface iface;
    private final PcapHandle.PcapDirection direction;
    private final CaptureSettings settings;
    private final PacketRing ring;
    private final CaptureMeters meters;
    private final PacketRing.Producer producer = new PacketRing.Producer();

    private PcapHandle handle;
    private int linkType;
    private volatile boolean running = true;
    /** A savefile waits for ring space instead of shedding: nothing upstream would buffer for it. */
    private boolean lossless;
    private Thread thread;

    private long lastRecv;
    private long lastDrop;
    private long lastIfDrop;
    private long dropsSinceLog;
    private long lastDropLogNanos;

    InterfaceCapture(NetInterface iface, PcapHandle.PcapDirection direction, CaptureSettings settings,
                     PacketRing ring, CaptureMeters meters) {
        this.iface = iface;
        this.direction = direction;
        this.settings = settings;
        this.ring = ring;
        this.meters = meters;
    }

    /**
     * A Linux bridge hands a packet socket only the frames addressed to the host itself unless the
     * bridge device is promiscuous: the frames it forwards between containers, the reason to capture
     * a bridge inbound, would be invisible. So a bridge captured inbound is always promiscuous (this
     * changes nothing in what the bridge forwards); veths see their container's traffic without it.
     */
    boolean promiscuous() {
        return settings.promiscuous()
                || iface.kind() == NetInterface.Kind.BRIDGE && direction != PcapHandle.PcapDirection.OUT;
    }

    /** Opens the handle on the caller's thread so a failure is reported to whoever asked. */
    void open() throws PcapNativeException, NotOpenException {
        PcapHandle h = new PcapHandle.Builder(iface.name())
                .snaplen(settings.snaplen())
                .bufferSize(settings.bufferBytes())
                .promiscuousMode(promiscuous()
                        ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                        : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                .immediateMode(settings.immediate())
                .timeoutMillis(settings.timeoutMillis())
                .direction(direction)
                .build();
        try {
            if (!settings.filter().isEmpty()) {
                h.setFilter(settings.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
            }
            h.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            linkType = toLinkType(h.getDlt().value());
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            h.close();
            throw e;
        }
        handle = h;
    }

    /**
     * Takes a handle opened elsewhere instead of opening the interface: a savefile from
     * {@code pcap_open_offline}, so the per-packet path can be measured without the kernel
     * ({@code bench/live-path.sh}). The loop ends at the end of the file.
     */
    void openSavefile(PcapHandle savefile) throws NotOpenException {
        linkType = toLinkType(savefile.getDlt().value());
        handle = savefile;
        lossless = true;
    }

    /** Linux reports some DLT_* values that differ from the LINKTYPE_* written in files. */
    static int toLinkType(int dlt) {
        return switch (dlt) {
            case 12, 14 -> TcpControlPeek.LINKTYPE_RAW;
            default -> dlt;
        };
    }

    void start() {
        Thread t = new Thread(this, "eastwatch-capture-" + iface.name());
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Stops the loop (within one poll timeout) and waits for the handle to be closed. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000L + IDLE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("capture thread of {} did not stop in time", iface.name());
            }
        }
    }

    boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    NetInterface netInterface() {
        return iface;
    }

    @Override
    public void run() {
        Pointer p = NativePcap.pcapT(handle);
        Memory out = new Memory(16);
        Memory pollFd = new Memory(NativePcap.POLLFD_BYTES);
        pollFd.clear();
        pollFd.setInt(0, NativePcap.Pcap.pcap_get_selectable_fd(p));
        pollFd.setShort(4, NativePcap.POLLIN);
        Memory stat = new Memory(NativePcap.STAT_BYTES);
        // Raw addresses from here on: out is kept reachable (fence below) so its memory is not freed.
        long outAddress = Pointer.nativeValue(out);
        long pAddress = Pointer.nativeValue(p);
        byte[] scratch = new byte[settings.snaplen()];
        long nextStats = System.nanoTime() + STATS_INTERVAL_NANOS;
        long lastPacketNanos = System.nanoTime() - 2 * BUSY_WINDOW_NANOS;
        int sinceClock = 0;
        int readSinceNap = 0;
        try {
            while (running) {
                int r = NativePcap.Pcap.pcap_next_ex(pAddress, outAddress, outAddress + 8);
                if (r == 1) {
                    readSinceNap++;
                    long header = NativePcap.getLong(outAddress);
                    long packet = NativePcap.getLong(outAddress + 8);
                    // struct pcap_pkthdr on LP64: tv_sec, tv_usec (8 bytes each), caplen, len.
                    long ts = NativePcap.getLong(header) * 1_000_000L + NativePcap.getLong(header + 8);
                    int capLen = (int) Math.min(Integer.toUnsignedLong(NativePcap.getInt(header + 16)), scratch.length);
                    int wireLen = NativePcap.getInt(header + 20);
                    NativePcap.copy(packet, scratch, capLen);
                    boolean control = TcpControlPeek.isTcpControl(scratch, capLen, linkType) | lossless;
                    ring.offer(producer, control, ts, wireLen, scratch, capLen, linkType, iface.ifindex());
                    if (++sinceClock == 4096) {
                        sinceClock = 0;
                        long now = System.nanoTime();
                        if (now >= nextStats) {
                            nextStats = now + STATS_INTERVAL_NANOS;
                            readStats(p, stat);
                        }
                    }
                } else if (r == 0) {
                    long now = System.nanoTime();
                    if (readSinceNap > 0) {
                        lastPacketNanos = now;
                        readSinceNap = 0;
                    }
                    if (settings.immediate() && now - lastPacketNanos < BUSY_WINDOW_NANOS) {
                        LockSupport.parkNanos(BUSY_NAP_NANOS);
                    } else {
                        // In block mode the kernel makes the socket readable when a block is full or
                        // has waited timeoutMillis, so this wakes once per block, not per packet.
                        NativePcap.Libc.poll(pollFd, 1, IDLE_POLL_MILLIS);
                    }
                    now = System.nanoTime();
                    if (now >= nextStats) {
                        nextStats = now + STATS_INTERVAL_NANOS;
                        readStats(p, stat);
                    }
                } else if (r == -2) {
                    // End of a savefile (a live handle never returns it).
                    break;
                } else {
                    if (running) {
                        meters.readErrors.increment();
                        log.info("capture on {} ended: {}", iface.name(), NativePcap.Pcap.pcap_geterr(p));
                    }
                    break;
                }
            }
            readStats(p, stat);
        } finally {
            java.lang.ref.Reference.reachabilityFence(out);
            handle.close();
        }
    }

    private void readStats(Pointer p, Memory stat) {
        if (NativePcap.Pcap.pcap_stats(p, stat) != 0) {
            return;
        }
        long recv = Integer.toUnsignedLong(stat.getInt(0));
        long drop = Integer.toUnsignedLong(stat.getInt(4));
        long ifDrop = Integer.toUnsignedLong(stat.getInt(8));
        // The counters are 32-bit and wrap: deltas modulo 2^32.
        meters.kernelReceived.add((recv - lastRecv) & 0xffffffffL);
        long dropDelta = (drop - lastDrop) & 0xffffffffL;
        meters.kernelDrops.add(dropDelta);
        meters.interfaceDrops.add((ifDrop - lastIfDrop) & 0xffffffffL);
        lastRecv = recv;
        lastDrop = drop;
        lastIfDrop = ifDrop;
        if (dropDelta > 0) {
            dropsSinceLog += dropDelta;
            long now = System.nanoTime();
            if (now - lastDropLogNanos >= DROP_LOG_INTERVAL_NANOS) {
                log.warn("kernel dropped {} packets on {} (ifindex {}) in the last {} s; raise the capture buffer or narrow the filter",
                        dropsSinceLog, iface.name(), iface.ifindex(),
                        lastDropLogNanos == 0 ? "few" : String.valueOf((now - lastDropLogNanos) / 1_000_000_000L));
                dropsSinceLog = 0;
                lastDropLogNanos = now;
            }
        }
    }
}
