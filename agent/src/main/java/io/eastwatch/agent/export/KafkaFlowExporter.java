package io.eastwatch.agent.export;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.daemon.kafka.KafkaAuthFailure;
import io.eastwatch.daemon.kafka.KafkaSecurity;
import io.eastwatch.flow.FlowJson;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends flow records to Kafka, keyed by source workload, and falls back to a disk spool while
 * Kafka is away.
 *
 * <h2>Threads and hand-off</h2>
 * {@link #accept} only offers the flow to a bounded queue: the capture path never waits for Kafka
 * or the disk. A full queue means the exporter cannot even keep up writing to the spool; the flow
 * is then dropped and counted ({@code eastwatch.agent.export.handoff.dropped}). One exporter thread
 * numbers the records, partitions them, and sends or spools them; the producer's I/O thread only
 * completes callbacks.
 *
 * <h2>Numbering and partitioning</h2>
 * Every record gets the next agent-wide {@code sequence} when the exporter takes it, and the next
 * {@code partition_sequence} of its partition when it is handed to the producer. The partition is
 * computed here with Kafka's own rule for keyed records ({@code murmur2(key) mod partitions}, as
 * the default partitioner does) so the number is known before sending; the record is then sent to
 * that explicit partition. Both counters survive restarts ({@link SequenceStore}).
 *
 * <h2>Delivery guarantee</h2>
 * The producer is idempotent with {@code acks=all}: the broker de-duplicates its retries, and
 * records of one partition are written in send order. Records are sent directly while Kafka
 * answers. Kafka counts as unreachable when a send fails, when the oldest unacknowledged record is
 * older than the stall timeout, or when the in-flight window is full (the producer would have to
 * block). From then on every new record goes to the disk spool, in order, and stays there until:
 * <ol>
 *   <li>the records that were in flight when Kafka went away are acknowledged: the producer keeps
 *       retrying them (same producer id and sequence, so the broker writes each once) for up to the
 *       delivery timeout;</li>
 *   <li>then the spool is sent in order (one record as a probe until Kafka acknowledges, then a
 *       full window), and direct sending resumes once the spool has been read to its end.</li>
 * </ol>
 * Hence, per partition, records arrive in sequence order, none lost and none twice, as long as
 * the agent keeps running and no outage outlasts the delivery timeout. The exceptions, all
 * visible to the collector through {@code sequence} (duplicates) or {@code partition_sequence}
 * (gaps):
 * <ul>
 *   <li>a record the producer gives up on (delivery timeout, or a non-retriable error) is spooled
 *       again and sent after the records spooled meanwhile, with a new partition_sequence; if the
 *       broker had in fact written it, it arrives twice;</li>
 *   <li>a spooled record that was sent but whose acknowledgement was not yet recorded when the
 *       agent crashed is sent again after the restart (the spool cursor is behind it);</li>
 *   <li>on shutdown, records still unacknowledged after the close timeout are spooled for the next
 *       start; if the broker had written them, they arrive twice;</li>
 *   <li>a crash loses what was in memory: the hand-off queue and the in-flight window;</li>
 *   <li>a full spool, or a failing disk, drops new records (counted).</li>
 * </ul>
 *
 * <h2>Heartbeats</h2>
 * At a fixed wall-clock interval an {@link AgentHeartbeat} goes to every partition (key = agent
 * id, header {@code eastwatch-type: heartbeat}) with the event-time watermark last passed to
 * {@link #advance}, the last partition_sequence of that partition and the agent's totals. They are
 * only sent when nothing waits in the spool, after every flow accepted before the watermark was
 * read: a heartbeat never claims records that have not been sent before it.
 */
public final class KafkaFlowExporter implements FlowSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaFlowExporter.class);
    static final String TYPE_HEADER = "eastwatch-type";
    private static final Header FLOW_HEADER = new RecordHeader(TYPE_HEADER, "flow".getBytes(StandardCharsets.UTF_8));
    private static final Header HEARTBEAT_HEADER =
        new RecordHeader(TYPE_HEADER, "heartbeat".getBytes(StandardCharsets.UTF_8));
    private static final int PENDING = 0;
    private static final int ACKED = 1;
    private static final int FAILED = 2;
    private static final long SYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final KafkaExportSettings settings;
    private final AgentStats stats;
    private final ArrayBlockingQueue<FlowRecord.Builder> handoff;
    private final Producer<byte[], byte[]> producer;
    private final DiskSpool spool;
    private final SequenceStore sequences;
    private final Thread thread;
    private final byte[] agentKey;

    private final Counter exported;
    private final Counter spooled;
    private final Counter spoolDropped;
    private final Counter handoffDropped;
    private final Counter heartbeats;
    private final Counter heartbeatsSkipped;
    private final Counter spoolErrors;
    private final Map<SendErrorReason, Counter> sendErrors = new HashMap<>();

    private volatile boolean closing;
    /** For naming authentication failures and redacting client messages; null without TLS/SASL settings. */
    private final KafkaSecurity security;
    /** What the brokers refused (TLS handshake, SASL login, ACL), until Kafka answers again; else null. */
    private volatile String authFailure;
    private volatile long watermarkMicros;
    private volatile long spoolBytes;
    private volatile int inFlightCount;
    private volatile long inFlightBytesView;
    private volatile boolean spooling;
    private volatile long exportedTotal;
    private volatile long spoolDroppedTotal;
    private volatile boolean idle = true;
    private volatile long iterations;

    // Owned by the exporter thread.
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long inFlightBytes;
    private int partitions;
    private long retryAtNanos;
    private long lastTroubleNanos;
    private long lastAckNanos;
    private long nextHeartbeatNanos;
    private long nextSyncNanos;
    private long nextPartitionRefreshNanos;
    private DiskSpool.Entry unsent;
    private long lastSpoolErrorLogNanos = -WARN_INTERVAL_NANOS;
    private long lastMetadataWarnNanos = System.nanoTime();

    public KafkaFlowExporter(KafkaExportSettings settings, AgentStats stats, MeterRegistry registry) {
        this(settings, stats, registry, Map.of());
    }

    /** With extra client properties (no TLS or SASL failure is named beyond the client's own text). */
    public KafkaFlowExporter(KafkaExportSettings settings, AgentStats stats, MeterRegistry registry,
                             Map<String, Object> clientProperties) {
        this(settings, stats, registry, new KafkaProducer<>(withClientProperties(producerConfig(settings), clientProperties),
            new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /**
     * With TLS and SASL: a refused handshake or login is then reported by name
     * ({@link #authFailure()}, the log, {@code eastwatch.agent.kafka.send.errors{reason=auth}}).
     */
    public KafkaFlowExporter(KafkaExportSettings settings, AgentStats stats, MeterRegistry registry,
                             KafkaSecurity security) {
        this(settings, stats, registry, new KafkaProducer<>(withClientProperties(producerConfig(settings),
            security.clientProperties()), new ByteArraySerializer(), new ByteArraySerializer()), security);
    }

    private static Map<String, Object> withClientProperties(Map<String, Object> config, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>(config);
        c.putAll(extra);
        return c;
    }

    KafkaFlowExporter(KafkaExportSettings settings, AgentStats stats, MeterRegistry registry,
                      Producer<byte[], byte[]> producer) {
        this(settings, stats, registry, producer, null);
    }

    private KafkaFlowExporter(KafkaExportSettings settings, AgentStats stats, MeterRegistry registry,
                              Producer<byte[], byte[]> producer, KafkaSecurity security) {
        this.security = security;
        this.settings = settings;
        this.stats = stats;
        this.producer = producer;
        this.handoff = new ArrayBlockingQueue<>(settings.handoffCapacity());
        this.agentKey = settings.agentId().getBytes(StandardCharsets.UTF_8);
        try {
            this.spool = new DiskSpool(settings.spoolDir(), settings.spoolMaxBytes(), settings.spoolSegmentBytes());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        try {
            this.sequences = new SequenceStore(settings.stateDir(), settings.sequenceBlock());
        } catch (RuntimeException e) {
            spool.close();
            producer.close(Duration.ZERO);
            throw e;
        }
        this.spoolBytes = spool.bytes();
        this.spooling = spool.bytes() > 0;

        exported = Counter.builder("eastwatch.agent.flows.exported")
            .description("Flow records acknowledged by Kafka").register(registry);
        spooled = Counter.builder("eastwatch.agent.spool.records")
            .description("Records written to the disk spool because Kafka was unreachable or slow").register(registry);
        spoolDropped = Counter.builder("eastwatch.agent.spool.dropped")
            .description("Records dropped because the spool had reached its size limit").register(registry);
        handoffDropped = Counter.builder("eastwatch.agent.export.handoff.dropped")
            .description("Flows dropped because the exporter's hand-off queue was full").register(registry);
        heartbeats = Counter.builder("eastwatch.agent.export.heartbeats")
            .description("Heartbeat records sent (one per partition per interval)").register(registry);
        heartbeatsSkipped = Counter.builder("eastwatch.agent.export.heartbeats.skipped")
            .description("Heartbeat rounds skipped because records were waiting in the spool").register(registry);
        spoolErrors = Counter.builder("eastwatch.agent.spool.errors")
            .description("Spool writes that failed (disk full or failing); the record is dropped").register(registry);
        for (SendErrorReason r : SendErrorReason.values()) {
            sendErrors.put(r, Counter.builder("eastwatch.agent.kafka.send.errors").tag("reason", r.tag)
                .description("Kafka sends that failed, by reason").register(registry));
        }
        Gauge.builder("eastwatch.agent.spool.bytes", this, e -> e.spoolBytes)
            .description("Bytes of records waiting in the disk spool").baseUnit("bytes").register(registry);
        Gauge.builder("eastwatch.agent.export.inflight.records", this, e -> e.inFlightCount)
            .description("Records handed to the Kafka producer and not yet acknowledged").register(registry);
        Gauge.builder("eastwatch.agent.export.inflight.bytes", this, e -> e.inFlightBytesView)
            .description("Bytes handed to the Kafka producer and not yet acknowledged").baseUnit("bytes").register(registry);
        Gauge.builder("eastwatch.agent.export.queue.size", handoff, ArrayBlockingQueue::size)
            .description("Flows waiting in the hand-off queue to the exporter").register(registry);
        Gauge.builder("eastwatch.agent.export.spooling", this, e -> e.spooling ? 1 : 0)
            .description("1 while new records go to the disk spool instead of Kafka").register(registry);
        Metric bufferAvailable = producerMetric("buffer-available-bytes");
        if (bufferAvailable != null) {
            Gauge.builder("eastwatch.agent.kafka.buffer.available", bufferAvailable,
                    m -> ((Number) m.metricValue()).doubleValue())
                .description("Free bytes in the Kafka producer's buffer").baseUnit("bytes").register(registry);
        }

        this.thread = new Thread(this::run, "eastwatch-export");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static Map<String, Object> producerConfig(KafkaExportSettings s) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "eastwatch-agent-" + s.agentId());
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, s.compression());
        c.put(ProducerConfig.LINGER_MS_CONFIG, (int) s.linger().toMillis());
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, s.batchBytes());
        // The in-flight window keeps usage well below the buffer, so send() never waits for space...
        c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2 * s.maxInFlightBytes() + 2L * s.batchBytes());
        // ...and never waits for metadata either: without it the record is spooled instead.
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, s.deliveryTimeout().toMillis()));
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) s.requestTimeout().toMillis());
        c.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
        c.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        c.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        c.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1000);
        return c;
    }

    @Override
    public void accept(FlowRecord.Builder flow) {
        if (closing || !handoff.offer(flow)) {
            handoffDropped.increment();
        }
    }

    @Override
    public void advance(long watermarkMicros) {
        if (watermarkMicros > this.watermarkMicros) {
            this.watermarkMicros = watermarkMicros;
        }
    }

    /**
     * Waits (at most the close timeout) until every flow accepted so far has been acknowledged by
     * Kafka or written to the spool, and the spool is synced.
     */
    @Override
    public void flush() {
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        while (System.nanoTime() < deadline && !handoff.isEmpty()) {
            sleepQuietly(5);
        }
        // A flow taken off the queue before we looked is done by the end of the next full pass.
        long seen = iterations;
        while (System.nanoTime() < deadline && thread.isAlive() && !(iterations >= seen + 2 && idle)) {
            sleepQuietly(5);
        }
    }

    /** Flows acknowledged by Kafka since start. */
    public long exportedCount() {
        return exportedTotal;
    }

    /** Bytes waiting in the spool. */
    public long spoolBytes() {
        return spoolBytes;
    }

    /** True while new records go to the spool. */
    public boolean spooling() {
        return spooling;
    }

    /**
     * Stops taking flows, sends what is queued, waits up to the close timeout for Kafka to
     * acknowledge what is in flight and to drain the spool, spools whatever is left, and stores the
     * numbering. Records left in the spool are sent by the next exporter on the same spool dir.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            thread.join(settings.closeTimeout().toMillis() + 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("exporter thread did not stop; records in flight may be lost");
        }
    }

    // ---------------------------------------------------------------- exporter thread

    private void run() {
        List<FlowRecord.Builder> batch = new ArrayList<>(1024);
        try {
            refreshPartitions();
            while (true) {
                FlowRecord.Builder first = handoff.poll(10, TimeUnit.MILLISECONDS);
                if (first != null) {
                    idle = false;
                    export(first);
                    handoff.drainTo(batch, 1023);
                    for (FlowRecord.Builder b : batch) {
                        export(b);
                    }
                    batch.clear();
                }
                housekeeping();
                if (closing && handoff.isEmpty()) {
                    break;
                }
                // Idle: nothing queued, and everything either acknowledged or in the spool.
                idle = handoff.isEmpty() && (inFlight.isEmpty() || spooling);
                iterations++;
            }
            shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown();
        } catch (RuntimeException e) {
            // A disk error on the spool or state dir: nothing more can be kept safely.
            log.error("exporter stopped: {}", e.toString(), e);
            shutdown();
        }
    }

    private void housekeeping() {
        long now = System.nanoTime();
        reap();
        if (stalled()) {
            // No answer for the stall timeout: treat like an error, so draining starts with a probe.
            lastTroubleNanos = now;
        }
        if (partitions <= 0 && now >= nextPartitionRefreshNanos) {
            refreshPartitions();
        }
        drainSpool();
        if (now >= nextHeartbeatNanos) {
            nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
            refreshPartitions();
            heartbeat();
        }
        if (now >= nextSyncNanos) {
            nextSyncNanos = now + SYNC_INTERVAL_NANOS;
            spool.sync();
        }
        publish();
    }

    private void export(FlowRecord.Builder flow) {
        flow.setAgentId(settings.agentId()).setHost(settings.host())
            .setSequence(sequences.nextSequence()).clearPartitionSequence();
        byte[] key = keyOf(flow);
        byte[] value = flow.build().toByteArray();
        if (!spooling && canSendDirect() && send(key, value, null)) {
            return;
        }
        toSpool(key, value);
    }

    /** Key: the source workload; an unresolved source falls back to its address as text. */
    static byte[] keyOf(FlowRecord.Builder flow) {
        String workload = flow.hasSrc() ? flow.getSrc().getWorkload() : "";
        if (workload.isEmpty()) {
            workload = FlowJson.ipText(flow.getSrcAddr());
        }
        return workload.getBytes(StandardCharsets.UTF_8);
    }

    /** Kafka's default partition for a keyed record: murmur2 of the key bytes, made positive, mod count. */
    static int partitionFor(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    private boolean canSendDirect() {
        return partitions > 0
            && System.nanoTime() >= retryAtNanos
            && inFlight.size() < settings.maxInFlightRecords()
            && inFlightBytes < settings.maxInFlightBytes()
            && !stalled();
    }

    private boolean stalled() {
        InFlight oldest = inFlight.peekFirst();
        return oldest != null && System.nanoTime() - oldest.sentNanos > settings.stallTimeout().toNanos();
    }

    /** Hands one record to the producer; false if it was not accepted (the caller spools it). */
    private boolean send(byte[] key, byte[] base, DiskSpool.Position spoolEnd) {
        int partition = partitionFor(key, partitions);
        long partitionSequence = sequences.peekPartition(partition);
        byte[] value = withPartitionSequence(base, partitionSequence);
        InFlight entry = new InFlight(key, base, spoolEnd, false, value.length);
        try {
            producer.send(new ProducerRecord<>(settings.topic(), partition, null, key, value,
                new RecordHeaders(new Header[] {FLOW_HEADER})), entry);
        } catch (KafkaException | IllegalStateException e) {
            trouble(e);
            return false;
        }
        if (entry.state == FAILED) {
            // Failed inside send() (no metadata yet, buffer full): nothing left the agent.
            trouble(entry.error);
            return false;
        }
        sequences.takePartition(partition);
        inFlight.addLast(entry);
        inFlightBytes += entry.size;
        return true;
    }

    /**
     * Protobuf merges repeated occurrences of a scalar field by keeping the last, so appending
     * field 4 to the serialized record sets partition_sequence without parsing it again.
     */
    static byte[] withPartitionSequence(byte[] base, long partitionSequence) {
        int varint = 1;
        for (long v = partitionSequence >>> 7; v != 0; v >>>= 7) {
            varint++;
        }
        byte[] out = new byte[base.length + 1 + varint];
        System.arraycopy(base, 0, out, 0, base.length);
        int i = base.length;
        out[i++] = (byte) (FlowRecord.PARTITION_SEQUENCE_FIELD_NUMBER << 3); // wire type 0: varint
        long v = partitionSequence;
        while ((v & ~0x7FL) != 0) {
            out[i++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[i] = (byte) v;
        return out;
    }

    private void toSpool(byte[] key, byte[] value) {
        spooling = true;
        boolean written;
        try {
            written = spool.append(key, value);
        } catch (java.io.UncheckedIOException e) {
            spoolErrors.increment();
            long now = System.nanoTime();
            if (now - lastSpoolErrorLogNanos > WARN_INTERVAL_NANOS) {
                lastSpoolErrorLogNanos = now;
                log.error("cannot write to the spool, records are being dropped: {}", e.getCause().toString());
            }
            written = false;
        }
        if (written) {
            spooled.increment();
        } else {
            spoolDropped.increment();
            spoolDroppedTotal++;
        }
    }

    /** Takes finished sends off the head of the window, in send order. */
    private void reap() {
        DiskSpool.Position delivered = null;
        InFlight e;
        while ((e = inFlight.peekFirst()) != null && e.state != PENDING) {
            inFlight.pollFirst();
            if (!e.heartbeat) {
                inFlightBytes -= e.size;
            }
            if (e.state == ACKED) {
                lastAckNanos = System.nanoTime();
                authFailure = null;
                if (!e.heartbeat) {
                    exported.increment();
                    exportedTotal++;
                }
            } else {
                trouble(e.error);
                if (!e.heartbeat) {
                    toSpool(e.key, e.base);
                }
            }
            if (e.spoolEnd != null) {
                delivered = e.spoolEnd;
            }
        }
        if (delivered != null) {
            spool.commit(delivered);
        }
    }

    /** Sends spooled records in order once the records in flight before them are through. */
    private void drainSpool() {
        if (!spooling || partitions <= 0 || System.nanoTime() < retryAtNanos) {
            return;
        }
        boolean confirmed = lastAckNanos > lastTroubleNanos;
        while (inFlight.size() < settings.maxInFlightRecords() && inFlightBytes < settings.maxInFlightBytes()
            && !stalled() && (confirmed || inFlight.isEmpty())) {
            DiskSpool.Entry next = unsent != null ? unsent : spool.next();
            if (next == null) {
                spooling = false;
                log.info("spool drained; sending directly to Kafka again");
                return;
            }
            if (!send(next.key(), next.value(), next.end())) {
                unsent = next;
                return;
            }
            unsent = null;
            if (!confirmed) {
                return; // one probe record until Kafka acknowledges something
            }
        }
    }

    private void heartbeat() {
        long watermark = watermarkMicros;
        // Every flow accepted before the watermark was read is in the queue: send those first.
        FlowRecord.Builder b;
        while ((b = handoff.poll()) != null) {
            export(b);
        }
        reap();
        if (spooling || partitions <= 0 || stalled() || System.nanoTime() < retryAtNanos) {
            heartbeatsSkipped.increment();
            return;
        }
        long sentAt = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        for (int p = 0; p < partitions; p++) {
            byte[] value = AgentHeartbeat.newBuilder()
                .setAgentId(settings.agentId())
                .setHost(settings.host())
                .setWatermarkUs(watermark)
                .setSentAtUs(sentAt)
                .setPartitionSequence(sequences.lastPartition(p))
                .setPacketsCaptured(stats.packetsCaptured())
                .setPacketsDroppedKernel(stats.packetsDroppedKernel())
                .setPacketsDroppedAgent(stats.packetsDroppedAgent())
                .setFlowsExported(exportedTotal)
                .setFlowsUnresolved(stats.flowsUnresolved())
                .setFlowsEvicted(stats.flowsEvicted())
                .setSpoolBytes(spool.bytes())
                .setRecordsDroppedSpoolFull(spoolDroppedTotal)
                .setEmergency(stats.emergency())
                .build().toByteArray();
            InFlight entry = new InFlight(agentKey, value, null, true, value.length);
            try {
                producer.send(new ProducerRecord<>(settings.topic(), p, null, agentKey, value,
                    new RecordHeaders(new Header[] {HEARTBEAT_HEADER})), entry);
            } catch (KafkaException | IllegalStateException e) {
                trouble(e);
                return;
            }
            if (entry.state == FAILED) {
                trouble(entry.error);
                return;
            }
            inFlight.addLast(entry);
            heartbeats.increment();
        }
    }

    private void refreshPartitions() {
        nextPartitionRefreshNanos = System.nanoTime() + settings.retryBackoff().toNanos();
        try {
            List<PartitionInfo> info = producer.partitionsFor(settings.topic());
            int n = info == null ? 0 : info.size();
            if (n != partitions && n > 0) {
                log.info("topic {} has {} partitions", settings.topic(), n);
                partitions = n;
            }
            if (n > 0) {
                authFailure = null;
            }
        } catch (org.apache.kafka.common.errors.AuthenticationException
                 | org.apache.kafka.common.errors.AuthorizationException e) {
            // not "Kafka is down": retrying will not help until the configuration or the broker changes
            trouble(e);
        } catch (KafkaException e) {
            // With max.block.ms = 0 this only starts the metadata fetch; the next call sees the result.
            long now = System.nanoTime();
            if (partitions <= 0 && now - lastMetadataWarnNanos > WARN_INTERVAL_NANOS) {
                lastMetadataWarnNanos = now;
                log.warn("no metadata for topic {} from {} yet (is Kafka up, does the topic exist?); records are spooled",
                    settings.topic(), settings.bootstrapServers());
            }
        }
    }

    private void trouble(Throwable e) {
        SendErrorReason reason = SendErrorReason.of(e);
        sendErrors.get(reason).increment();
        long now = System.nanoTime();
        String refused = reason == SendErrorReason.AUTH ? describeAuth(e) : null;
        if (refused != null && !refused.equals(authFailure)) {
            authFailure = refused;
            log.error("{}; records go to the spool until the brokers accept this agent", refused);
        } else if (lastTroubleNanos < now - settings.retryBackoff().toNanos()) {
            log.warn("Kafka send failed ({}): {}; records go to the spool until Kafka is back", reason.tag,
                security == null ? e.toString() : security.redact(e.toString()));
        }
        lastTroubleNanos = now;
        retryAtNanos = now + settings.retryBackoff().toNanos();
    }

    private String describeAuth(Throwable e) {
        String line = security == null ? null : KafkaAuthFailure.describe(e, security);
        return line != null ? line
            : "the Kafka brokers refused this agent: " + (security == null ? e.toString() : security.redact(e.toString()));
    }

    /**
     * What the brokers refused (a TLS handshake, a SASL login, an ACL), named with the keys to
     * check, until Kafka acknowledges again; null when nothing was refused.
     */
    public String authFailure() {
        return authFailure;
    }

    private void publish() {
        spoolBytes = spool.bytes();
        inFlightCount = inFlight.size();
        inFlightBytesView = inFlightBytes;
    }

    private void shutdown() {
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        try {
            while (System.nanoTime() < deadline && (!inFlight.isEmpty() || (spooling && partitions > 0))) {
                reap();
                drainSpool();
                if (!spooling && inFlight.isEmpty()) {
                    break;
                }
                if (stalled()) {
                    break; // Kafka is not answering: waiting longer will not help
                }
                sleepQuietly(5);
            }
            reap();
            // Whatever is still unacknowledged: spool it for the next start. Records read from the
            // spool are not re-appended: the cursor is still before them, so they are read again.
            int respooled = 0;
            for (InFlight e : inFlight) {
                if (e.state != ACKED && !e.heartbeat && e.spoolEnd == null) {
                    toSpool(e.key, e.base);
                    respooled++;
                }
            }
            if (respooled > 0) {
                log.warn("{} records unacknowledged at shutdown were spooled for the next start", respooled);
            }
            inFlight.clear();
            inFlightBytes = 0;
        } finally {
            producer.close(Duration.ZERO);
            spool.close();
            sequences.close();
            publish();
            idle = true;
            log.info("exporter stopped: {} flows exported, {} bytes left in the spool", exportedTotal, spool.bytes());
        }
    }

    private Metric producerMetric(String name) {
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics")) {
                return e.getValue();
            }
        }
        return null;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A record handed to the producer; its callback runs on the producer's I/O thread. */
    private static final class InFlight implements Callback {
        final byte[] key;
        final byte[] base;
        final DiskSpool.Position spoolEnd;
        final boolean heartbeat;
        final int size;
        final long sentNanos = System.nanoTime();
        volatile int state = PENDING;
        volatile Exception error;

        InFlight(byte[] key, byte[] base, DiskSpool.Position spoolEnd, boolean heartbeat, int size) {
            this.key = key;
            this.base = base;
            this.spoolEnd = spoolEnd;
            this.heartbeat = heartbeat;
            this.size = size;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                error = exception;
                state = FAILED;
            } else {
                state = ACKED;
            }
        }
    }
}
