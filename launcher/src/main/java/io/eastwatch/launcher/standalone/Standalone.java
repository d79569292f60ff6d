package io.eastwatch.launcher.standalone;

import io.eastwatch.agent.AgentApp;
import io.eastwatch.agent.AgentConfig;
import io.eastwatch.agent.capture.DiscoverySettings;
import io.eastwatch.agent.capture.InterfaceDiscovery;
import io.eastwatch.agent.capture.NetInterface;
import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorApprovals;
import io.eastwatch.collector.CollectorBaselineView;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.alert.JsonLinesAlertSink;
import io.eastwatch.collector.api.AlertIndex;
import io.eastwatch.collector.api.AlertIndexFeeder;
import io.eastwatch.collector.api.AlertIndexMetrics;
import io.eastwatch.collector.api.ApiRoutes;
import io.eastwatch.collector.ingest.IngestSettings;
import io.eastwatch.daemon.DaemonMetrics;
import io.eastwatch.daemon.UsageException;
import io.eastwatch.daemon.config.ConfigException;
import io.eastwatch.daemon.ops.HealthCheck;
import io.eastwatch.daemon.ops.HealthRoute;
import io.eastwatch.daemon.ops.MetricsRoute;
import io.eastwatch.daemon.ops.OpsHttpServer;
import io.eastwatch.daemon.ops.OpsHttpSettings;
import io.eastwatch.daemon.ops.OpsResponse;
import io.eastwatch.daemon.ops.OpsRoutes;
import io.eastwatch.launcher.EmbeddedKafka;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * eastwatch in one process, for trying it out on one host: an embedded single-node KRaft broker,
 * the agent daemon capturing this host's container interfaces, and the collector daemon (ops
 * server with /metrics, /healthz, /readyz and the /api/v1 alerts API; alerts topic; an alert log
 * of JSON lines). The parts are the daemons' own classes wired as their mains wire them, talking
 * through a real broker, so what a newcomer sees here is what a fleet deployment does.
 *
 * <p>{@link #start} returns a running instance (the handle): its addresses, the alerts as they are
 * raised ({@link #addAlertListener}, {@link #awaitAlert}) and {@link #close}, which stops in the
 * order that loses nothing: the agent stops capturing and sends every flow in its table, the
 * collector consumes up to the end of the flows topic and commits, then the broker stops.
 *
 * <p>Problems the user must fix (no container interface, a port in use) are
 * {@link UsageException}s naming the option; anything else is a runtime failure.
 */
public final class Standalone implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);
    /** One partition: one host's flows, judged in the order the agent exported them. */
    private static final int FLOWS_PARTITIONS = 1;
    private static final String INSTANCE = "standalone";
    /** Alert revisions kept for {@link #alerts()} and {@link #awaitAlert}; older ones are still in the log. */
    private static final int KEEP_REVISIONS = 10_000;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    /** Receives every alert revision on the collector's detection thread: must not block. */
    @FunctionalInterface
    public interface AlertListener {
        void onAlert(Alert alert);
    }

    private final StandaloneOptions options;
    private final Path alertLog;
    private final String apiToken;
    private final boolean tokenGenerated;
    private final List<AlertListener> listeners = new CopyOnWriteArrayList<>();
    private final Deque<Alert> revisions = new ArrayDeque<>();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private EmbeddedKafka kafka;
    private DaemonMetrics collectorMetrics;
    private Counter listenerErrors;
    private JsonLinesAlertSink alertFile;
    private CollectorApp collector;
    private AlertIndexFeeder feeder;
    private OpsHttpServer collectorOps;
    private AgentApp agent;
    private Thread agentThread;
    private volatile Throwable agentFailure;
    private List<String> captured = List.of();
    private IngestSettings ingest;
    private boolean closed;
    private volatile Drain drain;

    /**
     * How the last {@link #close} ended: the flow records on the flows topic when the agent had
     * flushed, how many of them the collector had committed as judged, and whether that was all.
     */
    public record Drain(long flowRecords, long judged, boolean complete) {
    }

    private Standalone(StandaloneOptions options, String apiToken, boolean tokenGenerated) {
        this.options = options;
        this.alertLog = options.dataDir().resolve("alerts.jsonl");
        this.apiToken = apiToken;
        this.tokenGenerated = tokenGenerated;
    }

    /**
     * Starts broker, collector and agent; returns once all three run (a few seconds).
     *
     * @throws UsageException for a problem the user must fix, naming the option
     * @throws IOException    when a file or socket cannot be opened
     */
    public static Standalone start(StandaloneOptions options) throws IOException, InterruptedException {
        List<String> interfaces = checkInterfaces(options);
        checkPort("--api-port", options.bindAddress(), options.apiPort());
        checkPort("--agent-metrics-port", options.bindAddress(), options.agentMetricsPort());
        String token = options.apiToken();
        boolean generated = token == null;
        if (generated) {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
        Standalone s = new Standalone(options, token, generated);
        s.captured = interfaces;
        try {
            s.startAll();
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.abort();
            throw e;
        }
    }

    private void startAll() throws IOException, InterruptedException {
        Files.createDirectories(options.dataDir());
        long t0 = System.nanoTime();
        kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(options.dataDir().resolve("kafka")));
        kafka.start();
        String bootstrap = kafka.bootstrapServers();
        ingest = IngestSettings.defaults(bootstrap, INSTANCE);
        kafka.createTopic(ingest.flowsTopic(), FLOWS_PARTITIONS);
        kafka.createTopic(ingest.alertsTopic(), 1);

        startCollector(bootstrap);
        startAgent(bootstrap);
        LOG.info("standalone up in {} ms: kafka {}, API {}, agent metrics {}, data {}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), bootstrap, apiUri(), agentMetricsUri(),
                options.dataDir());
    }

    private void startCollector(String bootstrap) throws IOException {
        collectorMetrics = new DaemonMetrics();
        PrometheusMeterRegistry registry = collectorMetrics.registry();
        listenerErrors = Counter.builder("eastwatch.collector.standalone.listener.errors")
                .description("Alert listeners of the standalone handle that threw (the alert still went to the log)")
                .register(registry);
        alertFile = new JsonLinesAlertSink(alertLog);
        CollectorSettings detection = CollectorSettings.defaults().withLearning(options.learn());
        collector = new CollectorApp(ingest, detection, registry, this::dispatch);

        AlertIndex index = new AlertIndex(10_000);
        Map<String, Object> client = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        feeder = new AlertIndexFeeder(client, ingest.alertsTopic(), index, new AlertIndexMetrics(index, 10, registry),
                registry);
        HealthRoute health = new HealthRoute().register("ingest", () -> collector.failure() != null
                ? HealthCheck.Result.down("stopped: " + collector.failure())
                : HealthCheck.Result.up(collector.assignedPartitions().size() + " partitions, lag " + collector.lag()));
        OpsRoutes routes = new OpsRoutes()
                .get("/metrics", new MetricsRoute(registry))
                .get("/healthz", health)
                .get("/readyz", (req, uri) -> collector.caughtUp(1000)
                        ? OpsResponse.json(HttpResponseStatus.OK, Map.of("ready", true, "lag", collector.lag()))
                        : OpsResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("ready", false, "lag",
                                collector.lag())));
        ApiRoutes.register(routes, List.of(apiToken), index, null, new CollectorBaselineView(collector),
                new CollectorApprovals(collector, detection.baseline().approvedEdges()), registry);
        collectorOps = new OpsHttpServer(new OpsHttpSettings(options.bindAddress(), options.apiPort()), routes, registry,
                "eastwatch.collector");
        try {
            collectorOps.start();
        } catch (BindException e) {
            throw new UsageException("eastwatch standalone: --api-port " + options.apiPort() + ": "
                    + options.bindAddress() + ":" + options.apiPort() + " is in use (" + e.getMessage() + ")");
        }
        opened.add(collectorOps);
        collector.start();
        feeder.start();
    }

    private void startAgent(String bootstrap) throws IOException {
        Path state = options.dataDir().resolve("agent");
        Map<String, String> o = new LinkedHashMap<>();
        o.put("agent.id", INSTANCE);
        o.put("export.kafka.bootstrap_servers", bootstrap);
        o.put("export.topic", ingest.flowsTopic());
        // one host: its own resolvers name every container; the fleet identity topic has nothing to add
        o.put("export.identity_topic", "");
        o.put("export.state_dir", state.toString());
        o.put("export.spool.dir", state.resolve("spool").toString());
        o.put("export.spool.max_bytes", "256MiB");
        o.put("ops.bind_address", options.bindAddress());
        o.put("ops.port", Integer.toString(options.agentMetricsPort()));
        if (!options.interfaces().isEmpty()) {
            o.put("capture.interfaces", String.join(",", options.interfaces()));
            o.put("capture.auto_discover", "false");
        }
        AgentConfig config;
        try {
            config = AgentConfig.load(null, o);
        } catch (ConfigException e) {
            throw new UsageException("eastwatch standalone: " + e.getMessage());
        }
        try {
            agent = AgentApp.create(config, new PrintStream(OutputStream.nullOutputStream()));
        } catch (BindException e) {
            throw new UsageException("eastwatch standalone: --agent-metrics-port " + options.agentMetricsPort() + ": "
                    + options.bindAddress() + ":" + options.agentMetricsPort() + " is in use (" + e.getMessage() + ")");
        }
        agentThread = new Thread(() -> {
            try {
                agent.run();
            } catch (IOException | RuntimeException e) {
                agentFailure = e;
                LOG.error("agent stopped on an error", e);
            }
        }, "eastwatch-standalone-agent");
        agentThread.start();
    }

    /** The collector's extra sink: the alert log first (what must not be lost), then the listeners. */
    private void dispatch(Alert alert) {
        alertFile.publish(alert);
        synchronized (revisions) {
            revisions.addLast(alert);
            if (revisions.size() > KEEP_REVISIONS) {
                revisions.removeFirst();
            }
            revisions.notifyAll();
        }
        for (AlertListener l : listeners) {
            try {
                l.onAlert(alert);
            } catch (RuntimeException e) {
                listenerErrors.increment();
                LOG.warn("alert listener {} failed on alert {}", l, alert.id(), e);
            }
        }
    }

    /** Adds a listener for every alert revision from now on (called on the detection thread). */
    public void addAlertListener(AlertListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public void removeAlertListener(AlertListener listener) {
        listeners.remove(listener);
    }

    /** Every alert revision raised so far (the newest {@value #KEEP_REVISIONS}), oldest first. */
    public List<Alert> alerts() {
        synchronized (revisions) {
            return List.copyOf(revisions);
        }
    }

    /** Waits for an alert revision matching {@code p} (one already raised counts); empty on timeout. */
    public Optional<Alert> awaitAlert(Predicate<Alert> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (revisions) {
            while (true) {
                for (Alert a : revisions) {
                    if (p.test(a)) {
                        return Optional.of(a);
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return Optional.empty();
                }
                revisions.wait(left);
            }
        }
    }

    /** The collector's ops server: {@code /api/v1/alerts}, {@code /metrics}, {@code /healthz}. */
    public URI apiUri() {
        return uri(collectorOps.address(), "/api/v1/alerts");
    }

    public URI collectorMetricsUri() {
        return uri(collectorOps.address(), "/metrics");
    }

    public URI agentMetricsUri() {
        return uri(agent.opsAddress(), "/metrics");
    }

    public int apiPort() {
        return collectorOps.address().getPort();
    }

    public int agentMetricsPort() {
        return agent.opsAddress().getPort();
    }

    /** Bearer token of the API (generated unless the options gave one). */
    public String apiToken() {
        return apiToken;
    }

    public boolean apiTokenGenerated() {
        return tokenGenerated;
    }

    /** JSON lines, one alert revision per line, flushed as each is raised. */
    public Path alertLog() {
        return alertLog;
    }

    public Path dataDir() {
        return options.dataDir();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String flowsTopic() {
        return ingest.flowsTopic();
    }

    public String alertsTopic() {
        return ingest.alertsTopic();
    }

    public Duration learn() {
        return options.learn();
    }

    /** The interfaces given, or those auto-discovery found at start (it keeps following new ones). */
    public List<String> interfaces() {
        return captured;
    }

    /** Why a part stopped on its own (the agent's capture, the collector's consume loop), or null. */
    public Throwable failure() {
        if (agentFailure != null) {
            return agentFailure;
        }
        return collector == null ? null : collector.failure();
    }

    /** Where everything is, one item per line, for a person to read. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("  alerts API      ").append(apiUri()).append("   (Authorization: Bearer <token>)\n");
        sb.append("  API token       ").append(apiToken).append(tokenGenerated ? "   (generated for this run)\n" : "\n");
        sb.append("  collector       ").append(collectorMetricsUri()).append("   /healthz /readyz\n");
        sb.append("  agent           ").append(agentMetricsUri()).append("   /healthz\n");
        sb.append("  alert log       ").append(alertLog).append("   (JSON lines, every revision)\n");
        sb.append("  Kafka           ").append(bootstrapServers()).append("   topics ").append(flowsTopic()).append(", ")
                .append(alertsTopic()).append('\n');
        sb.append("  capturing       ").append(captured.isEmpty() ? "(none yet)" : String.join(" ", captured))
                .append(options.interfaces().isEmpty() ? "   (auto-discovery follows new containers)\n" : "\n");
        sb.append("  learning        ").append(human(options.learn()))
                .append(" of traffic, from the first flow; alerts come after it\n");
        sb.append("  data            ").append(options.dataDir()).append('\n');
        return sb.toString();
    }

    /**
     * Stops without losing a flow: the agent flushes its table and drains its exporter, the
     * collector consumes to the end of the flows topic and commits, then the broker stops. Bounded
     * (the agent's shutdown budget, then at most 20 s for the collector to catch up); idempotent.
     */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        if (agent != null) {
            agent.stop();
            if (agentThread != null) {
                agentThread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        if (collector != null && collector.failure() == null && kafka != null) {
            drain = awaitConsumed();
        }
        abort();
        LOG.info("standalone stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Closes whatever was started, downstream last; used by close() after draining and on a failed start. */
    private void abort() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
        if (collector != null) {
            collector.close();
        }
        if (feeder != null) {
            feeder.close();
        }
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", opened.get(i), e);
            }
        }
        opened.clear();
        if (alertFile != null) {
            try {
                alertFile.close();
            } catch (IOException e) {
                LOG.warn("closing the alert log {} failed", alertLog, e);
            }
        }
        if (collectorMetrics != null) {
            collectorMetrics.close();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    /**
     * Waits until the collector's committed offsets reach the end of the flows topic: every flow
     * the agent sent has been judged and its alerts written before the broker goes away.
     */
    private Drain awaitConsumed() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < FLOWS_PARTITIONS; p++) {
                latest.put(new TopicPartition(ingest.flowsTopic(), p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(ingest.groupId())
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                long end = 0;
                long judged = 0;
                for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    end += e.getValue().offset();
                    judged += c == null ? 0 : c.offset();
                }
                // the agent's producer is idempotent, not transactional: offsets are records, no markers
                if (judged >= end) {
                    return new Drain(end, judged, true);
                }
                if (collector.failure() != null || System.nanoTime() > deadline) {
                    LOG.warn("collector still {} flow records behind at stop; they stay in Kafka ({}) for the next run",
                            end - judged, options.dataDir());
                    return new Drain(end, judged, false);
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot tell whether the collector consumed every flow before stopping", e);
            return new Drain(-1, -1, false);
        }
    }

    /** How the last close ended, or null before a close (or when the collector had already failed). */
    public Drain drain() {
        return drain;
    }

    private static List<String> checkInterfaces(StandaloneOptions options) {
        return checkInterfaces(options, Path.of("/sys/class/net"));
    }

    /** The interfaces to capture: those given (each must exist), or what auto-discovery finds now. */
    static List<String> checkInterfaces(StandaloneOptions options, Path sysClassNet) {
        if (!options.interfaces().isEmpty()) {
            for (String i : options.interfaces()) {
                if (!Files.exists(sysClassNet.resolve(i))) {
                    throw new UsageException("eastwatch standalone: --interfaces " + i + ": no such interface on this host"
                            + " (see ip link)");
                }
            }
            return options.interfaces();
        }
        DiscoverySettings auto = DiscoverySettings.auto();
        InterfaceDiscovery discovery = new InterfaceDiscovery(new DiscoverySettings(auto.interfaces(), true,
                auto.include(), auto.exclude(), auto.pollMillis(), sysClassNet));
        TreeSet<String> found = new TreeSet<>();
        discovery.start(new InterfaceDiscovery.Listener() {
            @Override
            public boolean added(NetInterface i) {
                found.add(i.name());
                return true;
            }

            @Override
            public void removed(NetInterface i) {
                found.remove(i.name());
            }
        });
        discovery.close();
        if (found.isEmpty()) {
            throw new UsageException("eastwatch standalone: no container interface on this host (looked for "
                    + String.join(", ", auto.include()) + "); start some containers (e.g. ../shared/lab/up.sh)"
                    + " or name the interfaces to capture with --interfaces");
        }
        return List.copyOf(found);
    }

    private static void checkPort(String option, String address, int port) throws IOException {
        if (port == 0) {
            return;
        }
        InetAddress bind;
        try {
            bind = InetAddress.getByName(address);
        } catch (IOException e) {
            throw new UsageException("eastwatch standalone: --bind " + address + ": not an address of this host");
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bind, port));
        } catch (BindException e) {
            throw new UsageException("eastwatch standalone: " + option + " " + port + ": " + address + ":" + port
                    + " is in use (another eastwatch? choose another port, or 0 for any free one)");
        }
    }

    private static URI uri(InetSocketAddress a, String path) {
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + path);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + " h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + " min";
        }
        return s + " s";
    }
}
