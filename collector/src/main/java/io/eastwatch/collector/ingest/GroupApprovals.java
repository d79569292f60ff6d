package io.eastwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import io.eastwatch.flow.v1.EdgeApproval;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * owns now or gets later. The engines keep them in their snapshots as before.
 *
 * <p>The approvals read are an append-only array: the consume thread remembers, per partition, how
 * many it applied and applies only the rest. Bounded like an engine's own approvals (beyond the limit
 * new ones are counted and not kept, so an engine never evicts one to take another). There is no
 * revocation: a tombstone on the topic is counted and ignored.
 */
public final class GroupApprovals implements CompactedTopicReader.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(GroupApprovals.class);

    private final String topic;
    private final String instance;
    private final int max;
    private final Map<String, Object> producerProperties;
    private final Set<ApprovedEdge> known = new HashSet<>();
    private volatile ApprovedEdge[] edges = new ApprovedEdge[0];
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter overflow;
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * @param producerProperties bootstrap servers and the TLS / SASL properties of the collector's clients
     * @param max                approvals kept (the engine's edge limit per workload)
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
        Gauge.builder("eastwatch.collector.approvals.edges", this, g -> g.edges.length)
                .description("Edge approvals of the group held by this collector").register(registry);
    }

    public static byte[] key(ApprovedEdge e) {
        return (e.sourceWorkload() + "|" + e.peer() + "|" + e.port() + "|" + e.protocol()).getBytes(StandardCharsets.UTF_8);
    }

    /** Every approval read so far, in the order read; later calls return a longer array, never a reordered one. */
    public ApprovedEdge[] edges() {
        return edges;
    }

    private Counter published(String outcome) {
        return Counter.builder("eastwatch.collector.approvals.published").tag("outcome", outcome)
                .description("Edge approvals this collector wrote to the approvals topic").register(registry);
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
        try {
            producer().send(new ProducerRecord<>(topic, key(edge), a.toByteArray())).get(15, TimeUnit.SECONDS);
            published("ok").increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            published("failed").increment();
            throw new IllegalStateException("approval not published to " + topic + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            published("failed").increment();
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("approval not published to " + topic + ": " + cause, cause);
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
            apply(r.value());
        }
    }

    /** Applies one record of the topic; reader thread (or a test). */
    public synchronized void apply(byte[] value) {
        if (value == null) {
            invalid("tombstone").increment();
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
        if (known.contains(edge)) {
            return;
        }
        if (known.size() >= max) {
            overflow.increment();
            return;
        }
        known.add(edge);
        ApprovedEdge[] next = Arrays.copyOf(edges, edges.length + 1);
        next[next.length - 1] = edge;
        edges = next;
        received.increment();
        LOG.info("edge approved for the group: {} -> {} port {} protocol {}", edge.sourceWorkload(), edge.peer(),
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
