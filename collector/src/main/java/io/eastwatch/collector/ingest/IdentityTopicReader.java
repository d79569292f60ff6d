package io.eastwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eastwatch.flow.v1.HostContainers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole identity topic (every partition, from the beginning, outside any consumer group:
 * every collector needs every host's announcement) into the {@link FleetDirectory}, then follows
 * it. A missing topic is created compacted with one partition (the agents' producers would
 * otherwise auto-create it with the broker's default policy, and it would lose old hosts' sets);
 * where the collector may not create topics, it is looked for again every few seconds.
 */
public final class IdentityTopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityTopicReader.class);

    private final String topic;
    private final FleetDirectory directory;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Counter invalid;
    private final Thread thread;
    private final Map<String, Object> adminProperties;
    private volatile boolean running = true;

    public IdentityTopicReader(String bootstrapServers, String topic, Map<String, Object> clientProperties,
                               FleetDirectory directory, MeterRegistry registry) {
        this.topic = topic;
        this.directory = directory;
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "eastwatch-collector-identity");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.adminProperties = new HashMap<>(clientProperties);
        adminProperties.put("bootstrap.servers", bootstrapServers);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.invalid = Counter.builder("eastwatch.collector.fleet.announcements.invalid")
                .description("Records on the identity topic that could not be decoded").register(registry);
        this.thread = new Thread(this::run, "eastwatch-identity-reader");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void createIfMissing() {
        Map<String, Object> p = new HashMap<>(adminProperties);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            if (!admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS).contains(topic)) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, java.util.Optional.of(1),
                        java.util.Optional.empty()).configs(Map.of("cleanup.policy", "compact"))))
                        .all().get(10, java.util.concurrent.TimeUnit.SECONDS);
                LOG.info("created the identity topic {} (compacted)", topic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.info("identity topic {} not created here ({}); waiting for it", topic, e.toString());
        }
    }

    private void run() {
        createIfMissing();
        try {
            List<TopicPartition> assigned = List.of();
            long nextLookNanos = 0;
            while (running) {
                if (System.nanoTime() >= nextLookNanos) {
                    // partitions may be added to the topic: look again now and then
                    nextLookNanos = System.nanoTime() + (assigned.isEmpty() ? 5_000_000_000L : 60_000_000_000L);
                    List<TopicPartition> parts = partitions();
                    if (!parts.isEmpty() && !parts.equals(assigned)) {
                        List<TopicPartition> added = new ArrayList<>(parts);
                        added.removeAll(assigned);
                        consumer.assign(parts);
                        consumer.seekToBeginning(added);
                        assigned = parts;
                        LOG.info("reading the identity topic {} ({} partitions)", topic, parts.size());
                    }
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(200);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    if (rec.value() == null) {
                        continue;   // a tombstone: the agent's set stays until it is replaced
                    }
                    try {
                        directory.apply(HostContainers.parseFrom(rec.value()));
                    } catch (InvalidProtocolBufferException e) {
                        invalid.increment();
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("identity topic reader woken unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("identity topic reader stopped: cross-host endpoints stay unnamed", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> partitions() {
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            List<TopicPartition> out = new ArrayList<>();
            if (infos != null) {
                for (PartitionInfo p : infos) {
                    out.add(new TopicPartition(topic, p.partition()));
                }
            }
            out.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            return out;
        } catch (org.apache.kafka.common.KafkaException e) {
            LOG.debug("identity topic {} not readable yet: {}", topic, e.toString());
            return List.of();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
