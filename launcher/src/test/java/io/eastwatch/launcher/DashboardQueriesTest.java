package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.eastwatch.collector.CollectorConfig;
import io.eastwatch.testkit.Lab;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every panel query of every dashboard returns data from a real Prometheus scraping a real agent
 * (live capture on the loopback interface; its Docker resolver watches the shared lab) and a real
 * collector (embedded Kafka, default group topics: identity, destinations, approvals), fed with
 * real traffic: ordinary connections between three "containers" (loopback addresses named by an
 * inventory) while the collector learns, then a port scan from one of them; then an operator
 * approves an edge through the API and revokes it, and records no collector wrote land on the group's approvals
 * and destinations topics. A dashboard panel that queries a metric nobody exports fails here.
 */
class DashboardQueriesTest {
    private static final String WEB_1 = "127.0.0.2";
    private static final String DB_1 = "127.0.0.3";
    private static final String WEB_2 = "127.0.0.4";
    private static final String TOKEN = "dashboard-test-token-0123456789";

    @Test
    @Timeout(420)
    void everyPanelQueryReturnsData(@TempDir Path dir) throws Exception {
        Lab.ensureUp();
        List<Process> daemons = new ArrayList<>();
        AtomicBoolean serving = new AtomicBoolean(true);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try (EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(dir.resolve("kafka")));
             ServerSocket db = new ServerSocket()) {
            kafka.start();
            kafka.createTopic("eastwatch.flows", 2);
            kafka.createTopic("eastwatch.alerts", 1);
            db.bind(new InetSocketAddress(InetAddress.getByName(DB_1), 5432));
            Thread acceptor = new Thread(() -> {
                while (serving.get()) {
                    try (Socket s = db.accept()) {
                        s.getOutputStream().write("ok\n".getBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "db-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();

            Path inventory = dir.resolve("inventory.json");
            Files.writeString(inventory, """
                    {"containers": [
                     {"id": "%s", "name": "web-1", "image": "shop/web:1.0", "workload": "shop/web", "host": "node-1",
                      "ips": ["%s"], "labels": {}, "started": "2020-01-01T00:00:00Z", "stopped": null},
                     {"id": "%s", "name": "web-2", "image": "shop/web:1.0", "workload": "shop/web", "host": "node-1",
                      "ips": ["%s"], "labels": {}, "started": "2020-01-01T00:00:00Z", "stopped": null},
                     {"id": "%s", "name": "db-1", "image": "shop/db:1.0", "workload": "shop/db", "host": "node-1",
                      "ips": ["%s"], "labels": {}, "started": "2020-01-01T00:00:00Z", "stopped": null}]}
                    """.formatted("a".repeat(64), WEB_1, "b".repeat(64), WEB_2, "c".repeat(64), DB_1));
            int agentPort = freePort();
            int collectorPort = freePort();
            // the agent captures the test's "containers" on lo, not its own Kafka and scrape traffic; its
            // Docker resolver watches the shared lab (whose containers it announces on the identity topic)
            Path agentYaml = dir.resolve("agent.yaml");
            Files.writeString(agentYaml, """
                    agent: {id: dash-agent, host: node-1}
                    capture: {auto_discover: false, interfaces: [lo], bpf_filter: "tcp and not port %d and not port %d and not port %d"}
                    identity: {docker: {enabled: true, socket: %s}, proc: {enabled: false}, inventory: {file: %s}, grace_period: 1s}
                    export:
                      kafka: {bootstrap_servers: [%s]}
                      state_dir: %s
                      spool: {dir: %s}
                      heartbeat_interval: 1s
                    ops: {bind_address: 127.0.0.1, port: %d}
                    """.formatted(kafkaPort(kafka), agentPort, collectorPort, Lab.SOCKET, inventory, kafka.bootstrapServers(), dir.resolve("state"),
                    dir.resolve("spool"), agentPort));
            Path collectorYaml = dir.resolve("collector.yaml");
            Files.writeString(collectorYaml, """
                    kafka: {bootstrap_servers: "%s", instance_id: dash-collector}
                    detection: {learning: 5s, new_workload_grace: 5s, window: 10s}
                    ops: {listen: "127.0.0.1:%d", api_tokens: ["%s"]}
                    webhooks:
                      - {name: soc, url: "http://127.0.0.1:%d/hook", format: generic, secret: test-secret}
                    """.formatted(kafka.bootstrapServers(), collectorPort, TOKEN, receiver.getAddress().getPort()));
            daemons.add(launch(dir, "collector", "--config", collectorYaml.toString()));
            daemons.add(launch(dir, "agent", "--config", agentYaml.toString()));

            try (PrometheusProcess prometheus = new PrometheusProcess(dir.resolve("prometheus"),
                    List.of("127.0.0.1:" + agentPort), List.of("127.0.0.1:" + collectorPort))) {
                prometheus.awaitTargetsUp(2, Duration.ofSeconds(120));
                // learning: web replicas call the database
                long learnUntil = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (System.nanoTime() < learnUntil) {
                    connect(WEB_1, DB_1, 5432);
                    connect(WEB_2, DB_1, 5432);
                    Thread.sleep(250);
                }
                // the rogue replica scans its neighbour (closed ports answer RST)
                for (int round = 0; round < 6 && !alerted(prometheus); round++) {
                    for (int port = 20 + round * 50; port < 70 + round * 50; port++) {
                        connect(WEB_1, DB_1, port);
                    }
                    Thread.sleep(3000);
                }
                assertTrue(alerted(prometheus), "the scan raised an alert (logs in " + dir + ")");
                // the group topics' panels: an operator approves an edge through the API and revokes it, and
                // records no collector wrote land on the approvals topic (a tombstone whose key names no edge)
                // and on the destinations topic (undecodable); the collector counts and ignores them
                approve(collectorPort);
                revoke(collectorPort);
                try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                    producer.send(new ProducerRecord<>(CollectorConfig.DEFAULT_APPROVALS_TOPIC, bytes("not an edge"),
                            null)).get(15, TimeUnit.SECONDS);
                    producer.send(new ProducerRecord<>(CollectorConfig.DEFAULT_DESTINATIONS_TOPIC, bytes("eastwatch.flows/0"),
                            bytes("not a destination summary"))).get(15, TimeUnit.SECONDS);
                }
                awaitSeries(prometheus, "eastwatch_collector_approvals_published_total{outcome=\"ok\"}",
                        "eastwatch_collector_approvals_revoked_published_total{outcome=\"ok\"}",
                        "eastwatch_collector_approvals_revoked_total",
                        "eastwatch_collector_approvals_invalid_total{reason=\"tombstone-key\"}",
                        "eastwatch_collector_destinations_summaries_invalid_total{reason=\"decode\"}");
                Thread.sleep(8000); // rates need two scrapes after the alert; the index refreshes every 5 s
                List<String> empty = new ArrayList<>();
                for (DashboardFiles.Query q : DashboardFiles.queries()) {
                    JsonNode result = prometheus.query(q.expr());
                    if (result.isEmpty()) {
                        empty.add(q.dashboard() + " / " + q.panel() + ": " + q.expr());
                    }
                }
                assertTrue(empty.isEmpty(), "panels whose query returned no data:\n  " + String.join("\n  ", empty));
            }
        } finally {
            serving.set(false);
            for (Process p : daemons) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            receiver.stop(0);
        }
    }

    /** Approves the edge the web replicas learned, as an operator would through the API. */
    private static void approve(int collectorPort) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + collectorPort + "/api/v1/baseline/approvals"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"source_workload\":\"shop/web\",\"target_workload\":\"shop/db\","
                        + "\"port\":5432,\"protocol\":\"tcp\",\"reason\":\"dashboard test\",\"approved_by\":\"test\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), "approval: " + r.body());
    }

    /** Revokes that approval through the API (it is read back from the approvals topic first). */
    private static void revoke(int collectorPort) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + collectorPort + "/api/v1/baseline/approvals"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"source_workload\":\"shop/web\","
                            + "\"target_workload\":\"shop/db\",\"port\":5432,\"protocol\":\"tcp\",\"reason\":\"dashboard test\","
                            + "\"revoked_by\":\"test\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            // 404 until the collector has read its own approval back from the topic
            assertEquals(404, r.statusCode(), "revocation: " + r.body());
            assertTrue(System.nanoTime() < deadline, "the approval was not read back within 30 s: " + r.body());
            Thread.sleep(200);
        }
    }

    /** Waits until Prometheus has scraped each series (created on first use by the collector). */
    private static void awaitSeries(PrometheusProcess prometheus, String... series) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (String s : series) {
            while (prometheus.query(s).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "not scraped within 30 s: " + s);
                Thread.sleep(250);
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean alerted(PrometheusProcess prometheus) throws Exception {
        JsonNode r = prometheus.query("sum(eastwatch_collector_alerts_total)");
        return !r.isEmpty() && r.get(0).path("value").get(1).asDouble() > 0;
    }

    private static void connect(String from, String to, int port) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName(to), port), 500);
            s.getInputStream().read();
        } catch (IOException e) {
            // closed port: the RST is the traffic we want
        }
    }

    private static int kafkaPort(EmbeddedKafka kafka) {
        String b = kafka.bootstrapServers();
        return Integer.parseInt(b.substring(b.lastIndexOf(':') + 1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process launch(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.eastwatch.launcher.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(args[0] + ".log").toFile()).start();
    }
}
