package io.eastwatch.collector;

import io.eastwatch.testkit.SecureBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.fixture.Containers;
import io.eastwatch.collector.fixture.Flows;
import io.eastwatch.collector.fixture.TestCluster;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.testkit.TeeOutputStream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The collector consuming, detecting and committing its transactions over TLS, mutual TLS and
 * SASL_SSL (SCRAM) to a real broker behind a private CA, configured through kafka.security with
 * the passwords in files and in the environment; and refused (unknown CA, wrong password): it
 * stops at once with the cause named (exit status 1 from {@code eastwatch collector}, the
 * {@code /healthz} detail), never a password in the log or a message.
 */
@Timeout(180)
class CollectorSecurityTest {

    private static final String SCRAM_PASSWORD = "collector-scram-Pw-5150";
    private static final List<String> SECRETS = List.of(SCRAM_PASSWORD, SecureBroker.TRUSTSTORE_PASSWORD,
            SecureBroker.CLIENT_KEYSTORE_PASSWORD);
    private static final String SCANNER = new TestCluster().web.get(0).name();
    private static SecureBroker broker;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("ewt-kafkatls-collector-");
        broker = new SecureBroker(dir.resolve("pki"));
        broker.addScramUser("collector", SCRAM_PASSWORD);
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

    /** Writes {@code name}.yaml (topics and group of its own) with this kafka.security block. */
    private static Path config(String name, String listener, String security) throws Exception {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                kafka:
                  bootstrap_servers: %s
                  group_id: g-%s
                  flows_topic: flows-%s
                  alerts_topic: alerts-%s
                  dead_letter_topic: dlq-%s
                  state_topic: state-%s
                  instance_id: %s
                  commit_interval: 200ms
                  security:
                %s
                detection: {learning: 1m, window: 60s}
                ops: {listen: "off"}
                """.formatted(broker.bootstrap(listener), name, name, name, name, name, name,
                security.indent(4).stripTrailing()));
        return f;
    }

    /** One minute of a small cluster's traffic, then web-0 scanning the darknet, written in plain text by the test. */
    private static void feed(String flowsTopic) throws Exception {
        broker.createTopic(flowsTopic, 1);
        TestCluster cluster = new TestCluster();
        Containers scanner = cluster.web.get(0);
        assertEquals(SCANNER, scanner.name());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            Map<String, Long> seq = new HashMap<>();
            for (int tick = 0; tick < 36; tick++) {
                List<FlowRecord> batch = new ArrayList<>();
                long t = cluster.tick(batch::add);
                if (tick >= 18) {
                    for (int j = 0; j < 4; j++) {
                        batch.add(Flows.unanswered(t + 3000 + j, scanner.endpoint(), scanner.ip(), Flows.external(),
                                new byte[] {10, (byte) 244, 9, (byte) (4 * (tick - 18) + j + 1)}, 22));
                    }
                }
                batch.sort((a, b) -> Long.compare(a.getLastTsUs(), b.getLastTsUs()));
                for (FlowRecord r : batch) {
                    long n = seq.merge(r.getAgentId(), 1L, Long::sum);
                    ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(flowsTopic, 0,
                            r.getSrc().getWorkload().getBytes(StandardCharsets.UTF_8),
                            r.toBuilder().setPartitionSequence(n).build().toByteArray());
                    rec.headers().add(CollectorApp.TYPE_HEADER, "flow".getBytes(StandardCharsets.UTF_8));
                    producer.send(rec);
                }
                // the agents' heartbeats carry the event-time watermark the collector advances on
                for (Map.Entry<String, Long> agent : seq.entrySet()) {
                    ProducerRecord<byte[], byte[]> hb = new ProducerRecord<>(flowsTopic, 0,
                            agent.getKey().getBytes(StandardCharsets.UTF_8), AgentHeartbeat.newBuilder()
                            .setAgentId(agent.getKey()).setHost(agent.getKey()).setWatermarkUs(t).setSentAtUs(t)
                            .setPartitionSequence(agent.getValue()).build().toByteArray());
                    hb.headers().add(CollectorApp.TYPE_HEADER, "heartbeat".getBytes(StandardCharsets.UTF_8));
                    producer.send(hb);
                }
            }
            producer.flush();
        }
    }

    /** "detector source" of each committed alert. */
    private static List<String> alertKeys(String topic) {
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var parts = c.partitionsFor(topic, Duration.ofSeconds(5));
            if (parts == null || parts.isEmpty()) {
                return keys;
            }
            var tps = parts.stream().map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            var end = c.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    io.eastwatch.collector.alert.Alert a = io.eastwatch.collector.alert.AlertJson.parse(
                            new String(r.value(), StandardCharsets.UTF_8));
                    keys.add(a.detector() + " " + a.source().name());
                }
            }
        }
        return keys;
    }

    private static String captureLog(ThrowingRunnable body) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeOutputStream(log, err), true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(err);
        }
        return log.toString(StandardCharsets.UTF_8);
    }

    private static void hidesEverySecret(String... texts) {
        for (String text : texts) {
            for (String secret : SECRETS) {
                assertFalse(text.contains(secret), "a secret in: " + text.substring(0, Math.min(200, text.length())));
            }
        }
    }

    /** Runs the collector as its main does, until the port scan is alerted through the TLS transaction. */
    private static void detectsOver(String name, String listener, String security, Map<String, String> env)
            throws Exception {
        feed("flows-" + name);
        CollectorConfig cfg = CollectorConfig.load(config(name, listener, security), env::get);
        String log = captureLog(() -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CollectorApp app = new CollectorApp(cfg.ingest(), cfg.detection(), registry, null);
            app.security(cfg.security());
            // the group topics (as the daemon's defaults have them) over the same listener
            app.destinationsTopic(cfg.destinationsTopic() + "-" + name,
                    io.eastwatch.collector.ingest.DestinationViewSettings.defaults().withPublishIntervalMillis(200));
            app.approvalsTopic(cfg.approvalsTopic() + "-" + name);
            app.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (alertKeys("alerts-" + name).stream().noneMatch(k -> k.startsWith("port-scan") && k.contains(SCANNER))
                        || registry.get("eastwatch.collector.destinations.summaries.received").counter().count() == 0) {
                    assertTrue(System.nanoTime() < deadline && app.failure() == null,
                            "no port-scan alert or destination summary over " + listener + "; failure: " + app.failure()
                                    + "; lag " + app.lag() + ", alerts " + alertKeys("alerts-" + name));
                    Thread.sleep(300);
                }
                assertEquals(0L, app.lag(), "consumed to the end");
                app.approve(new io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge("shop/web", "shop/db", 5432, 6));
                while (registry.find("eastwatch.collector.approvals.received").counter().count() == 0) {
                    assertTrue(System.nanoTime() < deadline, "the approval did not come back over " + listener);
                    Thread.sleep(100);
                }
            } finally {
                app.close();
            }
            assertEquals(null, app.failure());
        });
        hidesEverySecret(log, cfg.security().toString());
    }

    @Test
    void tlsWithTheTrustStorePasswordFromAFile() throws Exception {
        detectsOver("tls", "SSL", """
                security_protocol: ssl
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.truststore), Map.of());
    }

    @Test
    void mutualTlsWithTheKeyStorePasswordFromTheEnvironment() throws Exception {
        detectsOver("mtls", "MTLS", """
                security_protocol: ssl
                ssl: {truststore: %s, truststore_type: pem, keystore: %s}
                """.formatted(broker.caPem, broker.clientKeystore),
                Map.of("EASTWATCH_KAFKA_SECURITY_SSL_KEYSTORE_PASSWORD", SecureBroker.CLIENT_KEYSTORE_PASSWORD));
    }

    @Test
    void scramOverTlsWithThePasswordFromTheEnvironmentOrAFile() throws Exception {
        detectsOver("scram-env", "SASL_SSL", """
                security_protocol: sasl_ssl
                sasl: {username: collector}
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.truststore), Map.of("EASTWATCH_KAFKA_SECURITY_SASL_PASSWORD", SCRAM_PASSWORD));
        detectsOver("scram-file", "SASL_SSL", """
                security_protocol: sasl_ssl
                sasl: {mechanism: scram-sha-512, username: collector, password_file: scram.pass}
                ssl: {truststore: %s, truststore_type: pem}
                """.formatted(broker.caPem), Map.of());
    }

    /** eastwatch collector with an unknown CA: exits 1 within seconds, the log says which key to check. */
    @Test
    void anUnknownCaStopsTheCollectorWithTheCause() throws Exception {
        Path cfg = config("wrong-ca", "SSL", """
                security_protocol: ssl
                ssl: {truststore: %s, truststore_password_file: truststore.pass}
                """.formatted(broker.wrongTruststore));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] status = new int[1];
        long start = System.nanoTime();
        String log = captureLog(() -> status[0] = CollectorMain.run(new String[] {"--config", cfg.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(1, status[0], err.toString(StandardCharsets.UTF_8));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "stopped, not hung");
        assertTrue(log.contains("TLS handshake with the Kafka brokers failed (unable to find valid certification path "
                + "to requested target): the brokers' certificate is not signed by a CA in kafka.security.ssl.truststore"),
                log);
        assertTrue(log.contains("KafkaSecurity[kafka.security: protocol=SSL"), "the start-up line shows the setting");
        hidesEverySecret(log, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A wrong SASL password: the failure /healthz shows ("stopped: ...") names the user and the keys, not the password. */
    @Test
    void aWrongPasswordStopsTheCollectorWithTheCause() throws Exception {
        String wrong = "wrong-collector-Pw-2290";
        CollectorConfig cfg = CollectorConfig.load(config("wrong-pw", "SASL_SSL", """
                security_protocol: sasl_ssl
                sasl: {username: collector}
                ssl: {truststore: %s, truststore_type: pem}
                """.formatted(broker.caPem)), Map.of("EASTWATCH_KAFKA_SECURITY_SASL_PASSWORD", wrong)::get);
        Throwable[] failure = new Throwable[1];
        String log = captureLog(() -> {
            CollectorApp app = new CollectorApp(cfg.ingest(), cfg.detection(), new SimpleMeterRegistry(), null);
            app.security(cfg.security());
            app.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (app.failure() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            failure[0] = app.failure();
            app.close();
        });
        assertNotNull(failure[0], "the collector did not stop on a refused login");
        String detail = "stopped: " + failure[0];
        assertTrue(detail.contains("SASL authentication to the Kafka brokers failed for user collector (SCRAM-SHA-512)"),
                detail);
        assertTrue(log.contains("check kafka.security.sasl.username"), log);
        for (String text : new String[] {detail, log}) {
            assertFalse(text.contains(wrong), "the wrong password is a secret too");
        }
        hidesEverySecret(detail, log);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
