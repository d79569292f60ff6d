package io.eastwatch.collector;

import com.sun.net.httpserver.HttpServer;
import io.eastwatch.collector.alert.AlertSink;
import io.eastwatch.collector.alert.JsonLinesAlertSink;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eastwatch collector --config FILE [--alerts-out FILE]}: the collector daemon. Exit status
 * 0 after a clean stop (SIGTERM), 2 for bad usage or configuration, 1 for a runtime failure.
 */
public final class CollectorMain {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorMain.class);
    static final String USAGE = "usage: eastwatch collector --config FILE [--alerts-out FILE]";

    private CollectorMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = null;
        Path alertsOut = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--config") || a.equals("--alerts-out")) && i + 1 >= args.length) {
                err.println(a + ": missing value\n" + USAGE);
                return 2;
            }
            switch (a) {
                case "--config" -> config = Path.of(args[++i]);
                case "--alerts-out" -> alertsOut = Path.of(args[++i]);
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
        LOG.info("collector {}: kafka {} group {} topics flows={} alerts={} dlq={} state={}; learning {} s",
                cfg.ingest().instanceId(), cfg.ingest().bootstrapServers(), cfg.ingest().groupId(),
                cfg.ingest().flowsTopic(), cfg.ingest().alertsTopic(), cfg.ingest().deadLetterTopic(),
                cfg.ingest().stateTopic(), cfg.detection().baseline().learningMicros() / 1_000_000L);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HttpServer metrics = null;
        JsonLinesAlertSink file = null;
        if (alertsOut != null) {
            try {
                file = new JsonLinesAlertSink(alertsOut);
            } catch (IOException e) {
                err.println("--alerts-out: cannot open " + alertsOut + ": " + e.getMessage());
                return 2;
            }
        }
        if (cfg.metricsListen() != null) {
            try {
                metrics = metricsServer(cfg.metricsListen(), registry);
            } catch (IOException | IllegalArgumentException e) {
                err.println("metrics.listen: " + cfg.metricsListen() + ": " + e.getMessage());
                return 2;
            }
        }
        AlertSink sink = file == null ? null : file;
        CollectorApp app = new CollectorApp(cfg.ingest(), cfg.detection(), registry, sink);
        Thread hook = new Thread(() -> {
            try {
                app.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "eastwatch-collector-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.run();
        if (metrics != null) {
            metrics.stop(0);
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

    private static HttpServer metricsServer(String listen, PrometheusMeterRegistry registry) throws IOException {
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("metrics.listen: " + listen + " (expected: host:port)");
        }
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics.listen: " + listen + " (expected: host:port)");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(listen.substring(0, colon), port), 0);
        server.createContext("/metrics", ex -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        return server;
    }
}
