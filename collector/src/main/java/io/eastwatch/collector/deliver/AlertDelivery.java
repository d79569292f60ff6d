package io.eastwatch.collector.deliver;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Delivers the alerts topic to every configured target: one thread and one consumer group per
 * target ({@code <groupPrefix>.<target name>}), so each target resumes where it stopped and a slow
 * or dead receiver holds up only itself, never detection or the other targets.
 */
public final class AlertDelivery implements AutoCloseable {
    private final List<TargetDeliveryWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Producer<byte[], byte[]> deadLetterProducer;
    private final DeadLetterStore deadLetters;

    /**
     * @param kafka       client properties shared with the collector (bootstrap servers, security)
     * @param alertsTopic the source of truth for alerts
     * @param deadLetterTopic where undeliverable alerts are kept
     * @param groupPrefix consumer group prefix; the target name is appended
     */
    public AlertDelivery(Map<String, Object> kafka, String alertsTopic, String deadLetterTopic, String groupPrefix,
                         List<WebhookTargetSettings> targets, int deadLetterKeep, MeterRegistry registry) {
        Set<String> names = new HashSet<>();
        for (WebhookTargetSettings t : targets) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("webhooks: target name " + t.name() + " used twice (expected: unique names)");
            }
        }
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.deadLetterProducer = new KafkaProducer<>(p);
        this.deadLetters = new DeadLetterStore(deadLetterProducer, deadLetterTopic, deadLetterKeep);
        Gauge.builder("eastwatch.collector.webhook.dead.letters", deadLetters, DeadLetterStore::total)
                .description("Alerts moved to the dead letter since start")
                .register(registry);
        Gauge.builder("eastwatch.collector.webhook.workers.failed", this, d -> d.failedTargets().size())
                .description("Delivery targets whose worker stopped on an unexpected error").register(registry);
        for (WebhookTargetSettings t : targets) {
            Properties c = new Properties();
            c.putAll(kafka);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + "." + t.name());
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            AlertTransport transport = t.format() == DeliveryFormat.SYSLOG_CEF
                    ? new SyslogCefTransport(t) : new HttpAlertTransport(t);
            workers.add(new TargetDeliveryWorker(t, new KafkaConsumer<>(c), alertsTopic, transport, deadLetters, registry));
        }
    }

    public void start() {
        for (TargetDeliveryWorker w : workers) {
            Thread th = new Thread(w);
            th.setDaemon(false);
            threads.add(th);
            th.start();
        }
    }

    /** Targets whose delivery stopped on an unexpected error (for /healthz): alerts queue up for them on the topic. */
    public List<String> failedTargets() {
        List<String> failed = new ArrayList<>();
        for (TargetDeliveryWorker w : workers) {
            if (w.failure() != null) {
                failed.add(w.targetName() + ": " + w.failure().getClass().getSimpleName());
            }
        }
        return failed;
    }

    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    @Override
    public void close() {
        workers.forEach(TargetDeliveryWorker::stop);
        for (Thread th : threads) {
            try {
                th.join(Duration.ofSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        deadLetterProducer.close(Duration.ofSeconds(5));
    }
}
