package io.eastwatch.collector.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole compacted topic that every collector of the group needs all of (the destination
 * summaries, the edge approvals): every partition from the beginning, outside any consumer group,
 * committed records only, then follows it on its own thread and hands each poll's records to a
 * {@link Handler}. Partitions added later are picked up within a minute; a topic that does not exist
 * yet is looked for again every few seconds.
 */
public final class CompactedTopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicReader.class);

    /** Receives each poll's records, on the reader's thread. */
    public interface Handler {
        void onRecords(List<ConsumerRecord<byte[], byte[]>> records);
    }

    private final String topic;
    private final Handler handler;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    public CompactedTopicReader(String bootstrapServers, String topic, Map<String, Object> clientProperties,
                                String clientId, Handler handler) {
        this.topic = topic;
        this.handler = handler;
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
    }

    /**
     * Creates the topic compacted with one partition if it is missing (a producer would otherwise
     * auto-create it with the broker's default policy, and it would lose old keys' values).
     *
     * @return whether the topic exists now; false where the collector may not create or list topics
     */
    public static boolean ensureCompacted(String bootstrapServers, Map<String, Object> clientProperties, String topic,
                                          Map<String, String> configs) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        Map<String, String> all = new HashMap<>(configs);
        all.put("cleanup.policy", "compact");
        try (Admin admin = Admin.create(p)) {
            if (admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return true;
            }
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()).configs(all)))
                    .all().get(10, TimeUnit.SECONDS);
            LOG.info("created the topic {} (compacted)", topic);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return true;
            }
            LOG.warn("topic {} not created here ({}); waiting for it", topic, e.getCause().toString());
            return false;
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warn("topic {} not created here ({}); waiting for it", topic, e.toString());
            return false;
        }
    }

    private volatile boolean started;

    public void start() {
        started = true;
        thread.start();
    }

    /** The topic was found and is being read. */
    public boolean reading() {
        return assigned;
    }

    private void run() {
        try {
            List<TopicPartition> parts = List.of();
            long nextLookNanos = 0;
            while (running) {
                if (System.nanoTime() >= nextLookNanos) {
                    nextLookNanos = System.nanoTime() + (parts.isEmpty() ? 2_000_000_000L : 60_000_000_000L);
                    List<TopicPartition> now = partitions();
                    if (!now.isEmpty() && !now.equals(parts)) {
                        List<TopicPartition> added = new ArrayList<>(now);
                        added.removeAll(parts);
                        consumer.assign(now);
                        consumer.seekToBeginning(added);
                        parts = now;
                        assigned = true;
                        LOG.info("reading the topic {} ({} partitions)", topic, now.size());
                    }
                }
                if (parts.isEmpty()) {
                    Thread.sleep(200);
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(300)).forEach(batch::add);
                if (!batch.isEmpty()) {
                    handler.onRecords(batch);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("reader of {} woken unexpectedly", topic, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("reader of {} stopped: what the group publishes there is no longer followed", topic, e);
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
            LOG.debug("topic {} not readable yet: {}", topic, e.toString());
            return List.of();
        }
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        if (thread.isAlive()) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
