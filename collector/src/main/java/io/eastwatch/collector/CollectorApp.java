package io.eastwatch.collector;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.alert.AlertJson;
import io.eastwatch.collector.alert.AlertSink;
import io.eastwatch.collector.baseline.BaselineSettings;
import io.eastwatch.collector.baseline.RemoteDestinations;
import io.eastwatch.collector.ingest.CompactedTopicReader;
import io.eastwatch.collector.ingest.DestinationPublisher;
import io.eastwatch.collector.ingest.DestinationView;
import io.eastwatch.collector.ingest.DestinationViewSettings;
import io.eastwatch.collector.ingest.FleetDirectory;
import io.eastwatch.collector.ingest.GroupApprovals;
import io.eastwatch.collector.ingest.IdentityTopicReader;
import io.eastwatch.collector.ingest.IngestMetrics;
import io.eastwatch.collector.ingest.IngestSettings;
import io.eastwatch.collector.ingest.PartitionIngest;
import io.eastwatch.collector.ingest.PartitionSnapshot;
import io.eastwatch.collector.ingest.SnapshotStore;
import io.eastwatch.collector.ingest.TopicSetup;
import io.eastwatch.daemon.kafka.KafkaAuthFailure;
import io.eastwatch.daemon.kafka.KafkaSecurity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector daemon's runtime: one consumer-group member over the flows topic, one
 * {@link PartitionIngest} (and detection engine) per assigned partition, and one transactional
 * producer. Alerts, dead letters, partition snapshots and the consumed offsets are committed in one
 * Kafka transaction, so a collector that takes over a partition (rebalance, restart, crash)
 * restores the snapshot that matches the committed offset exactly: it neither relearns nor
 * re-alerts, and alerts of an unfinished transaction are never seen by read_committed readers.
 * Beside the group, it reads whole compacted topics that every member shares: the agents' identity
 * announcements, the destination view (each partition's served ports and container prefixes, which
 * its owner publishes in the partition's transaction) and the edge approvals.
 */
public final class CollectorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorApp.class);
    public static final String TYPE_HEADER = "eastwatch-type";

    private final IngestSettings ingest;
    private final CollectorSettings settings;
    private final MeterRegistry registry;
    private final AlertSink extraSink;
    private final IngestMetrics metrics;
    private final Map<Integer, PartitionIngest> pipelines = new ConcurrentHashMap<>();
    private final Map<Integer, Long> positions = new HashMap<>();
    private final Set<Integer> dirty = new HashSet<>();
    /** Alerts raised by each partition's pipeline, published by the consume thread after each step. */
    private final Map<Integer, List<Alert>> pendingAlerts = new TreeMap<>();
    private ExecutorService workers;
    private final AtomicLong lag = new AtomicLong();
    private volatile boolean running = true;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private boolean inTransaction;
    private long transactionStartNanos;
    private Thread thread;
    private volatile Throwable failure;
    /** Commits wait at least this many times the last commit's duration (see {@link #commitIntervalNanos}). */
    private static final long SNAPSHOT_COST_FACTOR = 4;
    private long lastCommitNanos;

    public CollectorApp(IngestSettings ingest, CollectorSettings settings, MeterRegistry registry, AlertSink extraSink) {
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.extraSink = extraSink == null ? a -> { } : extraSink;
        this.metrics = new IngestMetrics(registry);
        Gauge.builder("eastwatch.collector.workloads", pipelines, p -> sum(p.values(), true))
                .description("Workloads with a baseline").register(registry);
        Gauge.builder("eastwatch.collector.baseline.edges", pipelines, p -> sum(p.values(), false))
                .description("Edges (peer x port x protocol) held in all baselines").register(registry);
        Gauge.builder("eastwatch.collector.consumer.lag", lag, AtomicLong::get)
                .description("Flow records behind the end of the assigned partitions").register(registry);
        Gauge.builder("eastwatch.collector.partitions.assigned", pipelines, Map::size)
                .description("Flows partitions this collector owns").register(registry);
    }

    private static double sum(Collection<PartitionIngest> ps, boolean workloads) {
        double s = 0;
        for (PartitionIngest p : ps) {
            s += workloads ? p.engine().workloadCount() : p.engine().edgeCount();
        }
        return s;
    }

    private final ConcurrentLinkedQueue<BaselineSettings.ApprovedEdge>
            approvals = new ConcurrentLinkedQueue<>();
    private volatile List<DetectionEngine.BaselineCopy> baselines = List.of();
    private volatile Set<BaselineSettings.ApprovedEdge> approvedView =
            Set.of();
    private long lastBaselineCopy;
    private volatile Map<String, Object> clientProperties = Map.of();

    private volatile KafkaSecurity security;

    /** Extra Kafka client properties (TLS / SASL from kafka.security); set before {@link #start}. */
    public void clientProperties(Map<String, Object> props) {
        this.clientProperties = Map.copyOf(props);
    }

    private volatile String identityTopic = "";
    private volatile FleetDirectory fleet = FleetDirectory.EMPTY;
    private IdentityTopicReader identityReader;

    /**
     * The agents' identity topic (cross-host endpoint names); empty: not read. Set before {@link #start}.
     */
    public void identityTopic(String topic) {
        this.identityTopic = topic == null ? "" : topic;
    }

    private volatile String destinationsTopic = "";
    private volatile DestinationViewSettings destinationSettings =
            DestinationViewSettings.defaults();
    private volatile RemoteDestinations destinations =
            RemoteDestinations.NONE;
    private DestinationPublisher destinationPublisher;
    private CompactedTopicReader destinationsReader;
    private volatile String approvalsTopic = "";
    private volatile GroupApprovals groupApprovals;
    private CompactedTopicReader approvalsReader;
    /** Per partition: the pipeline the group's approvals were applied to, and the log applied to it. */
    private final Map<Integer, Map.Entry<PartitionIngest, GroupApprovals.Log>> groupApplied =
            new HashMap<>();

    /**
     * The group's destination view (compacted topic of every partition's served ports and container
     * prefixes, see {@link DestinationView}); empty: each partition judges
     * the scan's darknet evidence with its own knowledge only. Set before {@link #start}.
     */
    public void destinationsTopic(String topic, DestinationViewSettings settings) {
        this.destinationsTopic = topic == null ? "" : topic;
        this.destinationSettings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The group's edge approvals (compacted topic; see {@link GroupApprovals});
     * empty: an approval applies to this collector's partitions only. Set before {@link #start}.
     */
    public void approvalsTopic(String topic) {
        this.approvalsTopic = topic == null ? "" : topic;
    }

    /** What this collector knows of the group's destinations (empty until the topic is read). */
    public RemoteDestinations destinationView() {
        return destinations;
    }

    /**
     * TLS / SASL to the brokers (kafka.security), for every client of the consume loop; set before
     * {@link #start}. A refused handshake or login then stops the collector with the cause named.
     */
    public void security(KafkaSecurity security) {
        this.security = Objects.requireNonNull(security, "security");
        clientProperties(security.clientProperties());
    }

    /** Ready: consuming (partitions assigned, or a group with nothing to assign yet) and caught up. */
    public boolean caughtUp(long maxLag) {
        return failure == null && consumer != null && lag.get() <= maxLag;
    }

    public long lag() {
        return lag.get();
    }

    /**
     * Approves an edge. With an approvals topic, the approval is written there (this returns once the
     * brokers have it, and throws {@link IllegalStateException} if they did not take it) and every
     * collector of the group applies it to the partitions it owns now or later. Without one, it is
     * applied to the partitions this collector owns (post it to each collector, or put the edge in
     * detection.approved_edges). Either way it is applied on the consume thread and kept in the
     * partitions' snapshots, so it survives restart and rebalance.
     */
    public void approve(BaselineSettings.ApprovedEdge edge) {
        Objects.requireNonNull(edge, "edge");
        GroupApprovals group = groupApprovals();
        if (group != null) {
            group.publish(edge);
        } else {
            revocations.remove(edge);   // approved again before the consume thread revoked it: the later word wins
            approvals.add(edge);
        }
    }

    private final ConcurrentLinkedQueue<BaselineSettings.ApprovedEdge>
            revocations = new ConcurrentLinkedQueue<>();

    /**
     * Revokes an approval made through the API (those of detection.approved_edges are in the settings
     * and stay): the edge is judged as any edge outside the learned baseline again. With an approvals
     * topic, a tombstone for the edge is written there (this returns once the brokers have it, and
     * throws {@link IllegalStateException} if they did not take it) and every collector of the group
     * removes the approval from the partitions it owns now or later; without one, from this
     * collector's partitions. Applied on the consume thread and kept out of the next snapshots.
     *
     * @return false when no such approval is known here (the group's, or this collector's engines' as
     *         of the last copy): nothing was written
     */
    public boolean revoke(BaselineSettings.ApprovedEdge edge) {
        Objects.requireNonNull(edge, "edge");
        GroupApprovals group = groupApprovals();
        // an engine's run-time approval the group never had (made while the topic was off) is revoked the same way
        boolean known = group != null && group.approved(edge)
                || approvedView.contains(edge) && !settings.baseline().approvedEdges().contains(edge);
        if (!known) {
            return false;
        }
        if (group != null) {
            group.publishRevocation(edge);
        } else {
            approvals.remove(edge);
            revocations.add(edge);
        }
        return true;
    }

    private synchronized GroupApprovals groupApprovals() {
        if (groupApprovals == null && !approvalsTopic.isEmpty()) {
            Map<String, Object> p = new HashMap<>(clientProperties);
            p.put("bootstrap.servers", ingest.bootstrapServers());
            groupApprovals = new GroupApprovals(approvalsTopic, ingest.instanceId(),
                    settings.baseline().maxEdgesPerWorkload(), p, registry);
        }
        return groupApprovals;
    }

    /** Starts the readers of the group topics (destinations, approvals) that are configured. */
    private void startGroupTopics() {
        if (!destinationsTopic.isEmpty()) {
            CompactedTopicReader.ensureCompacted(ingest.bootstrapServers(), clientProperties,
                    destinationsTopic, Map.of("max.message.bytes", String.valueOf(destinationSettings.maxSummaryBytes() + 1024)));
            DestinationView view = new DestinationView(
                    ingest.flowsTopic(), destinationSettings, registry);
            destinationsReader = new CompactedTopicReader(ingest.bootstrapServers(),
                    destinationsTopic, clientProperties, "eastwatch-collector-destinations-" + ingest.instanceId(), view);
            destinationsReader.start();
            destinationPublisher = new DestinationPublisher(destinationsTopic,
                    ingest.flowsTopic(), ingest.instanceId(), destinationSettings, registry);
            destinations = view;
        }
        GroupApprovals group = groupApprovals();
        if (group != null) {
            CompactedTopicReader.ensureCompacted(ingest.bootstrapServers(), clientProperties,
                    approvalsTopic, Map.of());
            approvalsReader = new CompactedTopicReader(ingest.bootstrapServers(),
                    approvalsTopic, clientProperties, "eastwatch-collector-approvals-" + ingest.instanceId(), group);
            approvalsReader.start();
        }
    }

    /**
     * The destination summaries due for the owned partitions, in the transaction being committed (so a
     * summary never runs ahead of the partition's committed snapshot). Only once the topic is being
     * read, i.e. exists: a summary sent to a missing topic would fail the transaction.
     */
    private void publishDestinations() {
        if (destinationPublisher == null || !destinationsReader.reading()) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<Integer, PartitionIngest> e : pipelines.entrySet()) {
            Long next = positions.get(e.getKey());
            ProducerRecord<byte[], byte[]> r = next == null ? null
                    : destinationPublisher.due(e.getKey(), e.getValue().engine(), next, now);
            if (r != null) {
                producer.send(r);
            }
        }
        destinationPublisher.retain(pipelines.keySet());
    }

    /**
     * The group's approvals and revocations not yet applied to each owned partition (all of them for a
     * partition new here).
     */
    private boolean applyGroupApprovals() {
        if (groupApprovals == null) {
            return false;
        }
        boolean any = false;
        for (Map.Entry<Integer, PartitionIngest> e : pipelines.entrySet()) {
            if (applyGroupApprovals(e.getKey(), e.getValue())) {
                begin();
                dirty.add(e.getKey());
                any = true;
            }
        }
        groupApplied.keySet().retainAll(pipelines.keySet());
        return any;
    }

    /**
     * Applies the group's approvals and revocations this pipeline has not had yet; also called as a
     * partition is restored, so its first batch is judged with them.
     *
     * @return whether the engine changed (its next snapshot must carry it)
     */
    private boolean applyGroupApprovals(int partition, PartitionIngest pipeline) {
        if (groupApprovals == null) {
            return false;
        }
        GroupApprovals.Log log = groupApprovals.log();
        Map.Entry<PartitionIngest, GroupApprovals.Log> done = groupApplied.get(partition);
        boolean same = done != null && done.getKey() == pipeline && done.getValue().epoch() == log.epoch();
        int from = same ? done.getValue().changes().length : 0;
        if (same && from == log.changes().length) {
            return false;
        }
        boolean changed = false;
        for (int i = from; i < log.changes().length; i++) {
            GroupApprovals.Change c = log.changes()[i];
            changed |= c.approve() ? pipeline.engine().approve(c.edge()) : pipeline.engine().revoke(c.edge());
        }
        groupApplied.put(partition, Map.entry(pipeline, log));
        return changed;
    }

    /** The owned partitions' baselines, copied every 2 s on the consume thread. */
    public List<DetectionEngine.BaselineCopy> baselines() {
        return baselines;
    }

    /** Edges approved in this collector (configuration and API), as of the last copy. */
    public Set<BaselineSettings.ApprovedEdge> approvedEdges() {
        return approvedView;
    }

    private void applyApprovals() {
        BaselineSettings.ApprovedEdge a;
        boolean any = false;
        while ((a = approvals.poll()) != null) {
            if (pipelines.isEmpty()) {
                // nothing to keep it in: say so rather than pretend it took effect
                LOG.warn("edge approval {} -> {} port {} protocol {} not applied: this collector owns no partition yet;"
                        + " post it again, or put it in detection.approved_edges", a.sourceWorkload(), a.peer(), a.port(),
                        a.protocol());
                continue;
            }
            for (Map.Entry<Integer, PartitionIngest> e : pipelines.entrySet()) {
                if (e.getValue().engine().approve(a)) {
                    begin();
                    dirty.add(e.getKey());
                }
            }
            LOG.info("edge approved: {} -> {} port {} protocol {}", a.sourceWorkload(), a.peer(), a.port(), a.protocol());
            any = true;
        }
        boolean revoked = applyRevocations();
        if (applyGroupApprovals() || revoked || any) {
            copyBaselines();
        }
    }

    /** Revocations through this collector's API without an approvals topic: its owned partitions only. */
    private boolean applyRevocations() {
        BaselineSettings.ApprovedEdge a;
        boolean any = false;
        while ((a = revocations.poll()) != null) {
            for (Map.Entry<Integer, PartitionIngest> e : pipelines.entrySet()) {
                if (e.getValue().engine().revoke(a)) {
                    begin();
                    dirty.add(e.getKey());
                }
            }
            GroupApprovals.revokedCounter(registry).increment();
            LOG.info("edge approval revoked: {} -> {} port {} protocol {}", a.sourceWorkload(), a.peer(), a.port(),
                    a.protocol());
            any = true;
        }
        return any;
    }

    private void copyBaselines() {
        List<DetectionEngine.BaselineCopy> all = new ArrayList<>();
        Set<BaselineSettings.ApprovedEdge> approved = new HashSet<>();
        for (PartitionIngest p : pipelines.values()) {
            all.addAll(p.engine().baselineCopy(p.engine().watermarkUs()));
            approved.addAll(p.engine().approvedEdges());
        }
        baselines = List.copyOf(all);
        approvedView = Set.copyOf(approved);
    }

    /** Starts the consume loop on its own thread. */
    public void start() {
        thread = new Thread(this::run, "eastwatch-collector-" + ingest.instanceId());
        thread.start();
    }

    /** The partitions currently owned (for tests and the ops API). */
    public Set<Integer> assignedPartitions() {
        return Set.copyOf(pipelines.keySet());
    }

    public Throwable failure() {
        return failure;
    }

    public void run() {
        try {
            TopicSetup.ensure(ingest, clientProperties);
            if (!identityTopic.isEmpty()) {
                FleetDirectory d = new FleetDirectory(
                        1_000_000, 3_600_000_000L, registry);
                identityReader = new IdentityTopicReader(ingest.bootstrapServers(),
                        identityTopic, clientProperties, d, registry);
                identityReader.start();
                fleet = d;
            }
            startGroupTopics();
            if (ingest.processingThreads() > 1) {
                workers = Executors.newFixedThreadPool(ingest.processingThreads() - 1, r -> {
                    Thread t = new Thread(r, "eastwatch-collector-" + ingest.instanceId() + "-worker");
                    t.setDaemon(true);
                    return t;
                });
            }
            consumer = new KafkaConsumer<>(consumerProps());
            producer = new KafkaProducer<>(producerProps());
            producer.initTransactions();
            consumer.subscribe(List.of(ingest.flowsTopic()), new Rebalance());
            long lastLag = 0;
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break;
                }
                long arrival = System.nanoTime();
                // Partition by partition: the transaction, offset and dirty bookkeeping once per batch, not per
                // record; the partitions' pipelines run in parallel, the consume thread taking one of them.
                List<Batch> work = new ArrayList<>();
                for (TopicPartition tp : records.partitions()) {
                    PartitionIngest p = pipelines.get(tp.partition());
                    List<ConsumerRecord<byte[], byte[]>> batch = records.records(tp);
                    if (p == null || batch.isEmpty()) {
                        continue;
                    }
                    begin();
                    work.add(new Batch(tp.partition(), p, batch));
                }
                process(work, arrival);
                for (Batch b : work) {
                    for (ProducerRecord<byte[], byte[]> dead : b.dead) {
                        producer.send(dead);
                    }
                    positions.put(b.partition, b.records.get(b.records.size() - 1).offset() + 1);
                    dirty.add(b.partition);
                }
                publishPending();
                applyApprovals();
                if (System.nanoTime() - lastBaselineCopy > 2_000_000_000L) {
                    lastBaselineCopy = System.nanoTime();
                    copyBaselines();
                }
                if (inTransaction && System.nanoTime() - transactionStartNanos >= commitIntervalNanos()) {
                    commit();
                }
                if (System.nanoTime() - lastLag > 1_000_000_000L) {
                    lastLag = System.nanoTime();
                    updateLag();
                    checkAgents();
                }
            }
            if (inTransaction) {
                commit();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        } catch (WakeupException e) {
            LOG.debug("collector woken up to stop");
        } catch (RuntimeException e) {
            String refused = security == null ? null : KafkaAuthFailure.describe(e, security);
            if (refused != null) {
                // not worth a stack trace: the brokers said no, and the line says why and what to check
                failure = new IllegalStateException(refused);
                LOG.error("collector {} stopped: {}", ingest.instanceId(), refused);
            } else {
                failure = e;
                LOG.error("collector {} stopped on an error", ingest.instanceId(), e);
            }
        } finally {
            if (workers != null) {
                workers.shutdownNow();
            }
            closeClients();
        }
    }

    /** One partition's records of one poll, and the dead letters they produced. */
    private static final class Batch {
        final int partition;
        final PartitionIngest pipeline;
        final List<ConsumerRecord<byte[], byte[]>> records;
        final List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();

        Batch(int partition, PartitionIngest pipeline, List<ConsumerRecord<byte[], byte[]>> records) {
            this.partition = partition;
            this.pipeline = pipeline;
            this.records = records;
        }

        void run(String deadLetterTopic, long arrival) {
            for (ConsumerRecord<byte[], byte[]> rec : records) {
                String reason = pipeline.accept(rec.value(), type(rec), arrival);
                if (reason != null) {
                    ProducerRecord<byte[], byte[]> d = new ProducerRecord<>(deadLetterTopic, null, rec.key(), rec.value(),
                            rec.headers());
                    d.headers().add("eastwatch-dlq-reason", reason.getBytes(StandardCharsets.UTF_8));
                    d.headers().add("eastwatch-source", (rec.topic() + "/" + rec.partition() + "@" + rec.offset())
                            .getBytes(StandardCharsets.UTF_8));
                    dead.add(d);
                }
            }
        }
    }

    /**
     * Runs the batches, each partition's on one thread: the consume thread takes the first and the
     * workers the others, and it returns when all are done. Pipelines share nothing mutable but
     * thread-safe meters and the fleet directory; their alerts wait in per-partition buffers until
     * {@link #publishPending} sends them from this thread, in partition order.
     */
    private void process(List<Batch> work, long arrival) throws InterruptedException {
        if (work.isEmpty()) {
            return;
        }
        if (workers == null || work.size() == 1) {
            for (Batch b : work) {
                b.run(ingest.deadLetterTopic(), arrival);
            }
            return;
        }
        List<Future<?>> running = new ArrayList<>(work.size() - 1);
        for (int i = 1; i < work.size(); i++) {
            Batch b = work.get(i);
            running.add(workers.submit(() -> b.run(ingest.deadLetterTopic(), arrival)));
        }
        RuntimeException first = null;
        try {
            work.get(0).run(ingest.deadLetterTopic(), arrival);
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (first == null) {
                    first = cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Sends the alerts the pipelines raised since the last call, on the consume thread (inside the transaction). */
    private void publishPending() {
        for (Map.Entry<Integer, List<Alert>> e : pendingAlerts.entrySet()) {
            List<Alert> list = e.getValue();
            if (list.isEmpty()) {
                continue;
            }
            begin();
            for (Alert a : list) {
                publish(a);
            }
            list.clear();
        }
    }

    private void begin() {
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
            transactionStartNanos = System.nanoTime();
        }
    }

    /**
     * The configured commit interval, stretched so that writing the snapshots takes at most a fifth of
     * the consume thread: a snapshot holds the whole baseline, so under a high flow rate with a large
     * baseline a fixed short interval would spend most of the time serialising it. Alerts of a commit
     * are visible once it lands, so a stretched interval delays them by as much.
     */
    private long commitIntervalNanos() {
        return Math.max(ingest.commitIntervalMillis() * 1_000_000L, SNAPSHOT_COST_FACTOR * lastCommitNanos);
    }

    /** Snapshots of the partitions touched, their offsets and the alerts sent so far: one transaction. */
    private void commit() {
        publishPending();
        long start = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p : dirty) {
            PartitionIngest pipeline = pipelines.get(p);
            Long next = positions.get(p);
            if (pipeline == null || next == null) {
                continue;
            }
            producer.send(new ProducerRecord<>(ingest.stateTopic(), SnapshotStore.key(ingest.flowsTopic(), p),
                    SnapshotStore.encode(pipeline.snapshot(next))));
            offsets.put(new TopicPartition(ingest.flowsTopic(), p), new OffsetAndMetadata(next));
        }
        publishDestinations();
        if (!offsets.isEmpty()) {
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        }
        producer.commitTransaction();
        inTransaction = false;
        dirty.clear();
        lastCommitNanos = System.nanoTime() - start;
    }

    private void updateLag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        lag.set(total);
        for (PartitionIngest p : pipelines.values()) {
            p.engine().setConsumerLag(total);
        }
    }

    /** Wall-clock silence of agents; health alerts go out in the open (or a new) transaction. */
    private void checkAgents() {
        long now = System.currentTimeMillis();
        // Heartbeats reach every partition: the lowest one this collector owns speaks for all.
        pipelines.keySet().stream().min(Integer::compare).ifPresent(p -> {
            begin();
            pipelines.get(p).engine().checkAgentsWallClock(now);
            dirty.add(p);
        });
        publishPending();
    }

    private static final byte[] FLOW_TYPE = PartitionIngest.FLOW.getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT_TYPE = PartitionIngest.HEARTBEAT.getBytes(StandardCharsets.UTF_8);

    private static String type(ConsumerRecord<byte[], byte[]> rec) {
        Header h = rec.headers().lastHeader(TYPE_HEADER);
        if (h == null || h.value() == null) {
            return null;
        }
        byte[] v = h.value();
        // the two known types without decoding a string per record
        if (Arrays.equals(v, FLOW_TYPE)) {
            return PartitionIngest.FLOW;
        }
        if (Arrays.equals(v, HEARTBEAT_TYPE)) {
            return PartitionIngest.HEARTBEAT;
        }
        return new String(v, StandardCharsets.UTF_8);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inTransaction) {
                commit();
            }
            for (TopicPartition tp : partitions) {
                pipelines.remove(tp.partition());
                pendingAlerts.remove(tp.partition());
                positions.remove(tp.partition());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member may already own them: what we did since the last commit must not count.
            if (inTransaction) {
                producer.abortTransaction();
                inTransaction = false;
                dirty.clear();
                List<TopicPartition> kept = new ArrayList<>(consumer.assignment());
                kept.removeAll(partitions);
                for (TopicPartition tp : partitions) {
                    pipelines.remove(tp.partition());
                    pendingAlerts.remove(tp.partition());
                    positions.remove(tp.partition());
                }
                restore(kept);
            } else {
                for (TopicPartition tp : partitions) {
                    pipelines.remove(tp.partition());
                    pendingAlerts.remove(tp.partition());
                    positions.remove(tp.partition());
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            restore(partitions);
        }
    }

    /** Rebuilds the pipelines of these partitions from their latest committed snapshot and seeks to it. */
    private void restore(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Set<Integer> wanted = new HashSet<>();
        for (TopicPartition tp : partitions) {
            wanted.add(tp.partition());
        }
        Map<Integer, PartitionSnapshot> snapshots =
                SnapshotStore.load(ingest, wanted, metrics, clientProperties);
        for (TopicPartition tp : partitions) {
            List<Alert> buffer = new ArrayList<>();
            pendingAlerts.put(tp.partition(), buffer);
            AlertSink sink = buffer::add;
            PartitionIngest p = new PartitionIngest(tp.partition(), settings, ingest, sink, registry, metrics);
            p.fleet(fleet);
            p.engine().destinations(destinations);
            applyGroupApprovals(tp.partition(), p);   // in its next snapshot with the partition's first batch
            PartitionSnapshot s = snapshots.get(tp.partition());
            if (s != null) {
                p.restore(s);
                consumer.seek(tp, s.nextOffset);
                positions.put(tp.partition(), s.nextOffset);
                LOG.info("partition {} restored from its snapshot at offset {}", tp.partition(), s.nextOffset);
            } else {
                LOG.info("partition {} has no snapshot: learning from the committed offset", tp.partition());
            }
            pipelines.put(tp.partition(), p);
        }
    }

    private void publish(Alert alert) {
        producer.send(new ProducerRecord<>(ingest.alertsTopic(), alert.id().getBytes(StandardCharsets.UTF_8),
                AlertJson.toBytes(alert)));
        extraSink.publish(alert);
    }

    private Properties consumerProps() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ingest.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, ingest.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "eastwatch-collector-" + ingest.instanceId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000");
        // Larger fetches per partition (default 1 MiB, about 7,000 flow records): fewer round trips to the
        // broker when the collector is behind; no effect on latency when it is caught up.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(1 << 20));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putAll(clientProperties);
        return p;
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ingest.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "eastwatch-collector-" + ingest.instanceId());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "eastwatch-collector-" + ingest.instanceId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(SnapshotStore.MAX_SNAPSHOT_BYTES));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(clientProperties);
        return p;
    }

    private void closeClients() {
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("closing the consumer failed", e);
            }
        }
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("closing the producer failed", e);
            }
        }
    }

    /** Stops after committing what was processed (a clean hand-over of its partitions). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(30_000);
        }
        if (identityReader != null) {
            identityReader.close();
        }
        if (destinationsReader != null) {
            destinationsReader.close();
        }
        if (approvalsReader != null) {
            approvalsReader.close();
        }
        if (groupApprovals != null) {
            groupApprovals.close();
        }
    }
}
