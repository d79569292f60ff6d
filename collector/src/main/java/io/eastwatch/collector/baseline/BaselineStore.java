package io.eastwatch.collector.baseline;

import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-workload baselines and per-container activity windows, in event time. The first flow ever
 * seen starts the learning phase; a workload first seen after it learns alone for a grace period.
 * Every table is bounded; overflow is counted in {@code eastwatch.collector.baseline.overflow}.
 */
public final class BaselineStore {

    public enum Phase { LEARNING, GRACE, MONITORING }

    /** Told when a container's window closes, with the workload's phase at the window's start. */
    public interface WindowListener {
        void windowClosed(ContainerActivity container, WorkloadBaseline workload, long windowStartUs, Phase phase);

        /** Every container window up to {@code windowStartUs} has closed. */
        default void windowsClosedUpTo(long windowStartUs) {
        }
    }

    /** The serializable part of the store (snapshots). */
    public static final class State {
        public long startUs = Long.MIN_VALUE;
        public long closedWindow = Long.MIN_VALUE;
        public Map<String, WorkloadBaseline> workloads = new HashMap<>();
        public LinkedHashMap<String, ContainerActivity> containers = new LinkedHashMap<>(16, 0.75f, true);
        public Set<Long> learnedPrefixes = new HashSet<>();
        /** Edges approved at run time (API): part of the snapshot, so an approval survives restart and rebalance. */
        public java.util.List<BaselineSettings.ApprovedEdge> approved = new java.util.ArrayList<>();
    }

    private static final int PREFIX_LIMIT = 65_536;
    private static final int REPLICA_LIMIT = 64;
    /** Canonical edge key strings cached (a speed cache, not state; ~100 bytes each). */
    private static final int EDGE_KEY_CACHE = 262_144;


    private final BaselineSettings settings;
    private final List<Cidr> clusterNetworks;
    private final WindowListener listener;
    private State state = new State();
    private final AtomicLong edgeCount = new AtomicLong();
    private final Counter workloadOverflow;
    private final Counter edgeOverflow;
    private final Counter containerOverflow;
    private final EdgeKeys edgeKeys = new EdgeKeys(EDGE_KEY_CACHE);
    /** Prefixes known to be in {@code state.learnedPrefixes}, direct-mapped: most flows skip the boxed set. */
    private final long[] knownPrefixes = new long[256];
    /** Latest learning end of any workload: past it no peer is learning and closing a window skips the check. */
    private long latestLearningEndUs = Long.MIN_VALUE;
    /** Other partitions' served ports and container prefixes (the group's destination view). */
    private RemoteDestinations remote = RemoteDestinations.NONE;
    /** Grows whenever a served port or a container prefix is learned (or state restored): "publish again". */
    private long destinationVersion;
    private final Counter remoteUnserved;
    private final Counter remoteDark;

    /**
     * @param gauges whether to register this store's size gauges (one engine per process); a collector
     *               running one store per partition registers summing gauges itself
     */
    public BaselineStore(BaselineSettings settings, WindowListener listener, MeterRegistry registry, boolean gauges) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clusterNetworks = settings.clusterNetworks().stream().map(Cidr::parse).toList();
        if (gauges) {
            Gauge.builder("eastwatch.collector.workloads", this, BaselineStore::workloadCount)
                    .description("Workloads with a baseline").register(registry);
            Gauge.builder("eastwatch.collector.baseline.edges", this, BaselineStore::edgeCount)
                    .description("Edges (peer x port x protocol) held in all baselines").register(registry);
            Gauge.builder("eastwatch.collector.containers.tracked", this, BaselineStore::containerCount)
                    .description("Containers with an activity window").register(registry);
        }
        workloadOverflow = overflow(registry, "workloads");
        edgeOverflow = overflow(registry, "edges");
        containerOverflow = overflow(registry, "containers");
        remoteUnserved = evidence(registry, "unserved-port");
        remoteDark = evidence(registry, "dark-address");
    }

    private static Counter evidence(MeterRegistry registry, String kind) {
        return Counter.builder("eastwatch.collector.destinations.evidence").tag("kind", kind)
                .description("Darknet evidence that only other partitions' knowledge (the destination view) could give")
                .register(registry);
    }

    /** Consults other partitions' knowledge as well as this store's own (never null). */
    public void remote(RemoteDestinations view) {
        this.remote = view == null ? RemoteDestinations.NONE : view;
    }

    /** Changes whenever the served ports or container prefixes may have grown (see {@link #remote}). */
    public long destinationVersion() {
        return destinationVersion;
    }

    private static Counter overflow(MeterRegistry registry, String table) {
        return Counter.builder("eastwatch.collector.baseline.overflow").tag("table", table)
                .description("Entries not kept because a baseline table was full").register(registry);
    }

    public int workloadCount() {
        return state.workloads.size();
    }

    public long edgeCount() {
        return edgeCount.get();
    }

    public int containerCount() {
        return state.containers.size();
    }

    public BaselineSettings settings() {
        return settings;
    }

    public State state() {
        return state;
    }

    public void restore(State restored) {
        Objects.requireNonNull(restored, "state");
        // JSON brings the maps back in insertion order; eviction needs access order.
        LinkedHashMap<String, ContainerActivity> lru = new LinkedHashMap<>(16, 0.75f, true);
        lru.putAll(restored.containers);
        restored.containers = lru;
        this.state = restored;
        java.util.Arrays.fill(knownPrefixes, 0);
        latestLearningEndUs = Long.MIN_VALUE;
        for (WorkloadBaseline w : restored.workloads.values()) {
            latestLearningEndUs = Math.max(latestLearningEndUs, w.learningEndsUs);
        }
        edgeCount.set(restored.workloads.values().stream().mapToLong(WorkloadBaseline::edgeCount).sum());
        destinationVersion++;
    }

    /** The record digested for the baseline and the detectors, with its canonical edge key. */
    public ObservedFlow digest(io.eastwatch.flow.v1.FlowRecord record) {
        return ObservedFlow.of(record, edgeKeys);
    }

    /** Starts the clock of the learning phase at the first flow ever seen. */
    public void start(long nowUs) {
        if (state.startUs == Long.MIN_VALUE) {
            state.startUs = nowUs;
        }
    }

    public long learningEndsUs() {
        return state.startUs == Long.MIN_VALUE ? Long.MAX_VALUE : state.startUs + settings.learningMicros();
    }

    public boolean globalLearning(long nowUs) {
        // With no learning asked for, even records stamped before the first one (captures whose clock
        // goes backwards) are judged, not learned.
        return settings.learningMicros() > 0 && nowUs < learningEndsUs();
    }

    public Phase phase(WorkloadBaseline w, long nowUs) {
        if (globalLearning(nowUs)) {
            return Phase.LEARNING;
        }
        return w.learning(nowUs) ? Phase.GRACE : Phase.MONITORING;
    }

    public WorkloadBaseline workloadOrNull(String name) {
        return state.workloads.get(name);
    }

    /** The workload's baseline, created on first sight; null if the table is full (counted). */
    public WorkloadBaseline workload(String name, long nowUs) {
        WorkloadBaseline w = state.workloads.get(name);
        if (w != null) {
            return w;
        }
        if (state.workloads.size() >= settings.maxWorkloads()) {
            workloadOverflow.increment();
            return null;
        }
        long globalEnd = learningEndsUs();
        // A workload's own grace never exceeds the global learning: with no learning asked for
        // (forensics on a capture), every workload is judged from its first flow.
        long grace = Math.min(settings.newWorkloadGraceMicros(), settings.learningMicros());
        long ends;
        if (settings.learningMicros() == 0 || nowUs >= globalEnd && grace == 0) {
            ends = Long.MIN_VALUE; // judged from its first flow, even one stamped earlier
        } else {
            ends = nowUs < globalEnd ? globalEnd : nowUs + grace;
        }
        w = new WorkloadBaseline(name, nowUs, ends);
        state.workloads.put(name, w);
        latestLearningEndUs = Math.max(latestLearningEndUs, ends);
        return w;
    }

    /** True if the workload has this edge in its baseline, approved, or its edge table overflowed. */
    public boolean knownEdge(WorkloadBaseline w, ObservedFlow f) {
        if (f.peerKey == null) {
            return true;
        }
        if (w.edges.containsKey(f.edgeKey())) {
            return true;
        }
        return approved(w, f) || w.edgesOverflowed;
    }

    /** Approved by configuration or, at run time, through the API. */
    public boolean approved(WorkloadBaseline w, ObservedFlow f) {
        for (BaselineSettings.ApprovedEdge a : settings.approvedEdges()) {
            if (a.matches(w.name, f.peerKey, f.port, f.protocol)) {
                return true;
            }
        }
        for (BaselineSettings.ApprovedEdge a : state.approved) {
            if (a.matches(w.name, f.peerKey, f.port, f.protocol)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Approves an edge from now on (an analyst's decision that a new dependency is legitimate).
     * Bounded by the edge limit of one workload; a repeated approval is a no-op.
     */
    public boolean approve(BaselineSettings.ApprovedEdge edge) {
        if (state.approved.contains(edge)) {
            return false;
        }
        if (state.approved.size() >= settings.maxEdgesPerWorkload()) {
            state.approved.remove(0);
        }
        state.approved.add(edge);
        return true;
    }

    /**
     * Revokes an approval made at run time: the edge is judged as any edge outside the baseline from
     * now on (learning is not touched, so an edge learned before stays known). Approvals by
     * configuration are in the settings, not here, and stay.
     */
    public boolean revoke(BaselineSettings.ApprovedEdge edge) {
        return state.approved.remove(edge);
    }

    /**
     * The source container's activity, created on first sight (evicting the least recently active
     * container beyond the limit), with its window rolled forward to the flow's.
     */
    public ContainerActivity container(ObservedFlow f, WorkloadBaseline w) {
        Endpoint src = f.src;
        ContainerActivity c = state.containers.get(src.getContainerId());
        if (c == null) {
            if (state.containers.size() >= settings.maxContainers()) {
                Iterator<Map.Entry<String, ContainerActivity>> it = state.containers.entrySet().iterator();
                ContainerActivity evicted = it.next().getValue();
                it.remove();
                closeWindow(evicted);
                containerOverflow.increment();
            }
            c = new ContainerActivity();
            c.containerId = src.getContainerId();
            c.firstSeenUs = f.lastUs;
            state.containers.put(c.containerId, c);
            if (w.replicas.size() < REPLICA_LIMIT) {
                w.replicas.add(c.containerId);
            }
        }
        // The image was recorded (or the table was full, and it only grows) on this container's last flow.
        boolean imageSeen = c.workload == w.name && c.image != null && c.image.equals(src.getImage());
        c.workload = w.name;
        c.name = src.getName();
        c.image = src.getImage();
        c.host = src.getHost();
        long win = windowOf(f.lastUs);
        if (c.ip == null || win != c.window) {
            // Formatting an address costs more than the rest of the flow: once per window is enough.
            c.ip = Addresses.format(f.record.getSrcAddr());
        }
        c.lastSeenUs = Math.max(c.lastSeenUs, f.lastUs);
        if (c.window == Long.MIN_VALUE) {
            c.resetWindow(win);
        } else if (win > c.window) {
            closeWindow(c);
            c.resetWindow(win);
        }
        if (!imageSeen && !src.getImage().isEmpty() && !w.images.containsKey(src.getImage()) && w.images.size() < REPLICA_LIMIT) {
            w.images.put(src.getImage(), f.firstUs);
        }
        return c;
    }

    public long windowOf(long us) {
        return Math.floorDiv(us, settings.windowMicros()) * settings.windowMicros();
    }

    /**
     * Folds the flow into the baseline (when {@code learn}) and into the container's window.
     *
     * @param firstContact whether this destination was new for the container
     */
    public void observe(ObservedFlow f, WorkloadBaseline w, ContainerActivity c, boolean learn, boolean firstContact) {
        if (f.peerKey != null && f.attempt != ObservedFlow.Attempt.NONE || f.peerKey != null && learn) {
            String key = f.edgeKey();
            EdgeStats e = w.edges.get(key);
            if (e == null && learn && f.attempt != ObservedFlow.Attempt.FAILURE) {
                if (w.edges.size() >= settings.maxEdgesPerWorkload()) {
                    w.edgesOverflowed = true;
                    edgeOverflow.increment();
                } else {
                    e = new EdgeStats(f.firstUs);
                    w.edges.put(key, e);
                    w.baselinePorts.add(f.port << 8 | f.protocol);
                    edgeCount.incrementAndGet();
                }
            }
            if (e != null && !f.finalReport) {
                // Interim reports carry running totals of a flow whose final report will count it.
                e.lastSeenUs = Math.max(e.lastSeenUs, f.lastUs);
                return;
            }
            if (e != null) {
                e.flows++;
                e.bytes += f.bytes;
                e.lastSeenUs = Math.max(e.lastSeenUs, f.lastUs);
                if (f.attempt == ObservedFlow.Attempt.FAILURE) {
                    e.failures++;
                }
            }
            if (f.finalReport && f.attempt != ObservedFlow.Attempt.NONE || f.finalReport && learn) {
                long[] acc = c.edgeWindow.get(key);
                if (acc == null && c.edgeWindow.size() < settings.maxEdgesPerWorkload()) {
                    acc = new long[3];
                    c.edgeWindow.put(key, acc);
                }
                if (acc != null) {
                    acc[0]++;
                    acc[1] += f.bytes;
                }
            }
        }
        if (f.attempt != ObservedFlow.Attempt.NONE && (f.finalReport || firstContact)) {
            c.windowAttempts++;
            if (f.attempt != ObservedFlow.Attempt.SUCCESS) {
                c.windowFailures++;
            }
            if (c.windowDestinations.size() < ContainerActivity.SET_LIMIT) {
                c.windowDestinations.add(f.addressHash);
            }
            if (c.windowPorts.size() < ContainerActivity.SET_LIMIT) {
                c.windowPorts.add(f.port << 8 | f.protocol);
            }
            if (learn && firstContact) {
                w.firstContacts++;
                if (f.attempt == ObservedFlow.Attempt.SUCCESS) {
                    w.firstContactSuccesses++;
                }
            }
        }
    }

    /** The destination workload served this port (it answered an initiated attempt). */
    public void observeServed(ObservedFlow f, long nowUs) {
        if (f.attempt != ObservedFlow.Attempt.SUCCESS || f.dst.getKind() != EndpointKind.CONTAINER) {
            return;
        }
        WorkloadBaseline target = workload(f.dstWorkload(), nowUs);
        if (target != null && target.servedPorts.size() < settings.maxServedPorts()
                && target.servedPorts.add(f.port << 8 | f.protocol)) {
            destinationVersion++;
        }
    }

    /**
     * The target workload is known to serve some ports, and this one is not among them, in this
     * partition or (through the destination view) any other: a probe there meets no service.
     * Unknown (no port seen served anywhere) is not evidence.
     */
    public boolean neverServed(WorkloadBaseline target, int port, int protocol) {
        int key = port << 8 | protocol;
        if (target.servedPorts.contains(key)) {
            return false;
        }
        if (!target.servedPorts.isEmpty()) {
            return !remote.served(target.name, key);
        }
        if (remote.knowsServed(target.name) && !remote.served(target.name, key)) {
            remoteUnserved.increment();
            return true;
        }
        return false;
    }

    /** As {@link #observeAddress(byte[], EndpointKind)}, reading the record's bytes in place. */
    public void observeAddress(com.google.protobuf.ByteString addr, EndpointKind kind) {
        if (kind != EndpointKind.CONTAINER || !clusterNetworks.isEmpty()) {
            return;
        }
        long p = prefix(addr);
        if (p == 0) {
            return;
        }
        int slot = (int) ((p * 0x9E3779B97F4A7C15L) >>> 56);
        if (knownPrefixes[slot] == p) {
            return;
        }
        if (state.learnedPrefixes.size() < PREFIX_LIMIT) {
            if (state.learnedPrefixes.add(p)) {
                destinationVersion++;
            }
            knownPrefixes[slot] = p;
        }
    }

    private static long prefix(com.google.protobuf.ByteString addr) {
        int n = addr.size();
        if (n == 4) {
            return 1L << 40 | (addr.byteAt(0) & 0xffL) << 16 | (addr.byteAt(1) & 0xffL) << 8 | (addr.byteAt(2) & 0xffL);
        }
        if (n == 16) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (addr.byteAt(i) & 0xff);
            }
            return v == 0 ? 2 : v;
        }
        return 0;
    }

    /** Learns the container address space (used as the address plan when none is configured). */
    public void observeAddress(byte[] addr, EndpointKind kind) {
        if (kind == EndpointKind.CONTAINER && clusterNetworks.isEmpty() && state.learnedPrefixes.size() < PREFIX_LIMIT) {
            long p = prefix(addr);
            if (p != 0 && state.learnedPrefixes.add(p)) {
                destinationVersion++;
            }
        }
    }

    /** An initiated flow to an address of the cluster's plan that no container holds. */
    public boolean darkAddress(ObservedFlow f) {
        if (f.dst.getKind() != EndpointKind.EXTERNAL) {
            return false;
        }
        byte[] addr = f.record.getDstAddr().toByteArray();
        if (!clusterNetworks.isEmpty()) {
            for (Cidr c : clusterNetworks) {
                if (c.contains(addr)) {
                    return true;
                }
            }
            return false;
        }
        long p = prefix(addr);
        if (p == 0) {
            return false;
        }
        if (state.learnedPrefixes.contains(p)) {
            return true;
        }
        if (remote.containerPrefix(p)) {
            remoteDark.increment();
            return true;
        }
        return false;
    }

    /** The prefix an address is learned under (IPv4 /24, IPv6 /64); 0 for another length. */
    public static long prefixOf(byte[] addr) {
        return prefix(addr);
    }

    private static long prefix(byte[] addr) {
        if (addr.length == 4) {
            return 1L << 40 | (addr[0] & 0xffL) << 16 | (addr[1] & 0xffL) << 8 | (addr[2] & 0xffL);
        }
        if (addr.length == 16) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (addr[i] & 0xff);
            }
            return v == 0 ? 2 : v;
        }
        return 0;
    }

    /**
     * Event time has reached {@code watermarkUs}: closes every container window that ended more
     * than the allowed lateness ago and forgets containers idle too long.
     */
    public void advanceTo(long watermarkUs) {
        long closable = windowOf(watermarkUs - settings.maxLatenessMicros()) - settings.windowMicros();
        if (closable <= state.closedWindow) {
            return;
        }
        List<String> idle = new ArrayList<>();
        for (ContainerActivity c : state.containers.values()) {
            if (c.window != Long.MIN_VALUE && c.window <= closable) {
                closeWindow(c);
                c.resetWindow(closable + settings.windowMicros());
            }
            if (watermarkUs - c.lastSeenUs > settings.containerIdleMicros()) {
                idle.add(c.containerId);
            }
        }
        for (String id : idle) {
            state.containers.remove(id);
        }
        state.closedWindow = closable;
        listener.windowsClosedUpTo(closable);
    }

    /** The edge's peer is a workload still in its own learning (edges to it are being learned too). */
    private boolean peerLearning(String edgeKey, long nowUs) {
        if (nowUs >= latestLearningEndUs) {
            return false; // no workload is learning any more
        }
        int second = edgeKey.lastIndexOf('|');
        int first = second <= 0 ? -1 : edgeKey.lastIndexOf('|', second - 1);
        if (first <= 0) {
            return false;
        }
        WorkloadBaseline peer = state.workloads.get(edgeKey.substring(0, first));
        return peer != null && peer.learning(nowUs);
    }

    private void closeWindow(ContainerActivity c) {
        WorkloadBaseline w = state.workloads.get(c.workload);
        if (w == null || c.window == Long.MIN_VALUE || c.windowAttempts == 0 && c.edgeWindow.isEmpty()) {
            return;
        }
        Phase phase = phase(w, c.window);
        for (Map.Entry<String, long[]> e : c.edgeWindow.entrySet()) {
            EdgeStats stats = w.edges.get(e.getKey());
            if (stats != null && (phase != Phase.MONITORING || peerLearning(e.getKey(), c.window))) {
                stats.learnWindow(e.getValue()[0], e.getValue()[1]);
            }
        }
        if (phase != Phase.MONITORING) {
            w.maxWindowFanout = Math.max(w.maxWindowFanout, c.windowDestinations.size());
            w.maxWindowPorts = Math.max(w.maxWindowPorts, c.windowPorts.size());
            w.maxWindowFailureRatio = Math.max(w.maxWindowFailureRatio, c.windowFailureRatio());
        }
        listener.windowClosed(c, w, c.window, phase);
    }
}
