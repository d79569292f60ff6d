package io.eastwatch.collector;

import io.eastwatch.collector.alert.AlertSink;
import io.eastwatch.collector.alert.IncidentTracker;
import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.ContainerActivity;
import io.eastwatch.collector.baseline.ObservedFlow;
import io.eastwatch.collector.baseline.WorkloadBaseline;
import io.eastwatch.collector.coverage.CoverageMonitor;
import io.eastwatch.collector.detect.BruteForceDetector;
import io.eastwatch.collector.detect.FlowContext;
import io.eastwatch.collector.detect.FlowDetector;
import io.eastwatch.collector.detect.NewEdgeDetector;
import io.eastwatch.collector.detect.ReplicaOutlierDetector;
import io.eastwatch.collector.detect.ScanDetector;
import io.eastwatch.collector.detect.VolumeDetector;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Objects;

/**
 * The collector's detection pipeline in process, without Kafka: baseline, the five detectors and
 * the incident tracker, all in event time. Feed it flows and heartbeats in (roughly) capture
 * order; it advances its own clock to the newest flow minus the allowed lateness, and
 * {@link #advanceTo} moves it further when agents are idle (their heartbeat watermarks). Call
 * {@link #finish()} at the end of a replay so open windows are judged. Not thread-safe: one
 * engine per Kafka partition, driven by one thread.
 */
public final class DetectionEngine {

    private final CollectorSettings settings;
    private final BaselineStore store;
    private final ScanDetector scan;
    private final NewEdgeDetector newEdge;
    private final BruteForceDetector bruteForce;
    private final VolumeDetector volume;
    private final ReplicaOutlierDetector replicaOutlier;
    private final CoverageMonitor coverage;
    private final IncidentTracker incidents;
    private final List<FlowDetector> detectors;
    private final FlowContext ctx = new FlowContext();
    private final Counter flows;
    private final Counter ignored;
    private long newestUs = Long.MIN_VALUE;
    private long watermarkUs = Long.MIN_VALUE;

    public DetectionEngine(CollectorSettings settings, AlertSink sink, MeterRegistry registry) {
        this(settings, sink, registry, true);
    }

    /**
     * @param ownGauges register gauges of this engine's table sizes; false when several engines (one per
     *                  partition) share a registry and the owner registers summing gauges
     */
    public DetectionEngine(CollectorSettings settings, AlertSink sink, MeterRegistry registry, boolean ownGauges) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(sink, "sink");
        this.replicaOutlier = new ReplicaOutlierDetector(settings.replicaOutlier());
        this.store = new BaselineStore(settings.baseline(), replicaOutlier, registry, ownGauges);
        this.coverage = new CoverageMonitor(settings.health(), this::reportHealth);
        this.incidents = new IncidentTracker(settings.incidents(), sink, coverage::coverageFor, registry);
        this.replicaOutlier.bind(store, incidents);
        long idle = settings.baseline().containerIdleMicros();
        this.scan = new ScanDetector(settings.scan(), registry);
        this.newEdge = new NewEdgeDetector(settings.newEdge(), idle);
        this.bruteForce = new BruteForceDetector(settings.bruteForce(), settings.baseline().windowMicros(), registry);
        this.volume = new VolumeDetector(settings.volume(), idle);
        this.detectors = List.of(scan, newEdge, bruteForce, volume);
        this.flows = Counter.builder("eastwatch.collector.flows.detected")
                .description("Flow records judged by the detection engine").register(registry);
        this.ignored = Counter.builder("eastwatch.collector.flows.unattributed")
                .description("Flows whose source is not a resolved container (learned as served ports only)")
                .register(registry);
        ctx.store = store;
    }

    public int workloadCount() {
        return store.workloadCount();
    }

    public long edgeCount() {
        return store.edgeCount();
    }

    public CollectorSettings settings() {
        return settings;
    }

    public void onFlow(FlowRecord record) {
        onFlow(record, System.nanoTime());
    }

    /**
     * Judges one flow record.
     *
     * @param arrivalNanos {@link System#nanoTime()} when the record reached the collector (latency metric)
     */
    public void onFlow(FlowRecord record, long arrivalNanos) {
        flows.increment();
        incidents.arrival(arrivalNanos);
        ObservedFlow f = store.digest(record);
        store.start(f.firstUs);
        if (f.lastUs > newestUs) {
            newestUs = f.lastUs;
        }
        coverage.onFlow(record);
        store.observeAddress(record.getSrcAddr(), f.src.getKind());
        store.observeAddress(record.getDstAddr(), f.dst.getKind());
        WorkloadBaseline target = null;
        if (f.dst.getKind() == EndpointKind.CONTAINER) {
            target = store.workload(f.dstWorkload(), f.firstUs);
        }
        if (!f.sourceIsContainer()) {
            ignored.increment();
            store.observeServed(f, f.firstUs);
            tick();
            return;
        }
        WorkloadBaseline w = store.workload(f.sourceWorkload(), f.firstUs);
        if (w == null) {
            tick();
            return;
        }
        ContainerActivity c = store.container(f, w);
        BaselineStore.Phase phase = store.phase(w, f.firstUs);
        ctx.workload = w;
        ctx.container = c;
        ctx.phase = phase;
        ctx.target = target;
        ctx.firstContact = f.attempt != ObservedFlow.Attempt.NONE && c.firstContact(f.destinationHash);
        ctx.knownEdge = store.knownEdge(w, f);
        ctx.targetInGrace = phase == BaselineStore.Phase.MONITORING && target != null && target != w
                && target.learning(f.firstUs);
        boolean learn = phase != BaselineStore.Phase.MONITORING || ctx.targetInGrace;
        store.observe(f, w, c, learn, ctx.firstContact);
        store.observeServed(f, f.firstUs);
        for (FlowDetector d : detectors) {
            d.onFlow(f, ctx, incidents);
        }
        tick();
    }

    public void onHeartbeat(AgentHeartbeat heartbeat) {
        incidents.arrival(System.nanoTime());
        coverage.onHeartbeat(heartbeat, System.currentTimeMillis());
    }

    /**
     * Daemon only (never in replay): raises the health alert for agents whose heartbeats stopped
     * arriving for the silence interval of wall time, which the event-time test cannot see when
     * every agent stops at once.
     */
    public void checkAgentsWallClock(long wallMillis) {
        incidents.arrival(0);
        coverage.checkWallClock(wallMillis);
    }

    /** Moves event time to {@code eventTimeUs} (e.g. the minimum watermark of live agents). */
    public void advanceTo(long eventTimeUs) {
        if (eventTimeUs <= watermarkUs) {
            return;
        }
        watermarkUs = eventTimeUs;
        store.advanceTo(eventTimeUs);
        for (FlowDetector d : detectors) {
            d.advanceTo(eventTimeUs);
        }
        coverage.advanceTo(eventTimeUs);
        incidents.advanceTo(eventTimeUs);
    }

    /** End of input (replay): judges every open window as if event time had moved on. */
    public void finish() {
        if (newestUs != Long.MIN_VALUE) {
            long end = newestUs + settings.baseline().maxLatenessMicros() + 2 * settings.baseline().windowMicros();
            store.advanceTo(end);
        }
    }

    /** Collector-wide coverage facts from ingest, quoted in every alert's coverage note. */
    public void setConsumerLag(long records) {
        coverage.setConsumerLag(records);
    }

    public void addSequenceGap(long missingRecords) {
        coverage.addSequenceGap(missingRecords);
    }

    /** Event time the engine has advanced to. */
    public long watermarkUs() {
        return watermarkUs;
    }

    public long newestUs() {
        return newestUs;
    }

    /** The minimum watermark of agents that are not silent; Long.MAX_VALUE if none is known. */
    public long liveAgentWatermark() {
        return coverage.liveWatermark(newestUs);
    }

    private void tick() {
        long t = newestUs - settings.baseline().maxLatenessMicros();
        if (t > watermarkUs && store.windowOf(t) > store.windowOf(watermarkUs == Long.MIN_VALUE ? t - settings.baseline().windowMicros() : watermarkUs)) {
            advanceTo(t);
        }
    }

    private void reportHealth(io.eastwatch.collector.detect.Finding f) {
        incidents.report(f);
    }

    /** Everything the engine learned and holds open, for snapshots (see {@link EngineState}). */
    public EngineState snapshot() {
        EngineState s = new EngineState();
        s.baseline = store.state();
        s.scan = scan.state();
        s.newEdge = newEdge.state();
        s.bruteForce = bruteForce.state();
        s.volume = volume.state();
        s.replicaOutlier = replicaOutlier.state();
        s.coverage = coverage.state();
        s.incidents = incidents.state();
        s.newestUs = newestUs;
        s.watermarkUs = watermarkUs;
        return s;
    }

    public void restore(EngineState s) {
        store.restore(s.baseline);
        scan.restore(s.scan);
        newEdge.restore(s.newEdge);
        bruteForce.restore(s.bruteForce);
        volume.restore(s.volume);
        replicaOutlier.restore(s.replicaOutlier);
        coverage.restore(s.coverage);
        incidents.restore(s.incidents);
        newestUs = s.newestUs;
        watermarkUs = s.watermarkUs;
    }

    /**
     * Consults other partitions' served ports and container prefixes (the group's destination view)
     * for the scan detector's darknet evidence. A thread-safe read-only view; set between batches.
     */
    public void destinations(io.eastwatch.collector.baseline.RemoteDestinations view) {
        store.remote(view);
    }

    /** Changes whenever this partition learned a served port or a container prefix, or was restored. */
    public long destinationVersion() {
        return store.destinationVersion();
    }

    /** The learned baseline in place (served ports, prefixes), for the destination summary. Engine thread only. */
    public BaselineStore.State baselineState() {
        return store.state();
    }

    /** Approves an edge at run time (the API's feedback loop); kept in the snapshot. Engine thread only. */
    public boolean approve(io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge edge) {
        return store.approve(edge);
    }

    /** Revokes a run-time approval; the removal is in the next snapshot. Engine thread only. */
    public boolean revoke(io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge edge) {
        return store.revoke(edge);
    }

    /**
     * A copy of the learned baselines for the API, taken on the engine thread: per workload its
     * phase, replicas and edges ("peer|port|protocol" -> flows, bytes, failures, first/last seen).
     */
    public java.util.List<BaselineCopy> baselineCopy(long nowUs) {
        java.util.List<BaselineCopy> out = new java.util.ArrayList<>();
        for (io.eastwatch.collector.baseline.WorkloadBaseline w : store.state().workloads.values()) {
            java.util.List<EdgeCopy> edges = new java.util.ArrayList<>();
            for (java.util.Map.Entry<String, io.eastwatch.collector.baseline.EdgeStats> e : w.edges.entrySet()) {
                String[] k = e.getKey().split("\\|");
                io.eastwatch.collector.baseline.EdgeStats st = e.getValue();
                edges.add(new EdgeCopy(k[0], k.length > 1 ? Integer.parseInt(k[1]) : 0,
                        k.length > 2 ? Integer.parseInt(k[2]) : 0, st.flows, st.bytes, st.failures,
                        st.firstSeenUs, st.lastSeenUs));
            }
            out.add(new BaselineCopy(w.name, store.phase(w, nowUs).name().toLowerCase(java.util.Locale.ROOT),
                    w.replicas.size(), w.firstSeenUs, edges));
        }
        return out;
    }

    /** Edges approved in this engine, by configuration and at run time (a copy). Engine thread only. */
    public java.util.Set<io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge> approvedEdges() {
        java.util.Set<io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge> all =
                new java.util.HashSet<>(store.state().approved);
        all.addAll(store.settings().approvedEdges());
        return all;
    }

    /** One workload's baseline, copied for readers outside the engine thread. */
    public record BaselineCopy(String workload, String phase, int replicas, long firstSeenUs, java.util.List<EdgeCopy> edges) {
    }

    public record EdgeCopy(String peer, int port, int protocol, long flows, long bytes, long failures,
                           long firstSeenUs, long lastSeenUs) {
    }
}
