package io.eastwatch.collector.api;

import io.eastwatch.collector.deliver.AlertView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * Fills the API's {@link AlertIndex} from the alerts topic: every partition, from the beginning,
 * without a consumer group (each collector's API shows every alert, whichever collector raised it).
 * Also refreshes the index's bounded dashboard metrics.
 */
public final class AlertIndexFeeder implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertIndexFeeder.class);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final AlertIndex index;
    private final AlertIndexMetrics metrics;
    private final Counter malformed;
    private volatile boolean running = true;
    private Thread thread;

    public AlertIndexFeeder(Map<String, Object> kafka, String topic, AlertIndex index, AlertIndexMetrics metrics,
                            MeterRegistry registry) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
        this.index = index;
        this.metrics = metrics;
        this.malformed = Counter.builder("eastwatch.collector.api.alerts.malformed")
                .description("Records on the alerts topic the API could not read").register(registry);
    }

    public void start() {
        thread = new Thread(this, "eastwatch-alert-index");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> assigned = List.of();
            long lastRefresh = 0;
            while (running) {
                List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (parts != null && parts.size() != assigned.size()) {
                    List<TopicPartition> tps = new ArrayList<>();
                    parts.forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
                    List<TopicPartition> fresh = new ArrayList<>(tps);
                    fresh.removeAll(assigned);
                    consumer.assign(tps);
                    consumer.seekToBeginning(fresh);
                    assigned = tps;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        index.accept(AlertView.parse(r.value()));
                    } catch (AlertView.MalformedAlertException e) {
                        malformed.increment();
                    }
                }
                long now = System.currentTimeMillis();
                if (metrics != null && now - lastRefresh >= 5000) {
                    metrics.refresh(Instant.ofEpochMilli(now));
                    lastRefresh = now;
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("alert index stopped unexpectedly", e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
