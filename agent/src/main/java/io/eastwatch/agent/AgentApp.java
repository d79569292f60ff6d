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
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.agent.identity.ContainerResolver;
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
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final ShutdownSequence shutdown;
    private final CountDownLatch processingEnded = new CountDownLatch(1);
    private volatile String captureState = "starting";

    /** What the exporter stage is: the sink plus how to report and close it. */
    private interface Export extends FlowSink, AutoCloseable {
        HealthCheck.Result health();

        @Override
        void close();
    }

    private AgentApp(AgentConfig config, PrintStream out) throws IOException {
        this.config = config;
        this.metrics = new DaemonMetrics();
        MeterRegistry registry = metrics.registry();
        boolean offline = config.capture().file() != null;
        try {
            LOG.info("eastwatch agent {} on {} starting ({}); effective configuration:\n  {}",
                    config.agent().id(), config.agent().host(),
                    offline ? "reading " + config.capture().file() : "live capture",
                    String.join("\n  ", config.effective()));

            // Built from the end of the pipeline backwards: each stage receives its successor.
            this.export = config.output() == AgentConfig.Output.JSON
                    ? new JsonLinesExport(out, config.agent())
                    : kafkaExport(config, registry);
            this.identity = identity(config, offline, export, registry);
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
            closeResources();
            metrics.close();
            throw e;
        }
        this.shutdown = new ShutdownSequence(config.agent().shutdownTimeout())
                .then("stop capture", this::stopCapture)
                .then("flush flow table", flowTable::flushAll)
                .then("flush identity", identity::flush)
                .then("flush exporter", export::flush)
                .then("close exporter", export::close)
                .then("close resolvers", this::closeResources);
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
        for (ContainerResolver r : resolvers) {
            r.start();
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

    private void onPacket(long tsMicros, int wireLen, java.nio.ByteBuffer buf, int offset, int capLen,
                          int linkType, int interfaceId) {
        if (decoder.decode(tsMicros, wireLen, buf, offset, capLen, linkType, interfaceId, meta) == DecodeResult.OK) {
            flowTable.onPacket(meta);
        }
    }

    /** Stops gracefully; blocks until the shutdown sequence has run (at most once, bounded). */
    public synchronized void stop() {
        if (shutdown.run()) {
            LOG.info("agent stopped cleanly");
        }
    }

    /** The address the ops server listens on, or null when it is off. */
    public java.net.InetSocketAddress opsAddress() {
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

    private void add(ContainerResolver r) {
        resolvers.add(r);
        resources.add(r);
    }

    private static Export kafkaExport(AgentConfig config, MeterRegistry registry) {
        throw new ConfigException("output", "kafka", "is not available in this build (use --output json)");
    }

    private OpsHttpServer opsServer(AgentConfig config, MeterRegistry registry) throws IOException {
        HealthRoute health = new HealthRoute()
                .register("capture", this::captureHealth)
                .register("flow_table", () -> flowTable.emergency()
                        ? HealthCheck.Result.degraded("emergency mode: " + flowTable.size() + " flows")
                        : HealthCheck.Result.up(flowTable.size() + " flows"))
                .register("export", export::health);
        for (ContainerResolver r : resolvers) {
            health.register("identity." + r.name(), () -> HealthCheck.Result.up(r.containersKnown() + " containers known"));
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
     * {@code --output json}: one flow record per line on standard output, numbered like the Kafka
     * exporter numbers them so that piped output can be checked for gaps. Lines are written as
     * the flow table ends flows; the stream is flushed at every watermark and at shutdown.
     */
    private static final class JsonLinesExport implements Export {
        private static final com.google.protobuf.util.JsonFormat.Printer JSON =
                com.google.protobuf.util.JsonFormat.printer().omittingInsignificantWhitespace();
        private final PrintStream out;
        private final String agentId;
        private final String host;
        private long sequence;

        JsonLinesExport(PrintStream out, AgentConfig.Identity agent) {
            this.out = out;
            this.agentId = agent.id();
            this.host = agent.host();
        }

        @Override
        public synchronized void accept(FlowRecord.Builder flow) {
            flow.setAgentId(agentId).setHost(host).setSequence(++sequence);
            try {
                out.print(JSON.print(flow));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("flow record cannot be rendered as JSON", e);
            }
            out.print('\n');
        }

        @Override
        public synchronized void advance(long watermarkMicros) {
            out.flush();
        }

        @Override
        public synchronized void flush() {
            out.flush();
        }

        @Override
        public HealthCheck.Result health() {
            return out.checkError()
                    ? HealthCheck.Result.down("standard output is closed")
                    : HealthCheck.Result.up(sequence + " flows written");
        }

        @Override
        public void close() {
            flush();
        }
    }
}
