package io.eastwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import io.eastwatch.flow.v1.EdgeApproval;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge approvals shared by every collector of the group. An approval posted to any collector is
 * written to a compacted topic (key = the edge, {@code source|peer|port|protocol}, so posting it twice
 * keeps one record); every collector reads the whole topic from the beginning, so it holds every
 * approval ever made, including those made while it was down, and applies them to each partition it
 * owns now or gets later. The engines keep them in their snapshots as before. A revocation is a
 * tombstone for the edge's key: every collector removes the approval from the partitions it owns,
 * and from those it gets later (a snapshot committed before the revocation still holds it).
 *
 * <p>What the consume thread applies is a {@link Log} of changes: append-only while its epoch lasts,
 * so the consume thread remembers, per partition, how many it applied and applies only the rest. A
 * revocation starts a new epoch whose log is the net state (the approvals held, in the order read,
 * then the revocations remembered), which every partition then applies from its start: replaying
 * "approve, then revoke" instead could push an older approval out of a full engine. Bounded like an
 * engine's own approvals: beyond the limit new approvals are counted and not kept (so an engine never
 * evicts one to take another); beyond the same limit of revocations the oldest is forgotten and
 * counted (it was applied to every partition owned then; only a snapshot older than it would bring it
 * back).
 */
public final class GroupApprovals implements CompactedTopicReader.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(GroupApprovals.class);

    /** One change to apply to an engine: approve the edge, or revoke its approval. */
    public record Change(ApprovedEdge edge, boolean approve) {
    }

    /** The changes read so far: within one epoch a later log extends an earlier one, never reorders it. */
    public record Log(long epoch, Change[] changes) {
    }

    private final String topic;
    private final String instance;
    private final int max;
    private final Map<String, Object> producerProperties;
    /** Approvals held and revocations remembered, by topic key, in the order read. */
    private final LinkedHashMap<String, ApprovedEdge> approved = new LinkedHashMap<>();
    private final LinkedHashMap<String, ApprovedEdge> revoked = new LinkedHashMap<>();
    private volatile Log log = new Log(0, new Change[0]);
    private volatile int held;
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter overflow;
    private final Counter revocations;
    private final Counter revocationOverflow;
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * @param producerProperties bootstrap servers and the TLS / SASL properties of the collector's clients
     * @param max                approvals kept, and revocations remembered (the engine's edge limit per workload)
     */
    public GroupApprovals(String topic, String instance, int max, Map<String, Object> producerProperties,
                          MeterRegistry registry) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.instance = Objects.requireNonNull(instance, "instance");
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: > 0)");
        }
        this.max = max;
        this.producerProperties = Map.copyOf(producerProperties);
        this.registry = registry;
        this.received = Counter.builder("eastwatch.collector.approvals.received")
                .description("Edge approvals read from the approvals topic (new to this collector)").register(registry);
        this.overflow = Counter.builder("eastwatch.collector.approvals.overflow")
                .description("Edge approvals not kept because the limit was reached").register(registry);
        this.revocations = revokedCounter(registry);
        this.revocationOverflow = Counter.builder("eastwatch.collector.approvals.revoked.overflow")
                .description("Revocations forgotten (the oldest) because as many newer ones are remembered")
                .register(registry);
        Gauge.builder("eastwatch.collector.approvals.edges", this, g -> g.held)
                .description("Edge approvals of the group held by this collector").register(registry);
    }

    /**
     * Approvals revoked: read from the approvals topic (new to this collector), or without a topic
     * revoked through this collector's API.
     */
    public static Counter revokedCounter(MeterRegistry registry) {
        return Counter.builder("eastwatch.collector.approvals.revoked")
                .description("Edge approvals revoked (tombstones read from the approvals topic, new to this collector;"
                        + " without a topic, revocations through this collector's API)").register(registry);
    }

    public static byte[] key(ApprovedEdge e) {
        return keyString(e).getBytes(StandardCharsets.UTF_8);
    }

    private static String keyString(ApprovedEdge e) {
        return e.sourceWorkload() + "|" + e.peer() + "|" + e.port() + "|" + e.protocol();
    }

    /**
     * The edge a tombstone's key names when no approval of it was read (compaction removed it): the
     * last two fields are numbers, and the workload names are told apart only if just one '|' is left.
     */
    private static ApprovedEdge parseKey(String key) {
        int proto = key.lastIndexOf('|');
        int port = proto <= 0 ? -1 : key.lastIndexOf('|', proto - 1);
        if (port <= 0) {
            return null;
        }
        String names = key.substring(0, port);
        int bar = names.indexOf('|');
        if (bar <= 0 || bar != names.lastIndexOf('|')) {
            return null;
        }
        try {
            return new ApprovedEdge(names.substring(0, bar), names.substring(bar + 1),
                    Integer.parseInt(key.substring(port + 1, proto)), Integer.parseInt(key.substring(proto + 1)));
        } catch (IllegalArgumentException e) {   // NumberFormatException included
            return null;
        }
    }

    /** The approvals held, in the order read. */
    public synchronized ApprovedEdge[] edges() {
        return approved.values().toArray(new ApprovedEdge[0]);
    }

    /** Whether an approval of exactly this edge is held (read from the topic and not revoked since). */
    public synchronized boolean approved(ApprovedEdge edge) {
        return edge.equals(approved.get(keyString(edge)));
    }

    /** What the consume thread applies to each owned partition (see the class comment). */
    public Log log() {
        return log;
    }

    private Counter published(String outcome) {
        return Counter.builder("eastwatch.collector.approvals.published").tag("outcome", outcome)
                .description("Edge approvals this collector wrote to the approvals topic").register(registry);
    }

    private Counter revokedPublished(String outcome) {
        return Counter.builder("eastwatch.collector.approvals.revoked.published").tag("outcome", outcome)
                .description("Revocations (tombstones) this collector wrote to the approvals topic").register(registry);
    }

    private Counter invalid(String reason) {
        return Counter.builder("eastwatch.collector.approvals.invalid").tag("reason", reason)
                .description("Records on the approvals topic that were not used, by reason").register(registry);
    }

    /**
     * Writes the approval to the topic and waits for the brokers to acknowledge it: once this returns
     * every collector of the group will apply it.
     *
     * @throws IllegalStateException when the brokers did not take it (the caller should say so)
     */
    public void publish(ApprovedEdge edge) {
        EdgeApproval a = EdgeApproval.newBuilder().setSourceWorkload(edge.sourceWorkload()).setPeer(edge.peer())
                .setPort(edge.port()).setProtocol(edge.protocol()).setCollector(instance)
                .setApprovedAtUs(System.currentTimeMillis() * 1000).build();
        send(edge, a.toByteArray(), "approval", this::published);
    }

    /**
     * Writes a tombstone for the edge's key and waits for the brokers to acknowledge it: once this
     * returns every collector of the group will revoke the approval, and compaction will drop it.
     *
     * @throws IllegalStateException when the brokers did not take it (the caller should say so)
     */
    public void publishRevocation(ApprovedEdge edge) {
        send(edge, null, "revocation", this::revokedPublished);
    }

    private void send(ApprovedEdge edge, byte[] value, String what, java.util.function.Function<String, Counter> outcome) {
        try {
            producer().send(new ProducerRecord<>(topic, key(edge), value)).get(15, TimeUnit.SECONDS);
            outcome.apply("ok").increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.apply("failed").increment();
            throw new IllegalStateException(what + " not published to " + topic + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            outcome.apply("failed").increment();
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(what + " not published to " + topic + ": " + cause, cause);
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> p = new HashMap<>(producerProperties);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "eastwatch-collector-approvals-" + instance);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void onRecords(List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            apply(r.key(), r.value());
        }
    }

    /** Applies one record of the topic (a null value is a revocation); reader thread (or a test). */
    public synchronized void apply(byte[] key, byte[] value) {
        if (value == null) {
            revoke(key);
            return;
        }
        ApprovedEdge edge;
        try {
            EdgeApproval a = EdgeApproval.parseFrom(value);
            edge = new ApprovedEdge(a.getSourceWorkload(), a.getPeer(), a.getPort(), a.getProtocol());
        } catch (InvalidProtocolBufferException e) {
            invalid("decode").increment();
            return;
        } catch (IllegalArgumentException e) {
            invalid("edge").increment();
            return;
        }
        String k = keyString(edge);
        if (approved.containsKey(k)) {
            return;
        }
        if (approved.size() >= max) {
            overflow.increment();
            return;
        }
        approved.put(k, edge);
        held = approved.size();
        // Approved again after a revocation: the earlier revocation stays in this epoch's log, before this.
        revoked.remove(k);
        Change[] current = log.changes();
        Change[] next = Arrays.copyOf(current, current.length + 1);
        next[next.length - 1] = new Change(edge, true);
        log = new Log(log.epoch(), next);
        received.increment();
        LOG.info("edge approved for the group: {} -> {} port {} protocol {}", edge.sourceWorkload(), edge.peer(),
                edge.port(), edge.protocol());
    }

    private void revoke(byte[] key) {
        if (key == null) {
            invalid("tombstone-key").increment();
            return;
        }
        String k = new String(key, StandardCharsets.UTF_8);
        ApprovedEdge edge = approved.remove(k);
        if (edge == null) {
            if (revoked.containsKey(k)) {
                return;   // the same revocation read twice
            }
            edge = parseKey(k);
            if (edge == null) {
                invalid("tombstone-key").increment();
                return;
            }
        }
        held = approved.size();
        if (revoked.size() >= max) {
            revoked.remove(revoked.keySet().iterator().next());
            revocationOverflow.increment();
        }
        revoked.put(k, edge);
        List<Change> net = new ArrayList<>(approved.size() + revoked.size());
        approved.values().forEach(e -> net.add(new Change(e, true)));
        revoked.values().forEach(e -> net.add(new Change(e, false)));
        log = new Log(log.epoch() + 1, net.toArray(new Change[0]));
        revocations.increment();
        LOG.info("edge approval revoked for the group: {} -> {} port {} protocol {}", edge.sourceWorkload(), edge.peer(),
                edge.port(), edge.protocol());
    }

    /** Closes the producer (if one was opened). */
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
