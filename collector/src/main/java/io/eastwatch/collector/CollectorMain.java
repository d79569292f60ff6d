package io.eastwatch.collector;

import io.eastwatch.collector.alert.AlertSink;
import io.eastwatch.collector.alert.JsonLinesAlertSink;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eastwatch collector --config FILE [--alerts-out FILE]}: the collector daemon. Exit status
 * 0 after a clean stop (SIGTERM), 2 for bad usage or configuration, 1 for a runtime failure.
 */
public final class CollectorMain {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorMain.class);
    static final String USAGE = "Usage: eastwatch collector --config FILE [--alerts-out FILE] [--check]\n"
            + "  --check   validate the configuration, print the effective values (secrets masked) and exit";

    private CollectorMain() {
    }

    /** The effective configuration for --check: every value that matters, no secret. */
    static String describe(CollectorConfig cfg) {
        return String.join("\n",
                "kafka.bootstrap_servers = " + cfg.ingest().bootstrapServers(),
                "kafka.group_id = " + cfg.ingest().groupId(),
                "kafka.instance_id = " + cfg.ingest().instanceId(),
                "kafka.flows_topic = " + cfg.ingest().flowsTopic(),
                "kafka.alerts_topic = " + cfg.ingest().alertsTopic(),
                "kafka.dead_letter_topic = " + cfg.ingest().deadLetterTopic(),
                "kafka.state_topic = " + cfg.ingest().stateTopic(),
                "kafka.identity_topic = " + (cfg.identityTopic().isEmpty() ? "(none)" : cfg.identityTopic()),
                "kafka.destinations_topic = " + (cfg.destinationsTopic().isEmpty() ? "(none)" : cfg.destinationsTopic()),
                "kafka.approvals_topic = " + (cfg.approvalsTopic().isEmpty() ? "(none)" : cfg.approvalsTopic()),
                "kafka.commit_interval = " + cfg.ingest().commitIntervalMillis() + "ms",
                "kafka.processing_threads = " + cfg.ingest().processingThreads(),
                "kafka.security = " + cfg.security() + " (secrets masked)",
                "detection.learning = " + cfg.detection().baseline().learningMicros() / 1_000_000L + "s",
                "ops.listen = " + cfg.metricsListen(),
                "ops.api_tokens = " + cfg.apiTokens().size() + " (values not shown)",
                "ops.max_alerts = " + cfg.maxAlerts(),
                "webhooks = " + cfg.webhooks().size(),
                "delivery.dead_letter_topic = " + cfg.deliveryDeadLetterTopic(),
                "delivery.group_prefix = " + cfg.deliveryGroupPrefix());
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = null;
        Path alertsOut = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--config") || a.equals("--alerts-out")) && i + 1 >= args.length) {
                err.println(a + ": missing value\n" + USAGE);
                return 2;
            }
            switch (a) {
                case "--config" -> config = Path.of(args[++i]);
                case "--alerts-out" -> alertsOut = Path.of(args[++i]);
                case "--check" -> check = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println(a + ": unknown option\n" + USAGE);
                    return 2;
                }
            }
        }
        if (config == null) {
            err.println("--config: missing\n" + USAGE);
            return 2;
        }
        CollectorConfig cfg;
        try {
            cfg = CollectorConfig.load(config);
        } catch (CollectorConfig.ConfigError e) {
            err.println(e.getMessage());
            return 2;
        }
        if (check) {
            out.println(describe(cfg));
            out.println("configuration OK: " + config);
            return 0;
        }
        LOG.info("collector {}: kafka {} group {} topics flows={} alerts={} dlq={} state={}; learning {} s; {}",
                cfg.ingest().instanceId(), cfg.ingest().bootstrapServers(), cfg.ingest().groupId(),
                cfg.ingest().flowsTopic(), cfg.ingest().alertsTopic(), cfg.ingest().deadLetterTopic(),
                cfg.ingest().stateTopic(), cfg.detection().baseline().learningMicros() / 1_000_000L, cfg.security());
        io.eastwatch.daemon.DaemonMetrics daemonMetrics = new io.eastwatch.daemon.DaemonMetrics();
        PrometheusMeterRegistry registry = daemonMetrics.registry();
        JsonLinesAlertSink file = null;
        if (alertsOut != null) {
            try {
                file = new JsonLinesAlertSink(alertsOut);
            } catch (IOException e) {
                err.println("--alerts-out: cannot open " + alertsOut + ": " + e.getMessage());
                return 2;
            }
        }
        AlertSink sink = file == null ? null : file;
        CollectorApp app = new CollectorApp(cfg.ingest(), cfg.detection(), registry, sink);
        app.security(cfg.security());
        app.identityTopic(cfg.identityTopic());
        app.destinationsTopic(cfg.destinationsTopic(), io.eastwatch.collector.ingest.DestinationViewSettings.defaults());
        app.approvalsTopic(cfg.approvalsTopic());
        java.util.Map<String, Object> kafka = new java.util.HashMap<>(cfg.security().clientProperties());
        kafka.put("bootstrap.servers", cfg.ingest().bootstrapServers());
        io.eastwatch.collector.deliver.AlertDelivery delivery = null;
        io.eastwatch.collector.api.AlertIndexFeeder feeder = null;
        io.eastwatch.daemon.ops.OpsHttpServer ops = null;
        io.eastwatch.collector.deliver.DeadLetterStore deadLetters = null;
        if (!cfg.webhooks().isEmpty()) {
            try {
                delivery = new io.eastwatch.collector.deliver.AlertDelivery(kafka, cfg.ingest().alertsTopic(),
                        cfg.deliveryDeadLetterTopic(), cfg.deliveryGroupPrefix(), cfg.webhooks(), 1000, registry);
            } catch (RuntimeException e) {
                err.println("webhooks: cannot start delivery: " + e.getMessage());
                daemonMetrics.close();
                return 1;
            }
            deadLetters = delivery.deadLetters();
        }
        try {
            if (cfg.metricsListen() != null) {
                io.eastwatch.collector.api.AlertIndex index = cfg.apiTokens().isEmpty()
                        ? null : new io.eastwatch.collector.api.AlertIndex(cfg.maxAlerts());
                ops = opsServer(cfg, app, index, delivery, deadLetters, registry);
                if (index != null) {
                    feeder = new io.eastwatch.collector.api.AlertIndexFeeder(kafka, cfg.ingest().alertsTopic(), index,
                            new io.eastwatch.collector.api.AlertIndexMetrics(index, 10, registry), registry);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("ops.listen: " + cfg.metricsListen() + ": " + e.getMessage());
            if (delivery != null) {
                delivery.close();
            }
            daemonMetrics.close();
            return 2;
        }
        final io.eastwatch.collector.deliver.AlertDelivery deliveryRef = delivery;
        final io.eastwatch.collector.api.AlertIndexFeeder feederRef = feeder;
        Thread hook = new Thread(() -> {
            try {
                app.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (deliveryRef != null) {
                deliveryRef.close();
            }
            if (feederRef != null) {
                feederRef.close();
            }
        }, "eastwatch-collector-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (delivery != null) {
            delivery.start();
        }
        if (feeder != null) {
            feeder.start();
        }
        app.run();
        if (ops != null) {
            ops.close();
        }
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.warn("closing {} failed", alertsOut, e);
            }
        }
        return app.failure() == null ? 0 : 1;
    }

    /**
     * /metrics, /healthz, /readyz (ready = consuming and caught up: lag of at most 1,000 records)
     * and, with API tokens configured, the /api/v1 routes.
     */
    private static io.eastwatch.daemon.ops.OpsHttpServer opsServer(CollectorConfig cfg, CollectorApp app,
            io.eastwatch.collector.api.AlertIndex index, io.eastwatch.collector.deliver.AlertDelivery delivery,
            io.eastwatch.collector.deliver.DeadLetterStore deadLetters,
            PrometheusMeterRegistry registry) throws IOException {
        String listen = cfg.metricsListen();
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        io.eastwatch.daemon.ops.HealthRoute health = new io.eastwatch.daemon.ops.HealthRoute()
                .register("ingest", () -> app.failure() != null
                        ? io.eastwatch.daemon.ops.HealthCheck.Result.down("stopped: " + app.failure())
                        : io.eastwatch.daemon.ops.HealthCheck.Result.up(app.assignedPartitions().size()
                                + " partitions, lag " + app.lag()));
        if (delivery != null) {
            health.register("delivery", () -> delivery.failedTargets().isEmpty()
                    ? io.eastwatch.daemon.ops.HealthCheck.Result.up(cfg.webhooks().size() + " targets")
                    : io.eastwatch.daemon.ops.HealthCheck.Result.down("stopped: " + delivery.failedTargets()));
        }
        io.eastwatch.daemon.ops.OpsRoutes routes = new io.eastwatch.daemon.ops.OpsRoutes()
                .get("/metrics", new io.eastwatch.daemon.ops.MetricsRoute(registry))
                .get("/healthz", health)
                .get("/readyz", (req, uri) -> app.caughtUp(1000)
                        ? io.eastwatch.daemon.ops.OpsResponse.json(io.netty.handler.codec.http.HttpResponseStatus.OK,
                                java.util.Map.of("ready", true, "lag", app.lag(), "partitions", app.assignedPartitions().size()))
                        : io.eastwatch.daemon.ops.OpsResponse.json(
                                io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE,
                                java.util.Map.of("ready", false, "lag", app.lag())));
        if (index != null) {
            io.eastwatch.collector.api.ApiRoutes.register(routes, cfg.apiTokens(), index, deadLetters,
                    new CollectorBaselineView(app), new CollectorApprovals(app, cfg.detection().baseline().approvedEdges()),
                    registry);
        }
        io.eastwatch.daemon.ops.OpsHttpServer server = new io.eastwatch.daemon.ops.OpsHttpServer(
                new io.eastwatch.daemon.ops.OpsHttpSettings(host, port), routes, registry, "eastwatch.collector");
        server.start();
        return server;
    }
}
