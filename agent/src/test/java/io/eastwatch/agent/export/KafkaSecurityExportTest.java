package io.eastwatch.agent.export;

import io.eastwatch.testkit.SecureBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.agent.AgentApp;
import io.eastwatch.agent.AgentConfig;
import io.eastwatch.daemon.config.ConfigDef;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.testkit.TeeOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent exporting over TLS, mutual TLS and SASL_SSL (SCRAM) to a real broker behind a private
 * CA, configured through its {@code export.kafka.*} keys with the passwords in files and in the
 * environment; and refused (unknown CA, wrong password) with the failure named in {@code /healthz},
 * a metric and the log. No secret appears in the log (including the Kafka producer's own dump of
 * its configuration), the effective configuration, {@code /healthz} or {@code /metrics}.
 */
@Timeout(180)
class KafkaSecurityExportTest {

    private static final String TOPIC = "secure.flows";
    private static final String SCRAM_PASSWORD = "agent-scram-Pw-6021";
    private static final List<String> SECRETS = List.of(SCRAM_PASSWORD, SecureBroker.TRUSTSTORE_PASSWORD,
            SecureBroker.CLIENT_KEYSTORE_PASSWORD);
    /**
     * A refused agent spends a quarter of its shutdown budget waiting for Kafka to take the spool:
     * 5 s here, long enough to see the refusal in /healthz. An accepted one returns when acknowledged.
     */
    private static final String REFUSED_SHUTDOWN = "20s";
    private static SecureBroker broker;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("ewt-kafkatls-agent-");
        broker = new SecureBroker(dir.resolve("pki"));
        broker.createTopic(TOPIC, 2);
        broker.addScramUser("agent", SCRAM_PASSWORD);
        Files.writeString(dir.resolve("truststore.pass"), SecureBroker.TRUSTSTORE_PASSWORD + "\n");
        Files.writeString(dir.resolve("scram.pass"), SCRAM_PASSWORD + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path capture() {
        return io.eastwatch.agent.capture.SharedCaptures.pcaps().resolve("scans/port_scan_10ports.pcap");
    }

    /** The agent's configuration as the daemon reads it, with {@code env} as the environment. */
    private static AgentConfig config(String id, String bootstrap, String security, Map<String, String> env) {
        String yaml = """
                agent: {id: %s, shutdown_timeout: %s}
                capture: {file: %s}
                export:
                  topic: %s
                  state_dir: %s
                  spool: {dir: %s}
                  kafka:
                    bootstrap_servers: [%s]
                %s
                ops: {enabled: true, bind_address: 127.0.0.1, port: 0}
                """.formatted(id, id.startsWith("wrong") ? REFUSED_SHUTDOWN : "2m", capture(), TOPIC, dir.resolve(id + "/state"), dir.resolve(id + "/spool"), bootstrap,
                security.indent(4).stripTrailing());
        Map<String, Object> root = ConfigDef.parseYaml(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), id);
        return AgentConfig.from(AgentConfig.DEFINITION.parse(root, Map.of(), env::get, dir));
    }

    /** What one agent run left behind: its log, its health and metrics while it ran, its dump. */
    private record Run(String log, String health, String metrics, List<String> effective) {
        void hidesEverySecret() {
            for (String secret : SECRETS) {
                assertFalse(log.contains(secret), "a secret in the log");
                assertFalse(health.contains(secret), "a secret in /healthz");
                assertFalse(metrics.contains(secret), "a secret in /metrics");
                assertFalse(String.join("\n", effective).contains(secret), "a secret in the effective configuration");
            }
        }
    }

    /**
     * Runs the agent over the capture, keeping the last {@code /healthz} whose export check
     * satisfies {@code until} (or the last one seen) and the metrics at that moment.
     */
    private static Run run(AgentConfig cfg, String until) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AtomicReference<String> health = new AtomicReference<>("");
        AtomicReference<String> metrics = new AtomicReference<>("");
        System.setErr(new PrintStream(new TeeOutputStream(log, err), true, StandardCharsets.UTF_8));
        try (AgentApp app = AgentApp.create(cfg, new PrintStream(OutputStream.nullOutputStream()))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + app.opsAddress().getPort();
            Thread agent = new Thread(() -> {
                try {
                    app.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "ewt-agent-under-test");
            agent.start();
            int unanswered = 0;
            while (agent.isAlive()) {
                try {
                    String h = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    if (until == null || !health.get().contains(until)) {
                        health.set(h);
                        metrics.set(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString()).body());
                    }
                } catch (java.io.IOException slowOrClosed) {
                    // a loaded machine, or the shutdown sequence closing the ops server: ask again while it runs
                    unanswered++;
                }
                Thread.sleep(50);
            }
            agent.join(60_000);
            assertFalse(agent.isAlive(), "the agent did not stop");
            assertFalse(health.get().isEmpty(), "/healthz never answered (" + unanswered + " requests failed)");
        } finally {
            System.setErr(err);
        }
        return new Run(log.toString(StandardCharsets.UTF_8), health.get(), metrics.get(), cfg.effective());
    }

    /** The flows of {@code agentId} in the topic, read to its current end. */
    private static List<FlowRecord> flowsOf(String agentId) throws Exception {
        List<FlowRecord> flows = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(TOPIC).stream()
                    .map(i -> new TopicPartition(TOPIC, i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(300))) {
                    var type = rec.headers().lastHeader("eastwatch-type");
                    if (type != null && new String(type.value(), StandardCharsets.UTF_8).equals("flow")) {
                        FlowRecord f = FlowRecord.parseFrom(rec.value());
                        if (f.getAgentId().equals(agentId)) {
                            flows.add(f);
                        }
                    }
                }
            }
        }
        return flows;
    }

    private static void exportsEveryFlow(String id, AgentConfig cfg) throws Exception {
        Run r = run(cfg, null);
        assertEquals(10, flowsOf(id).size(), "every flow of the capture reached the topic");
        assertTrue(r.log.contains("effective configuration"), "the log was captured");
        r.hidesEverySecret();
        // Kafka's own INFO dump of the producer configuration is in the log, with the secrets hidden
        assertTrue(r.log.contains("ProducerConfig values"), "Kafka's config dump was captured");
    }

    @Test
    void tlsWithTheTrustStorePasswordFromAFile() throws Exception {
        exportsEveryFlow("tls-agent", config("tls-agent", broker.bootstrap("SSL"), """
                security_protocol: ssl
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.truststore), Map.of()));
    }

    @Test
    void mutualTlsWithTheKeyStorePasswordFromTheEnvironment() throws Exception {
        exportsEveryFlow("mtls-agent", config("mtls-agent", broker.bootstrap("MTLS"), """
                security_protocol: ssl
                ssl: {truststore: %s, truststore_type: pem, keystore: %s}
                """.formatted(broker.caPem, broker.clientKeystore),
                Map.of("EASTWATCH_EXPORT_KAFKA_SSL_KEYSTORE_PASSWORD", SecureBroker.CLIENT_KEYSTORE_PASSWORD)));
    }

    @Test
    void scramOverTlsWithThePasswordFromTheEnvironmentOrAFile() throws Exception {
        exportsEveryFlow("scram-env-agent", config("scram-env-agent", broker.bootstrap("SASL_SSL"), """
                security_protocol: sasl_ssl
                sasl: {mechanism: scram-sha-512, username: agent}
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.truststore), Map.of("EASTWATCH_EXPORT_KAFKA_SASL_PASSWORD", SCRAM_PASSWORD)));
        exportsEveryFlow("scram-file-agent", config("scram-file-agent", broker.bootstrap("SASL_SSL"), """
                security_protocol: sasl_ssl
                sasl: {mechanism: scram-sha-512, username: agent, password_file: scram.pass}
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.truststore), Map.of()));
    }

    /** A refusal is DOWN in /healthz with the cause, counted as reason=auth, logged once; the flows wait in the spool. */
    private static Run refused(String id, AgentConfig cfg, String expected) throws Exception {
        Run r = run(cfg, expected);
        assertTrue(r.health.contains("\"status\":\"DOWN\"") && r.health.contains(expected), r.health);
        assertTrue(r.metrics.matches("(?s).*eastwatch_agent_kafka_send_errors_total\\{reason=\"auth\"} [1-9].*"),
                "send errors counted as auth");
        assertTrue(r.log.contains(expected), "the log names the problem");
        r.hidesEverySecret();
        assertTrue(flowsOf(id).isEmpty());
        try (var spool = Files.list(dir.resolve(id + "/spool"))) {
            assertTrue(spool.anyMatch(f -> f.toFile().length() > 0), "the flows wait in the spool");
        }
        return r;
    }

    @Test
    void anUnknownCaIsDownWithTheCauseNotAHang() throws Exception {
        refused("wrong-ca-agent", config("wrong-ca-agent", broker.bootstrap("SSL"), """
                security_protocol: ssl
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.wrongTruststore), Map.of()),
                "the brokers' certificate is not signed by a CA in export.kafka.ssl.truststore");
    }

    @Test
    void aWrongPasswordIsDownWithTheCause() throws Exception {
        String wrong = "wrong-agent-Pw-7730";
        Run r = refused("wrong-pw-agent", config("wrong-pw-agent", broker.bootstrap("SASL_SSL"), """
                security_protocol: sasl_ssl
                sasl: {username: agent}
                ssl: {truststore: %s, truststore_type: pem}
                """.formatted(broker.caPem), Map.of("EASTWATCH_EXPORT_KAFKA_SASL_PASSWORD", wrong)),
                "SASL authentication to the Kafka brokers failed for user agent (SCRAM-SHA-512)");
        assertFalse(r.log.contains(wrong) || r.health.contains(wrong) || r.metrics.contains(wrong),
                "the wrong password is a secret too");
    }
}
