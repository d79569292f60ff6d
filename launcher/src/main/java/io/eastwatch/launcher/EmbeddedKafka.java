package io.eastwatch.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, bound to
 * loopback, for {@code standalone} and {@code replay} and for tests.
 *
 * <p>The data directory is formatted once (the same way {@code kafka-storage.sh format} does,
 * through {@link StorageTool}) and kept: {@link #stop()} followed by {@link #start()} brings the
 * broker back on the same ports with the same log, which is what an agent sees when its Kafka
 * restarts. The ports are chosen when the broker first starts (0 = any free port) and kept for
 * the life of this object.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";

    /**
     * @param dataDir        where the log and the KRaft metadata live; created if missing, reused
     *                       if already formatted (a restart of standalone mode keeps its topics)
     * @param brokerPort     client port; 0 picks a free one at the first start. Fixing it lets
     *                       other processes find the broker, at the risk of a port clash.
     * @param controllerPort KRaft controller port; 0 picks a free one at the first start
     */
    public record Settings(Path dataDir, int brokerPort, int controllerPort) {
        public Settings {
            if (dataDir == null) {
                throw new IllegalArgumentException("dataDir: null (expected: a directory path)");
            }
            if (brokerPort < 0 || brokerPort > 65535) {
                throw new IllegalArgumentException("brokerPort: " + brokerPort + " (expected: 0..65535)");
            }
            if (controllerPort < 0 || controllerPort > 65535) {
                throw new IllegalArgumentException("controllerPort: " + controllerPort + " (expected: 0..65535)");
            }
        }

        public static Settings ephemeralPorts(Path dataDir) {
            return new Settings(dataDir, 0, 0);
        }
    }

    private final Path dataDir;
    private int brokerPort;
    private int controllerPort;
    private KafkaRaftServer server;

    public EmbeddedKafka(Settings settings) {
        this.dataDir = settings.dataDir();
        this.brokerPort = settings.brokerPort();
        this.controllerPort = settings.controllerPort();
    }

    /** Formats the data directory if needed and starts the broker; returns once it takes clients. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("broker already running on " + bootstrapServers());
        }
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            if (brokerPort == 0) {
                brokerPort = freePort();
            }
            if (controllerPort == 0) {
                controllerPort = freePort();
            }
            Path config = writeConfig();
            formatIfNeeded(config);
            KafkaConfig kafkaConfig = new KafkaConfig(serverProperties(), false);
            KafkaRaftServer started = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            started.startup();
            server = started;
            awaitReady(30_000);
            log.info("embedded Kafka broker up on {} in {} ms (data {})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Kafka in " + dataDir, e);
        }
    }

    /** Shuts the broker down and waits for it; the data directory and ports are kept. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer running = server;
        server = null;
        running.shutdown();
        running.awaitShutdown();
        log.info("embedded Kafka broker on {} stopped in {} ms", bootstrapServers(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code host:port} for {@code bootstrap.servers}; valid once started (and after a stop). */
    public synchronized String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates a topic with replication factor 1; an existing topic of that name is left as it is. */
    public void createTopic(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
            log.debug("topic {} already exists", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + name, e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("log").toString());
        p.put("num.partitions", "1");
        // One node: every internal topic has one replica, and nothing waits for a second one.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created explicitly with the partition count the caller needs.
        p.put("auto.create.topics.enable", "false");
        // A restart on the same data directory should not wait for a long log recovery.
        p.put("log.flush.interval.messages", "10000");
        return p;
    }

    private Path writeConfig() throws IOException {
        Path file = dataDir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            serverProperties().store(w, "eastwatch embedded Kafka (written at each start)");
        }
        return file;
    }

    private void formatIfNeeded(Path config) {
        if (Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {
                "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--ignore-formatted"}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting " + dataDir + " failed (" + rc + "): "
                + out.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<String, Object> conf = Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("embedded Kafka not ready after " + timeoutMs + " ms", e);
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }
}
