package io.eastwatch.collector.deliver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alerts topic to one target, in order, at least once. The worker has its own
 * consumer group, so its committed offset is exactly "delivered up to here": after a restart it
 * resumes there, and nothing before it is sent again. An alert is committed only after it was
 * delivered, skipped by the severity threshold, or written to the dead letter. Retries wait with
 * backoff while the consumer keeps its group membership (partitions paused, poll continues).
 *
 * The delivery id is derived from (target, alert id, revision): a retry or a re-delivery after a
 * crash carries the same id, so receivers de-duplicate on it.
 */
final class TargetDeliveryWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetDeliveryWorker.class);

    private final WebhookTargetSettings target;
    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final AlertTransport transport;
    private final AlertRenderer renderer;
    private final DeadLetterStore deadLetters;
    private final Backoff backoff;
    private final int minRank;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer latency;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private volatile boolean running = true;
    private volatile Throwable failure;

    TargetDeliveryWorker(WebhookTargetSettings target, Consumer<byte[], byte[]> consumer, String topic,
                         AlertTransport transport, DeadLetterStore deadLetters, MeterRegistry registry) {
        this.target = target;
        this.consumer = consumer;
        this.topic = topic;
        this.transport = transport;
        this.renderer = AlertRenderer.forFormat(target.format());
        this.deadLetters = deadLetters;
        this.backoff = new Backoff(target.backoffBase(), target.backoffMax());
        this.minRank = AlertView.severityRank(target.minSeverity());
        this.registry = registry;
        this.latency = Timer.builder("eastwatch.collector.webhook.latency")
                .description("Time of a successful delivery attempt, per target")
                .tag("target", target.name())
                .register(registry);
        for (String o : List.of("delivered", "retried", "dead_letter", "skipped")) {
            outcome(o);
        }
    }

    private Counter outcome(String outcome) {
        return outcomes.computeIfAbsent(outcome, o -> Counter.builder("eastwatch.collector.webhook.deliveries")
                .description("Alert delivery attempts by target and outcome")
                .tag("target", target.name())
                .tag("outcome", o)
                .register(registry));
    }

    @Override
    public void run() {
        Thread.currentThread().setName("eastwatch-deliver-" + target.name());
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (TopicPartition tp : batch.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> rec : batch.records(tp)) {
                        if (!running || !assigned.contains(tp)) {
                            break; // revoked while retrying: the new owner resumes from the committed offset
                        }
                        if (!handle(rec)) {
                            // not finished (stopping, or the dead letter could not be written):
                            // rewind so this alert is the next one read
                            consumer.seek(tp, rec.offset());
                            break;
                        }
                        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(rec.offset() + 1)));
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("delivery to target {} stopped: {}", target.name(), e.toString(), e);
            throw e;
        } finally {
            transport.close();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Returns true when the record is finished (delivered, skipped or dead-lettered). */
    private boolean handle(ConsumerRecord<byte[], byte[]> rec) {
        AlertView alert;
        try {
            alert = AlertView.parse(rec.value());
        } catch (AlertView.MalformedAlertException e) {
            String key = rec.key() == null ? "offset-" + rec.offset() : new String(rec.key(), StandardCharsets.UTF_8);
            return deadLetter(key, 0, "malformed: " + e.getMessage(), 0, 0,
                    rec.value() == null ? null : new String(rec.value(), StandardCharsets.UTF_8));
        }
        if (AlertView.severityRank(alert.severity()) < minRank) {
            outcome("skipped").increment();
            return true;
        }
        byte[] body = renderer.render(alert);
        String deliveryId = deliveryId(target.name(), alert.id(), alert.revision());
        for (int attempt = 1; running; attempt++) {
            long start = System.nanoTime();
            DeliveryResult r = transport.send(alert, body, deliveryId);
            switch (r.kind()) {
                case DELIVERED:
                    latency.record(Duration.ofNanos(System.nanoTime() - start));
                    outcome("delivered").increment();
                    return true;
                case PERMANENT:
                    return deadLetter(alert.id(), alert.revision(), r.reason(), r.status(), attempt,
                            new String(alert.raw(), StandardCharsets.UTF_8));
                case RETRIABLE:
                default:
                    if (attempt >= target.maxAttempts()) {
                        return deadLetter(alert.id(), alert.revision(), "retries exhausted: " + r.reason(),
                                r.status(), attempt, new String(alert.raw(), StandardCharsets.UTF_8));
                    }
                    outcome("retried").increment();
                    LOG.debug("target {} alert {}: attempt {} failed ({}), retrying", target.name(), alert.id(),
                            attempt, r.reason());
                    if (!waitKeepingMembership(backoff.delayMillis(attempt), rec)) {
                        return false;
                    }
            }
        }
        return false;
    }

    private boolean deadLetter(String alertId, int revision, String reason, int status, int attempts, String json) {
        try {
            deadLetters.put(new DeadLetter(target.name(), alertId, revision,
                    deliveryId(target.name(), alertId, revision), reason, status, attempts, Instant.now(), json));
            outcome("dead_letter").increment();
            LOG.warn("target {}: alert {} revision {} moved to the dead letter ({})", target.name(), alertId, revision, reason);
            return true;
        } catch (DeadLetterStore.DeadLetterWriteException e) {
            LOG.error("target {}: {}; will retry the alert", target.name(), e.getMessage());
            return false;
        }
    }

    /**
     * Sleeps {@code millis} while polling with every partition paused, so the group does not
     * consider this consumer dead. Returns false when the record's partition was revoked or the
     * worker is stopping.
     */
    private boolean waitKeepingMembership(long millis, ConsumerRecord<byte[], byte[]> rec) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        long deadline = System.currentTimeMillis() + millis;
        try {
            while (running && assigned.contains(tp)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return true;
                }
                consumer.pause(consumer.assignment());
                ConsumerRecords<byte[], byte[]> late = consumer.poll(Duration.ofMillis(Math.min(left, 200)));
                // partitions assigned during this poll were not paused: put back what they returned
                for (TopicPartition p : late.partitions()) {
                    consumer.seek(p, late.records(p).get(0).offset());
                }
            }
            return false;
        } finally {
            consumer.resume(consumer.assignment());
        }
    }

    static String deliveryId(String target, String alertId, int revision) {
        return UUID.nameUUIDFromBytes((target + "\u0000" + alertId + "\u0000" + revision)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Why the worker stopped on its own (null while it runs or after a requested stop). */
    Throwable failure() {
        return failure;
    }

    String targetName() {
        return target.name();
    }

    void stop() {
        running = false;
        consumer.wakeup();
    }
}
