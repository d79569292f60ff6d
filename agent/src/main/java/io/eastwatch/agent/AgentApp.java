package io.eastwatch.agent;

import io.eastwatch.agent.capture.CaptureSettings;
import io.eastwatch.agent.capture.DiscoverySettings;
import io.eastwatch.agent.capture.InterfaceDiscovery;
import io.eastwatch.agent.capture.LivePcapSource;
import io.eastwatch.agent.capture.PacketHandler;
import io.eastwatch.agent.capture.PacketSource;
import io.eastwatch.agent.capture.PcapFileSource;
import io.eastwatch.agent.decode.DecodeResult;
import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.agent.export.AgentStats;
import io.eastwatch.agent.export.CountingFlowSink;
import io.eastwatch.agent.export.JsonFlowExporter;
import io.eastwatch.agent.export.KafkaExportSettings;
import io.eastwatch.agent.export.IdentityAnnouncer;
import io.eastwatch.agent.export.KafkaFlowExporter;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.agent.identity.ContainerResolver;
import io.eastwatch.agent.identity.DockerContainerResolver;
import io.eastwatch.agent.identity.DockerResolverSettings;
import io.eastwatch.agent.identity.HostAddresses;
import io.eastwatch.agent.identity.IdentityEnricher;
import io.eastwatch.agent.identity.IdentityEnricherSettings;
import io.eastwatch.agent.identity.InventoryException;
import io.eastwatch.agent.identity.InventoryResolver;
import io.eastwatch.agent.identity.InventorySettings;
import io.eastwatch.agent.identity.ProcContainerResolver;
import io.eastwatch.agent.identity.ProcResolverSettings;
import io.eastwatch.agent.identity.ResolverLimits;
import io.eastwatch.daemon.DaemonMetrics;
import io.eastwatch.daemon.ShutdownSequence;
import io.eastwatch.daemon.config.ConfigException;
import io.eastwatch.daemon.ops.HealthCheck;
import io.eastwatch.daemon.ops.HealthRoute;
import io.eastwatch.daemon.ops.MetricsRoute;
import io.eastwatch.daemon.ops.OpsHttpServer;
import io.eastwatch.daemon.ops.OpsHttpSettings;
import io.eastwatch.daemon.ops.OpsRoutes;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.search.Search;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent daemon, wired explicitly in data-flow order:
 * capture ({@link PacketSource}) -> decode ({@link PacketDecoder}) -> flows ({@link FlowTable})
 * -> identity ({@link IdentityEnricher}) -> export (Kafka, or JSON lines on stdout).
 *
 * <p>Threads: the thread that calls {@link #run} is the packet-processing thread; decoder and
 * flow table are confined to it (neither is thread-safe). {@link #stop} may come from any thread
 * (the SIGTERM shutdown hook): it stops the capture, waits for the processing thread to leave
 * the table, then flushes the table, the identity stage and the exporter and closes the producer,
 * in that order, within {@code agent.shutdown_timeout}.
 */
public final class AgentApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentApp.class);
    private static final String METRIC_PREFIX = "eastwatch.agent";

    private final AgentConfig config;
    private final DaemonMetrics metrics;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<ContainerResolver> resolvers = new ArrayList<>();
    private final Export export;
    private final IdentityEnricher identity;
    private final FlowTable flowTable;
    private final PacketDecoder decoder;
    private final PacketMeta meta = new PacketMeta();
    private final PacketSource source;
    private final OpsHttpServer ops;
    private final IdentityAnnouncer announcer;
    private final ShutdownSequence shutdown;
    private final CountDownLatch processingEnded = new CountDownLatch(1);
    private volatile String captureState = "starting";
    /** Guarded by {@code this}: run() begins only if stop() has not come first. */
    private boolean started;
    private boolean stopped;

    /** The export stage: the sink, how it reports its health, how it is drained and closed. */
    private record Export(FlowSink sink, Supplier<HealthCheck.Result> health, ShutdownSequence.Step drain,
                          Runnable close) {
    }

    private AgentApp(AgentConfig config, PrintStream out) throws IOException {
        this.config = config;
        this.metrics = new DaemonMetrics();
        MeterRegistry registry = metrics.registry();
        boolean offline = config.capture().file() != null;
        Export built = null;
        try {
            LOG.info("eastwatch agent {} on {} starting ({}); effective configuration:\n  {}",
                    config.agent().id(), config.agent().host(),
                    offline ? "reading " + config.capture().file() : "live capture",
                    String.join("\n  ", config.effective()));

            // Built from the end of the pipeline backwards: each stage receives its successor.
            built = switch (config.output()) {
                case JSON -> jsonExport(config, out, registry);
                case COUNT -> countExport(out);
                case KAFKA -> kafkaExport(config, registry);
            };
            this.export = built;
            this.identity = identity(config, offline, export.sink(), registry);
            this.announcer = announcer(config, offline, registry);
            this.source = offline
                    ? new PcapFileSource(config.capture().file(), registry)
                    : liveSource(config, registry);
            resources.add(source);
            this.flowTable = new FlowTable(settings("flow_table", () -> flowTableSettings(config.flowTable())),
                    identity, source::interfaceName, registry);
            this.decoder = new PacketDecoder(registry);
            if (source instanceof LivePcapSource live) {
                // idle interfaces still expire flows: the table's clock follows the wall clock
                live.setTicker(flowTable::advance);
            }
            this.ops = config.ops().enabled() ? opsServer(config, registry) : null;
        } catch (IOException | RuntimeException e) {
            if (built != null) {
                built.close().run();
            }
            closeResources();
            metrics.close();
            throw e;
        }
        this.shutdown = new ShutdownSequence(config.agent().shutdownTimeout())
                .then("stop capture", this::stopCapture)
                .then("flush flow table", flowTable::flushAll)
                .then("flush identity", identity::flush)
                .then("flush exporter", export.drain())
                .then("close exporter", export.close()::run)
                .then("release capture, resolvers and ops server", this::closeResources);
    }

    /**
     * Builds the whole agent from its configuration: opens the capture, starts the resolvers and
     * the ops server. Throws {@link ConfigException} for a setting a stage refuses, and
     * {@link IOException} when a file or socket cannot be opened.
     */
    public static AgentApp create(AgentConfig config, PrintStream out) throws IOException {
        return new AgentApp(config, out);
    }

    /**
     * Processes packets on the calling thread until the capture file ends or {@link #stop} is
     * called, then runs the shutdown sequence (so a file run ends with every flow exported).
     */
    public void run() throws IOException {
        synchronized (this) {
            if (stopped) {
                return;
            }
            started = true;
        }
        for (ContainerResolver r : resolvers) {
            r.start();
        }
        if (announcer != null) {
            announcer.start();
        }
        captureState = "running";
        PacketHandler handler = this::onPacket;
        try {
            source.run(handler);
            captureState = "finished";
        } catch (IOException | RuntimeException e) {
            captureState = "failed: " + e.getMessage();
            throw e;
        } finally {
            processingEnded.countDown();
            stop();
        }
    }

    private void onPacket(long tsMicros, int wireLen, ByteBuffer buf, int offset, int capLen,
                          int linkType, int interfaceId) {
        if (decoder.decode(tsMicros, wireLen, buf, offset, capLen, linkType, interfaceId, meta) == DecodeResult.OK) {
            flowTable.onPacket(meta);
        }
    }

    /** Stops gracefully; blocks until the shutdown sequence has run (at most once, bounded). */
    public synchronized void stop() {
        stopped = true;
        if (shutdown.run()) {
            LOG.info("agent stopped cleanly");
        }
    }

    /** The address the ops server listens on, or null when it is off. */
    public InetSocketAddress opsAddress() {
        return ops == null ? null : ops.address();
    }

    @Override
    public void close() {
        stop();
        if (ops != null) {
            ops.close();
        }
        metrics.close();
    }

    private void stopCapture() throws InterruptedException {
        source.close();
        if (!started) {
            return; // stopped before run(): no processing thread owns the flow table
        }
        // the flow table belongs to the processing thread until it has left run()
        if (!processingEnded.await(config.agent().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("packet processing did not stop");
        }
    }

    private void closeResources() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", resources.get(i), e);
            }
        }
        resources.clear();
    }

    private PacketSource liveSource(AgentConfig config, MeterRegistry registry) {
        AgentConfig.Capture c = config.capture();
        CaptureSettings defaults = CaptureSettings.defaults();
        CaptureSettings capture = settings("capture", () -> new CaptureSettings(c.snaplen(), c.bufferBytes(),
                c.promiscuous(), defaults.immediate(), defaults.timeoutMillis(), c.bpfFilter(), c.ringSlots(),
                defaults.sampleFraction(), defaults.sampleOneIn(), defaults.reserveFraction(),
                defaults.tickIntervalMillis()));
        DiscoverySettings discovery = settings("capture", () -> new DiscoverySettings(c.interfaces(), c.autoDiscover(),
                c.include(), c.exclude(), (int) c.pollInterval().toMillis(), Path.of("/sys/class/net")));
        return new LivePcapSource(capture, new InterfaceDiscovery(discovery), registry);
    }

    private IdentityEnricher identity(AgentConfig config, boolean offline, FlowSink next, MeterRegistry registry)
            throws IOException {
        AgentConfig.Resolvers r = config.identity();
        String host = config.agent().host();
        if (offline) {
            // this host's runtime knows nothing about the containers of a recorded capture
            LOG.info("reading a capture file: only the inventory resolver is used");
        } else {
            if (r.dockerEnabled()) {
                DockerResolverSettings d = DockerResolverSettings.defaults(host);
                DockerResolverSettings s = settings("identity.docker", () -> new DockerResolverSettings(r.dockerSocket(),
                        d.apiVersion(), d.requestTimeout(), d.reconnectMin(), d.reconnectMax(), d.maxResponseBytes(),
                        d.maxEventBytes(), r.procRoot(), d.sysClassNet(), host, d.limits()));
                add(new DockerContainerResolver(s, registry));
            }
            if (r.procEnabled()) {
                ProcResolverSettings d = ProcResolverSettings.defaults(host);
                ProcResolverSettings s = settings("identity.proc", () -> new ProcResolverSettings(r.procScanInterval(),
                        r.procRoot(), d.sysClassNet(), d.dockerContainers(), d.bundleRoots(), host, d.limits()));
                add(new ProcContainerResolver(s, registry));
            }
        }
        if (r.inventoryFile() != null) {
            if (!Files.isReadable(r.inventoryFile())) {
                throw new ConfigException("identity.inventory.file", r.inventoryFile(), "must be a readable file");
            }
            try {
                add(new InventoryResolver(settings("identity.inventory", () -> new InventorySettings(r.inventoryFile(),
                        r.inventoryReloadInterval(), ResolverLimits.DEFAULTS)), registry));
            } catch (InventoryException e) {
                throw new ConfigException("identity.inventory.file", r.inventoryFile(), "is not a valid inventory: "
                        + e.getMessage());
            }
        }
        HostAddresses hostAddresses = new HostAddresses(List.of(), !offline, 10_000);
        IdentityEnricherSettings s = settings("identity", () -> new IdentityEnricherSettings(r.gracePeriod(),
                r.maxPending(), r.containerNetworks(), host));
        return new IdentityEnricher(s, resolvers, hostAddresses, next, registry);
    }

    /** The fleet-wide announcement of this host's containers (live capture to Kafka only). */
    private IdentityAnnouncer announcer(AgentConfig config, boolean offline, MeterRegistry registry) {
        AgentConfig.Export e = config.export();
        if (offline || config.output() != AgentConfig.Output.KAFKA || e.identityTopic().isEmpty() || resolvers.isEmpty()) {
            return null;
        }
        IdentityAnnouncer.Settings d = IdentityAnnouncer.Settings.defaults();
        IdentityAnnouncer a = new IdentityAnnouncer(new IdentityAnnouncer.Settings(e.identityTopic(), d.checkInterval(),
                d.refreshInterval(), d.maxAddresses()), config.agent().id(), config.agent().host(), resolvers,
                String.join(",", e.bootstrapServers()), e.security().clientProperties(), registry);
        resources.add(a);
        return a;
    }

    private void add(ContainerResolver r) {
        resolvers.add(r);
        resources.add(r);
    }

    private static Export jsonExport(AgentConfig config, PrintStream out, MeterRegistry registry) {
        JsonFlowExporter json = new JsonFlowExporter(config.agent().id(), config.agent().host(), out, registry);
        return new Export(json, () -> out.checkError()
                ? HealthCheck.Result.down("standard output is closed")
                : HealthCheck.Result.up("writing JSON lines"), json::flush, json::flush);
    }

    private static Export countExport(PrintStream out) {
        CountingFlowSink count = new CountingFlowSink(out);
        return new Export(count, () -> HealthCheck.Result.up("counting flow records"), count::flush, count::flush);
    }

    private Export kafkaExport(AgentConfig config, MeterRegistry registry) throws IOException {
        AgentConfig.Export e = config.export();
        Files.createDirectories(e.stateDir());
        Files.createDirectories(e.spoolDir());
        KafkaExportSettings d = KafkaExportSettings.defaults(String.join(",", e.bootstrapServers()),
                config.agent().id(), config.agent().host(), e.stateDir());
        // flush and close each get a share of the shutdown budget, so both fit in it
        Duration close = min(d.closeTimeout(), config.agent().shutdownTimeout().dividedBy(4));
        KafkaExportSettings s = settings("export", () -> new KafkaExportSettings(d.bootstrapServers(), e.topic(),
                d.agentId(), d.host(), e.stateDir(), e.spoolDir(), e.spoolMaxBytes(),
                Math.min(d.spoolSegmentBytes(), Math.max(1 << 20, e.spoolMaxBytes() / 8)), d.handoffCapacity(),
                d.maxInFlightRecords(), d.maxInFlightBytes(), d.stallTimeout(), d.retryBackoff(), e.heartbeatInterval(),
                d.linger(), d.batchBytes(), e.compression(), d.deliveryTimeout(), d.requestTimeout(), close,
                d.sequenceBlock()));
        KafkaFlowExporter kafka = new KafkaFlowExporter(s, new RegistryAgentStats(registry), registry, e.security());
        return new Export(kafka, () -> kafka.authFailure() != null
                // a wrong CA or password does not heal by waiting: down, not degraded
                ? HealthCheck.Result.down(kafka.authFailure() + "; spooling, " + kafka.spoolBytes() + " bytes on disk")
                : kafka.spooling()
                ? HealthCheck.Result.degraded("Kafka unreachable: spooling, " + kafka.spoolBytes() + " bytes on disk")
                : HealthCheck.Result.up(kafka.exportedCount() + " flows acknowledged"),
                () -> drain(kafka, close), kafka::close);
    }

    /**
     * Waits for the producer's acknowledgements, then, while the exporter still runs, for the
     * spool to empty: records spooled because Kafka was away (or its topic metadata not known yet,
     * as when a short capture file ends within a second of start) are sent now rather than left
     * for the next start. Bounded: with Kafka still away they stay spooled, nothing is lost.
     */
    private static void drain(KafkaFlowExporter kafka, Duration budget) throws InterruptedException {
        kafka.flush();
        long deadline = System.nanoTime() + budget.toNanos();
        while ((kafka.spooling() || kafka.spoolBytes() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (kafka.spoolBytes() > 0) {
            LOG.warn("Kafka did not take the spool before shutdown: {} bytes stay spooled for the next start",
                    kafka.spoolBytes());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private OpsHttpServer opsServer(AgentConfig config, MeterRegistry registry) throws IOException {
        HealthRoute health = new HealthRoute()
                .register("capture", this::captureHealth)
                .register("flow_table", () -> flowTable.emergency()
                        ? HealthCheck.Result.degraded("emergency mode: " + flowTable.size() + " flows")
                        : HealthCheck.Result.up(flowTable.size() + " flows"))
                .register("export", export.health()::get);
        for (ContainerResolver r : resolvers) {
            health.register("identity." + r.name(), () -> resolverHealth(r));
        }
        OpsRoutes routes = new OpsRoutes()
                .get("/metrics", new MetricsRoute(metrics.registry()))
                .get("/healthz", health);
        OpsHttpServer server = new OpsHttpServer(
                settings("ops", () -> new OpsHttpSettings(config.ops().bindAddress(), config.ops().port())),
                routes, registry, METRIC_PREFIX);
        server.start();
        resources.add(server);
        return server;
    }

    /** A resolver that has not heard from its runtime yet still lets flows through (unresolved). */
    private static HealthCheck.Result resolverHealth(ContainerResolver r) {
        if (r instanceof DockerContainerResolver docker) {
            var sync = docker.firstSync();
            if (sync.isCompletedExceptionally()) {
                return HealthCheck.Result.degraded("Docker API unreachable; other resolvers answer");
            }
            if (!sync.isDone()) {
                return HealthCheck.Result.degraded("waiting for the first container list from the Docker API");
            }
        }
        return HealthCheck.Result.up(r.containersKnown() + " containers known");
    }

    private HealthCheck.Result captureHealth() {
        String state = captureState;
        if (state.startsWith("failed")) {
            return HealthCheck.Result.down(state);
        }
        if (source instanceof LivePcapSource live) {
            int n = live.capturing().size();
            return n == 0 && state.equals("running")
                    ? HealthCheck.Result.degraded("no interface captured yet")
                    : HealthCheck.Result.up(state + ", " + n + " interfaces");
        }
        return HealthCheck.Result.up(state);
    }

    private static FlowTableSettings flowTableSettings(AgentConfig.FlowTable f) {
        return new FlowTableSettings(f.maxFlows(), f.idleTimeout(), f.activeTimeout(), f.unansweredTimeout(),
                f.linger(), f.emergencyHighWater(), f.emergencyLowWater(), f.emergencyIdleTimeout(),
                f.emergencyUnansweredTimeout());
    }

    /**
     * Builds a stage's settings record; a value the stage refuses (a rule the key declarations do
     * not know) becomes a configuration error naming the section, so it still exits 2.
     */
    private static <T> T settings(String section, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(section, "Invalid configuration in " + section + ": " + e.getMessage());
        }
    }

    /**
     * The totals heartbeats carry, read from the meters the stages already keep (so the hot paths
     * count nothing twice). Read on the exporter thread every heartbeat.
     */
    private static final class RegistryAgentStats implements AgentStats {
        private final MeterRegistry registry;

        RegistryAgentStats(MeterRegistry registry) {
            this.registry = registry;
        }

        private long sum(String name) {
            return sum(registry.find(name));
        }

        private static long sum(Search search) {
            double total = 0;
            for (Meter m : search.meters()) {
                for (Measurement v : m.measure()) {
                    total += v.getValue();
                    break;
                }
            }
            return (long) total;
        }

        @Override
        public long packetsCaptured() {
            return sum("eastwatch.agent.capture.packets") + sum("eastwatch.agent.capture.file.packets");
        }

        @Override
        public long packetsDroppedKernel() {
            return sum("eastwatch.agent.capture.kernel.drops");
        }

        @Override
        public long packetsDroppedAgent() {
            return sum("eastwatch.agent.capture.shed") + sum("eastwatch.agent.decode.errors");
        }

        @Override
        public long flowsUnresolved() {
            return sum(registry.find("eastwatch.agent.identity.endpoints").tag("kind", "unresolved"));
        }

        @Override
        public long flowsEvicted() {
            return sum("eastwatch.agent.flow.evicted");
        }

        @Override
        public boolean emergency() {
            return sum("eastwatch.agent.flow.emergency") > 0;
        }
    }
}
