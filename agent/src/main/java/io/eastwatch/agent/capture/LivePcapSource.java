package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture through libpcap on the interfaces {@link InterfaceDiscovery} selects, following
 * them as containers come and go.
 *
 * <p>Threads: one capture thread per interface copies packets into a shared {@link PacketRing};
 * the thread that calls {@link #run} is the single processing thread, which drains the ring into
 * a {@link TimeOrderedBuffer} that restores capture-timestamp order across interfaces (bypassed
 * while a single interface is captured and nothing is held), and from
 * there into the {@link PacketHandler} (the flow table is single-threaded). While no packets are
 * waiting it calls the ticker with wall-clock time (less the reorder wait) every
 * {@link CaptureSettings#tickIntervalMillis()}, so idle flows still expire. Interface ids given to
 * the handler are kernel interface indexes.
 *
 * <p>Each packet is counted once: a host-side veth is captured in the inbound direction only
 * (what its container sent), so a packet between two local containers is seen on the sender's veth
 * and not again on the receiver's. With auto-discovery a bridge is captured in the outbound
 * direction only (what the host itself sends into the bridge: traffic from other hosts or host
 * processes to containers); what containers send through it is already seen on their veths.
 * Configured interfaces that are neither are captured in both directions. A packet routed from
 * a container on one captured bridge to a container on another (by this host or by a router
 * container) is seen on the sender's veth and again after the hop; the flow table recognises the
 * second capture of the same IP packet and does not count it ({@code DuplicatePackets}).
 */
public final class LivePcapSource implements PacketSource, InterfaceDiscovery.Listener {

    private static final Logger log = LoggerFactory.getLogger(LivePcapSource.class);
    private static final int DRAIN_BATCH = 1024;
    private static final int NAMES_KEPT = 4096;
    private static final long RELEASE_GRANULARITY_NANOS = 5_000_000L;
    /**
     * While packets keep coming (one arrived within BUSY_WINDOW), an empty ring is waited out in
     * naps of BUSY_NAP instead of asking the capture threads for a wakeup: a wakeup per packet (a
     * futex call on each side) cost more than the packet's whole processing. A nap collects a
     * batch; at 1 ms and 250,000 packets/s that is 250 packets, far below the ring's capacity.
     */
    private static final long BUSY_WINDOW_NANOS = 50_000_000L;
    private static final long BUSY_NAP_NANOS = 1_000_000L;

    private final CaptureSettings settings;
    private final InterfaceDiscovery discovery;
    private final PacketRing ring;
    private final TimeOrderedBuffer reorder;
    private final CaptureMeters meters;
    private final Map<String, InterfaceCapture> captures = new ConcurrentHashMap<>();
    /** ifindex -> name, including recently closed interfaces whose packets may still be in the ring. */
    private final Map<Integer, String> names = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
            return size() > NAMES_KEPT;
        }
    };
    private volatile LongConsumer ticker = wallMicros -> { };
    private volatile boolean closed;
    private volatile Thread runner;

    public LivePcapSource(CaptureSettings settings, InterfaceDiscovery discovery, MeterRegistry registry) {
        this.settings = settings;
        this.discovery = discovery;
        this.ring = new PacketRing(settings.ringSlots(), settings.snaplen(), settings.sampleFraction(),
                settings.sampleOneIn(), settings.reserveFraction());
        this.reorder = new TimeOrderedBuffer(settings.ringSlots(), settings.snaplen());
        this.meters = new CaptureMeters(registry, ring, captures::size);
        io.micrometer.core.instrument.FunctionCounter.builder("eastwatch.agent.capture.reorder.early", reorder,
                        TimeOrderedBuffer::releasedEarly)
                .description("Packets handed on before their reorder wait was over because the reorder buffer was full")
                .register(registry);
    }

    /**
     * Called on the processing thread with the wall clock in microseconds since the epoch whenever
     * the ring is empty and a tick interval has passed. Packets still in the kernel buffer may carry
     * earlier timestamps than the last tick (by at most the kernel buffering delay).
     */
    public void setTicker(LongConsumer ticker) {
        this.ticker = ticker == null ? wallMicros -> { } : ticker;
    }

    @Override
    public void run(PacketHandler handler) {
        runner = Thread.currentThread();
        long lateness = TimeUnit.MILLISECONDS.toMicros(settings.reorderMillis());
        PacketHandler intake = handler;
        if (lateness > 0) {
            reorder.downstream(handler);
            intake = reorder;
        }
        discovery.start(this);
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(settings.tickIntervalMillis());
        long nextTick = System.nanoTime() + tickNanos;
        long lastPacketNanos = System.nanoTime() - 2 * BUSY_WINDOW_NANOS;
        try {
            while (!closed) {
                // One interface has nothing to be reordered against (its packets come from one
                // thread in kernel order): while nothing is held, skip the copy into the buffer.
                int n = ring.drain(reorder.isEmpty() && captures.size() <= 1 ? handler : intake, DRAIN_BATCH);
                long wallMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
                if (!reorder.isEmpty()) {
                    // A packet stamped further ahead than the wall clock allows (a clock step) is
                    // not held for longer than the lateness either.
                    reorder.releaseUpTo(wallMicros - lateness);
                    while (!reorder.isEmpty() && reorder.oldestTs() > wallMicros + 1_000_000) {
                        reorder.releaseUpTo(reorder.oldestTs());
                    }
                }
                long now = System.nanoTime();
                if (n > 0) {
                    lastPacketNanos = now;
                    continue;
                }
                if (now >= nextTick && reorder.isEmpty()) {
                    ticker.accept(wallMicros - lateness);
                    nextTick = now + tickNanos;
                }
                if (reorder.isEmpty() && now - lastPacketNanos < BUSY_WINDOW_NANOS) {
                    ring.nap(Math.min(BUSY_NAP_NANOS, Math.max(nextTick - now, 100_000)));
                } else if (reorder.isEmpty()) {
                    ring.awaitPackets(Math.max(nextTick - now, 100_000));
                } else {
                    // Packets are held for the reorder wait anyway: sleep until the oldest is due, in
                    // steps of at least RELEASE_GRANULARITY (not one wakeup per packet), without being
                    // woken by every packet a capture thread publishes. While packets are held, they
                    // and not the ticker drive the flow table's clock.
                    long dueNanos = TimeUnit.MICROSECONDS.toNanos(reorder.oldestTs() + lateness - wallMicros);
                    ring.nap(Math.max(RELEASE_GRANULARITY_NANOS, dueNanos));
                }
            }
        } finally {
            discovery.close();
            for (InterfaceCapture c : captures.values()) {
                stopCapture(c);
            }
            captures.clear();
            // What the capture threads queued before they stopped still reaches the flow table.
            while (ring.drain(intake, DRAIN_BATCH) > 0) {
                // drained in batches until empty
            }
            reorder.releaseAll();
        }
    }

    @Override
    public boolean added(NetInterface iface) {
        if (closed) {
            return false;
        }
        PcapHandle.PcapDirection direction = direction(iface);
        InterfaceCapture capture = new InterfaceCapture(iface, direction, settings, ring, meters);
        try {
            capture.open();
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            meters.openFailures.increment();
            log.warn("cannot capture on {} (ifindex {}): {}; retrying on the next discovery poll",
                    iface.name(), iface.ifindex(), e.getMessage());
            return false;
        }
        synchronized (names) {
            names.put(iface.ifindex(), iface.name());
        }
        InterfaceCapture previous = captures.put(iface.name(), capture);
        if (previous != null) {
            stopCapture(previous);
        }
        capture.start();
        meters.opened.increment();
        log.info("capturing on {} (ifindex {}, {}, direction {}, master {})", iface.name(), iface.ifindex(),
                iface.kind(), direction, iface.master());
        return true;
    }

    /**
     * Feeds the packets of a savefile (opened with {@code pcap_open_offline}) through the same
     * capture thread, ring and processing path as a live interface, under the given interface's
     * name and index: the benchmark of the per-packet path without the kernel. Call after
     * {@link #run} has started; the capture thread ends at the end of the file.
     */
    void replay(NetInterface iface, PcapHandle savefile) throws NotOpenException {
        InterfaceCapture capture = new InterfaceCapture(iface, PcapHandle.PcapDirection.INOUT, settings, ring, meters);
        capture.openSavefile(savefile);
        synchronized (names) {
            names.put(iface.ifindex(), iface.name());
        }
        captures.put(iface.name(), capture);
        capture.start();
    }

    /** Packets handed from the capture threads to the processing thread so far. */
    long delivered() {
        return ring.delivered();
    }

    @Override
    public void removed(NetInterface iface) {
        InterfaceCapture c = captures.get(iface.name());
        if (c != null && c.netInterface().ifindex() == iface.ifindex()) {
            captures.remove(iface.name(), c);
            stopCapture(c);
            log.info("stopped capturing on {} (ifindex {})", iface.name(), iface.ifindex());
        }
    }

    @Override
    public boolean stillServed(NetInterface iface) {
        InterfaceCapture c = captures.get(iface.name());
        return c != null && c.isAlive();
    }

    private void stopCapture(InterfaceCapture c) {
        c.stop();
        meters.closed.increment();
    }

    PcapHandle.PcapDirection direction(NetInterface iface) {
        return switch (iface.kind()) {
            case VETH -> PcapHandle.PcapDirection.IN;
            case BRIDGE -> discovery.settings().autoDiscover() ? PcapHandle.PcapDirection.OUT : PcapHandle.PcapDirection.INOUT;
            case OTHER -> PcapHandle.PcapDirection.INOUT;
        };
    }

    /** Names of the interfaces being captured now, with their capture threads alive. */
    public Map<String, NetInterface> capturing() {
        Map<String, NetInterface> out = new LinkedHashMap<>();
        for (Map.Entry<String, InterfaceCapture> e : captures.entrySet()) {
            if (e.getValue().isAlive()) {
                out.put(e.getKey(), e.getValue().netInterface());
            }
        }
        return out;
    }

    public InterfaceDiscovery discovery() {
        return discovery;
    }

    @Override
    public String interfaceName(int interfaceId) {
        synchronized (names) {
            String n = names.get(interfaceId);
            return n != null ? n : "ifindex-" + interfaceId;
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread r = runner;
        if (r != null) {
            java.util.concurrent.locks.LockSupport.unpark(r);
        }
    }
}
