package io.eastwatch.launcher;

import io.eastwatch.collector.deliver.AlertDelivery;
import io.eastwatch.collector.deliver.DeliveryFormat;
import io.eastwatch.collector.deliver.WebhookTargetSettings;

import io.eastwatch.agent.capture.PcapFileSource;
import io.eastwatch.agent.decode.DecodeResult;
import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.agent.export.AgentStats;
import io.eastwatch.agent.export.KafkaExportSettings;
import io.eastwatch.agent.export.KafkaFlowExporter;
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
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.alert.AlertJson;
import io.eastwatch.collector.ingest.IngestMetrics;
import io.eastwatch.collector.ingest.IngestSettings;
import io.eastwatch.collector.ingest.PartitionIngest;
import io.eastwatch.daemon.CommandLine;
import io.eastwatch.daemon.ExitStatus;
import io.eastwatch.daemon.UsageException;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eastwatch replay --pcap FILE [--inventory FILE] [--learn DURATION] [--alerts-out FILE]}:
 * the whole pipeline over a capture, in event time. The agent half (file reader, decoder, flow
 * table, identity from the inventory, Kafka exporter) writes flow records to a flows topic of an
 * embedded single-node Kafka broker; the collector half reads them back from that topic through the
 * collector's partition ingest into its detection engine while the agent is still reading, and alerts go to an alerts topic and to the
 * JSON lines file. It exits when every flow the agent exported has been consumed and judged.
 *
 * <p>Why a real broker for a file: replay is how the evaluation runs, so it must exercise the same
 * protobuf, headers, keys and partitioning the daemons use; a replay that skipped Kafka could pass
 * while the deployed pipeline fails. The flows topic has one partition so the engine sees flows in
 * the agent's export order, which is what makes two replays of one capture give the same alerts.
 * The agent waits for Kafka (bounded in-flight lag) instead of dropping: nothing is lost to speed.
 */
public final class ReplayCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayCommand.class);
    private static final String HEADER_TYPE = "eastwatch-type";
    /** Flows handed to the exporter but not yet acknowledged by Kafka before the reader waits. */
    private static final long MAX_EXPORT_LAG = 20_000;

    private ReplayCommand() {
    }

    /**
     * One replay.
     *
     * @param pcap      the capture (pcap or pcapng)
     * @param inventory container inventory (DESIGN.md format), or null: every endpoint is then external
     * @param learn     the learning phase at the start of the capture, or null for the collector default
     * @param alertsOut JSON lines file of every alert revision, or null
     */
    public record Options(Path pcap, Path inventory, Duration learn, Path alertsOut) {
        public Options {
            if (pcap == null) {
                throw new IllegalArgumentException("pcap: null (expected: a capture file)");
            }
            if (learn != null && learn.isNegative()) {
                throw new IllegalArgumentException("learn: " + learn + " (expected: >= 0)");
            }
        }
    }

    /**
     * What a replay produced.
     *
     * @param alerts    the last revision of every alert, by id
     * @param revisions every alert revision in the order the engine published them
     */
    public record Result(List<Alert> alerts, List<Alert> revisions, long packets, long packetsDecoded,
            long flowsExported, long flowsConsumed, long heartbeats, Duration elapsed) {
    }

    private static final CommandLine CLI = new CommandLine("eastwatch replay")
            .option("pcap", "FILE", "the capture to replay (pcap or pcapng)")
            .option("inventory", "FILE", "container inventory for identity (DESIGN.md format)")
            .option("learn", "DURATION", "learning phase at the start of the capture (e.g. 5m, 90s, PT5M)")
            .option("alerts-out", "FILE", "write every alert revision to this file as JSON lines")
            .option("webhook", "URL", "also deliver every alert to this webhook (generic JSON; signed with the"
                    + " secret in EASTWATCH_WEBHOOK_SECRET if set)");

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> o = CLI.parse(args);
        if (o.containsKey("help")) {
            out.print("Usage: eastwatch replay --pcap FILE [--inventory FILE] [--learn DURATION]"
                    + " [--alerts-out FILE] [--webhook URL]\n\n" + CLI.optionsHelp());
            return ExitStatus.OK;
        }
        if (!o.containsKey("pcap")) {
            throw new UsageException("eastwatch replay: --pcap FILE is required (see --help)");
        }
        WebhookTargetSettings webhook = null;
        if (o.containsKey("webhook")) {
            String secret = System.getenv("EASTWATCH_WEBHOOK_SECRET");
            try {
                webhook = new WebhookTargetSettings("replay", java.net.URI.create(o.get("webhook")), DeliveryFormat.GENERIC,
                        "low", secret == null || secret.isEmpty() ? null : secret, null, Duration.ofSeconds(5), 5,
                        Duration.ofMillis(200), Duration.ofSeconds(2));
            } catch (IllegalArgumentException e) {
                throw new UsageException("eastwatch replay: --webhook " + e.getMessage());
            }
        }
        Path pcap = Path.of(o.get("pcap"));
        if (!Files.isReadable(pcap)) {
            throw new UsageException("eastwatch replay: --pcap " + pcap + ": not a readable file");
        }
        Path inventory = o.containsKey("inventory") ? Path.of(o.get("inventory")) : null;
        if (inventory != null && !Files.isReadable(inventory)) {
            throw new UsageException("eastwatch replay: --inventory " + inventory + ": not a readable file");
        }
        Duration learn = o.containsKey("learn") ? parseDuration(o.get("learn")) : null;
        Path alertsOut = o.containsKey("alerts-out") ? Path.of(o.get("alerts-out")) : null;
        Delivered delivered = new Delivered();
        Result r = replay(new Options(pcap, inventory, learn, alertsOut), null, webhook, delivered);
        out.printf("replay %s: %d packets (%d decoded), %d flows exported, %d consumed, %d alerts in %.1f s%n",
                pcap, r.packets(), r.packetsDecoded(), r.flowsExported(), r.flowsConsumed(), r.alerts().size(),
                r.elapsed().toMillis() / 1000.0);
        for (Alert a : r.alerts()) {
            out.printf("  %-8s %-18s %s%n", a.severity().json(), a.detector(), a.summary());
        }
        if (webhook != null) {
            out.printf("webhook %s: %d delivered, %d dead-lettered%n", webhook.url(), delivered.delivered, delivered.deadLetters);
        }
        if (inventory == null) {
            out.println("note: without --inventory no endpoint is a container, and the collector judges containers"
                    + " only (baselines belong to workloads)");
        }
        return ExitStatus.OK;
    }

    static Duration parseDuration(String v) {
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException(v);
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new UsageException("eastwatch replay: --learn " + v + ": not a duration (expected e.g. 5m, 90s, 0s, PT5M)");
        }
    }

    /**
     * Runs one replay. With {@code kafka} null an embedded broker is started in a temporary
     * directory and removed afterwards; a given broker (an evaluation running many replays) gets
     * fresh topics per replay.
     */
    public static Result replay(Options options, EmbeddedKafka kafka) throws IOException, InterruptedException {
        return replay(options, kafka, null, null);
    }

    /** What webhook delivery achieved during a replay. */
    static final class Delivered {
        long delivered;
        long deadLetters;
    }

    /**
     * Runs one replay and, with {@code webhook} set, delivers every alert revision from the alerts
     * topic to it (the collector's own delivery path) before returning.
     */
    static Result replay(Options options, EmbeddedKafka kafka, WebhookTargetSettings webhook, Delivered delivered)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("eastwatch-replay-");
        EmbeddedKafka own = null;
        try {
            if (kafka == null) {
                own = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(work.resolve("kafka")));
                own.start();
                kafka = own;
            }
            String run = UUID.randomUUID().toString().substring(0, 8);
            String flowsTopic = "eastwatch.replay." + run + ".flows";
            String alertsTopic = "eastwatch.replay." + run + ".alerts";
            kafka.createTopic(flowsTopic, 1);
            kafka.createTopic(alertsTopic, 1);
            Result r = pipeline(options, kafka.bootstrapServers(), flowsTopic, alertsTopic, work);
            if (webhook != null) {
                deliver(webhook, kafka.bootstrapServers(), alertsTopic, run, r.revisions().size(), delivered);
            }
            return new Result(r.alerts(), r.revisions(), r.packets(), r.packetsDecoded(), r.flowsExported(),
                    r.flowsConsumed(), r.heartbeats(), Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            if (own != null) {
                own.close();
            }
            Trees.delete(work, "replay");
        }
    }

    /** Delivers the alerts topic to the webhook until every revision is delivered or dead-lettered. */
    private static void deliver(WebhookTargetSettings webhook, String bootstrap, String alertsTopic, String run,
                                int expected, Delivered delivered) throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AlertDelivery d = new AlertDelivery(Map.of("bootstrap.servers", bootstrap), alertsTopic,
                alertsTopic + ".deadletter", "eastwatch-replay-" + run, List.of(webhook), 1000, registry)) {
            d.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (true) {
                long ok = (long) registry.get("eastwatch.collector.webhook.deliveries").tag("outcome", "delivered").counter().count();
                long dead = (long) registry.get("eastwatch.collector.webhook.deliveries").tag("outcome", "dead_letter").counter().count();
                if (delivered != null) {
                    delivered.delivered = ok;
                    delivered.deadLetters = dead;
                }
                if (ok + dead >= expected) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    LOG.warn("replay: webhook delivery incomplete after 2 min: {} of {} alerts", ok + dead, expected);
                    return;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Result pipeline(Options options, String bootstrap, String flowsTopic, String alertsTopic, Path work)
            throws IOException, InterruptedException {
        MeterRegistry registry = new SimpleMeterRegistry();
        CollectorSettings collectorSettings = options.learn() == null
                ? CollectorSettings.defaults() : CollectorSettings.defaults().withLearning(options.learn());
        AlertCollector alerts = new AlertCollector(options.alertsOut(), bootstrap, alertsTopic);
        IngestSettings ingestSettings = IngestSettings.defaults(bootstrap, "replay");
        PartitionIngest ingest = new PartitionIngest(0, collectorSettings, ingestSettings, alerts, registry,
                new IngestMetrics(registry));
        DetectionEngine engine = ingest.engine();
        CollectorLoop collector = new CollectorLoop(bootstrap, flowsTopic, ingest);
        Thread collectorThread = new Thread(collector, "eastwatch-replay-collector");
        collectorThread.start();

        AgentRun agent = null;
        try {
            long t0 = System.nanoTime();
            agent = runAgent(options, bootstrap, flowsTopic, work.resolve("agent"), registry);
            long t1 = System.nanoTime();
            collector.endAt(agent.exported);
            collectorThread.join();
            LOG.info("replay {}: agent read {} packets into {} flows in {} ms; collector done {} ms later",
                    options.pcap().getFileName(), agent.packets, agent.exported, (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000);
            if (collector.failure.get() != null) {
                throw new IllegalStateException("collector failed during replay", collector.failure.get());
            }
            engine.finish();
        } finally {
            if (collectorThread.isAlive()) {
                collector.abort();
                collectorThread.join(30_000);
            }
            alerts.close();
        }
        if (collector.deadLettered > 0) {
            LOG.warn("replay: {} records refused by the collector's ingest (eastwatch.collector.* dead-letter metrics)",
                    collector.deadLettered);
        }
        return new Result(alerts.latest(), alerts.revisions(), agent.packets, agent.decoded, agent.exported,
                collector.flows, collector.heartbeats, Duration.ZERO);
    }

    private record AgentRun(long packets, long decoded, long exported) {
    }

    /** The agent half: reads the whole file and returns once every flow is acknowledged by Kafka. */
    private static AgentRun runAgent(Options options, String bootstrap, String topic, Path state, MeterRegistry registry)
            throws IOException, InterruptedException {
        Files.createDirectories(state);
        // A file run waits for Kafka rather than spooling: the stall timeout only decides when the
        // exporter gives up on the broker, and a loaded machine should not make a replay touch disk.
        // Heartbeats go out on the wall clock; in a one-agent, one-partition replay the flows carry
        // event time themselves, and wall-clock heartbeats would make where the engine advances
        // depend on the machine's speed. So only the exporter's first heartbeat is sent.
        KafkaExportSettings defaults = KafkaExportSettings.defaults(bootstrap, "replay", "replay", state);
        KafkaExportSettings exportSettings = defaults.withTopic(topic).withTimings(Duration.ofSeconds(60),
                defaults.retryBackoff(), Duration.ofHours(24), Duration.ofSeconds(60));
        List<ContainerResolver> resolvers = new ArrayList<>();
        InventoryResolver inventory = null;
        if (options.inventory() != null) {
            try {
                inventory = new InventoryResolver(InventorySettings.of(options.inventory()), registry);
            } catch (InventoryException e) {
                throw new UsageException("eastwatch replay: --inventory " + options.inventory() + ": " + e.getMessage());
            }
            inventory.start();
            resolvers.add(inventory);
        }
        try (KafkaFlowExporter exporter = new KafkaFlowExporter(exportSettings, AgentStats.NONE, registry)) {
            BackpressureSink paced = new BackpressureSink(exporter);
            IdentityEnricher identity = new IdentityEnricher(IdentityEnricherSettings.defaults("replay"), resolvers,
                    new HostAddresses(List.of(), false, 10_000), paced, registry);
            long[] counts = new long[2];
            try (PcapFileSource source = new PcapFileSource(options.pcap(), registry)) {
                FlowTable table = new FlowTable(FlowTableSettings.defaults(), identity, source::interfaceName, registry);
                PacketDecoder decoder = new PacketDecoder(registry);
                PacketMeta meta = new PacketMeta();
                source.run((ts, wireLen, buf, offset, capLen, linkType, ifId) -> {
                    counts[0]++;
                    if (decoder.decode(ts, wireLen, buf, offset, capLen, linkType, ifId, meta) == DecodeResult.OK) {
                        counts[1]++;
                        table.onPacket(meta);
                    }
                });
                table.flushAll();
            }
            identity.flush();
            paced.awaitAcknowledged();
            long exported = exporter.exportedCount();
            if (exported != paced.accepted) {
                throw new IllegalStateException("the exporter acknowledged " + exported + " of " + paced.accepted
                        + " flows (see eastwatch.agent.export.* metrics)");
            }
            return new AgentRun(counts[0], counts[1], exported);
        } finally {
            if (inventory != null) {
                inventory.close();
            }
        }
    }

    /**
     * Between identity and the exporter: a file is read far faster than Kafka acknowledges, and the
     * exporter drops what its hand-off queue cannot take; so the reader waits while too many flows
     * are unacknowledged. Live capture cannot wait; a replay can, and must not lose a flow.
     */
    private static final class BackpressureSink implements FlowSink {
        private final KafkaFlowExporter exporter;
        long accepted;

        BackpressureSink(KafkaFlowExporter exporter) {
            this.exporter = exporter;
        }

        @Override
        public void accept(FlowRecord.Builder flow) {
            while (accepted - exporter.exportedCount() >= MAX_EXPORT_LAG) {
                sleep(1);
            }
            accepted++;
            exporter.accept(flow);
        }

        @Override
        public void advance(long watermarkMicros) {
            exporter.advance(watermarkMicros);
        }

        @Override
        public void flush() {
            exporter.flush();
        }

        void awaitAcknowledged() {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (exporter.exportedCount() < accepted && System.nanoTime() < deadline) {
                exporter.flush();
                sleep(5);
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
        }
    }

    /**
     * The collector half: reads the flows topic from its start through the collector's partition
     * ingest (validation, de-duplication, sequence gaps, then the detection engine) until it has
     * taken as many flow records as the agent exported. The daemon's consumer-group runtime adds
     * rebalancing and transactional snapshots, which a one-shot replay has no use for.
     */
    private static final class CollectorLoop implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final PartitionIngest ingest;
        private volatile long expected = Long.MAX_VALUE;
        private volatile boolean aborted;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        long flows;
        long heartbeats;
        long deadLettered;

        CollectorLoop(String bootstrap, String topic, PartitionIngest ingest) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.ingest = ingest;
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }

        void endAt(long flowsExported) {
            expected = flowsExported;
        }

        void abort() {
            aborted = true;
            consumer.wakeup();
        }

        @Override
        public void run() {
            try {
                while (!aborted && flows < expected) {
                    ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                    long arrival = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        Header h = r.headers().lastHeader(HEADER_TYPE);
                        String type = h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
                        if (PartitionIngest.HEARTBEAT.equals(type)) {
                            heartbeats++;
                        } else {
                            flows++;
                        }
                        if (ingest.accept(r.value(), type, arrival) != null) {
                            deadLettered++;
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                if (!aborted) {
                    failure.set(e);
                }
            } catch (RuntimeException e) {
                failure.set(e);
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }
    }

    /** Keeps every revision, the latest per id, the JSON lines file, and the alerts topic. */
    private static final class AlertCollector implements io.eastwatch.collector.alert.AlertSink, AutoCloseable {
        private final Map<String, Alert> latest = new TreeMap<>();
        private final List<Alert> revisions = new ArrayList<>();
        private final BufferedWriter file;
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;

        AlertCollector(Path alertsOut, String bootstrap, String topic) throws IOException {
            this.file = alertsOut == null ? null : Files.newBufferedWriter(alertsOut, StandardCharsets.UTF_8);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            this.topic = topic;
        }

        @Override
        public synchronized void publish(Alert alert) {
            latest.put(alert.id(), alert);
            revisions.add(alert);
            String json = AlertJson.toJson(alert);
            producer.send(new ProducerRecord<>(topic, alert.id().getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)));
            if (file != null) {
                try {
                    file.write(json);
                    file.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write alerts file", e);
                }
            }
        }

        synchronized List<Alert> latest() {
            List<Alert> out = new ArrayList<>(latest.values());
            out.sort((a, b) -> a.firstSeen().compareTo(b.firstSeen()) != 0
                    ? a.firstSeen().compareTo(b.firstSeen()) : a.id().compareTo(b.id()));
            return Collections.unmodifiableList(out);
        }

        synchronized List<Alert> revisions() {
            return List.copyOf(revisions);
        }

        @Override
        public synchronized void close() throws IOException {
            producer.close(Duration.ofSeconds(10));
            if (file != null) {
                file.close();
            }
        }
    }
}
