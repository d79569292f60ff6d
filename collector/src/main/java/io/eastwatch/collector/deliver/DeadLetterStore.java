package io.eastwatch.collector.deliver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Dead letters: written to a Kafka topic (durable, visible to any tool) before the delivery
 * worker moves past the alert, and the newest {@code keep} held in memory for the API.
 */
public final class DeadLetterStore {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final int keep;
    private final ArrayDeque<DeadLetter> recent = new ArrayDeque<>();
    private long total;

    public DeadLetterStore(Producer<byte[], byte[]> producer, String topic, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("dead_letter_keep: " + keep + " (expected: >= 1)");
        }
        this.producer = producer;
        this.topic = topic;
        this.keep = keep;
    }

    /**
     * Writes the dead letter and waits for the broker's acknowledgement, so the worker commits its
     * offset only once the alert is safe elsewhere.
     */
    void put(DeadLetter d) throws DeadLetterWriteException {
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, null,
                d.alertId().getBytes(StandardCharsets.UTF_8),
                d.alertJson() == null ? null : d.alertJson().getBytes(StandardCharsets.UTF_8));
        rec.headers().add("eastwatch-target", d.target().getBytes(StandardCharsets.UTF_8));
        rec.headers().add("eastwatch-reason", d.reason().getBytes(StandardCharsets.UTF_8));
        rec.headers().add("eastwatch-status", Integer.toString(d.status()).getBytes(StandardCharsets.UTF_8));
        rec.headers().add("eastwatch-attempts", Integer.toString(d.attempts()).getBytes(StandardCharsets.UTF_8));
        rec.headers().add("eastwatch-delivery", d.deliveryId().getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(rec).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new DeadLetterWriteException("dead-letter topic " + topic + " did not take alert " + d.alertId(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterWriteException("interrupted writing dead letter for alert " + d.alertId(), e);
        }
        synchronized (this) {
            recent.addLast(d);
            while (recent.size() > keep) {
                recent.removeFirst();
            }
            total++;
        }
    }

    /** Newest first. */
    public synchronized List<DeadLetter> recent() {
        List<DeadLetter> out = new ArrayList<>(recent);
        java.util.Collections.reverse(out);
        return out;
    }

    public synchronized long total() {
        return total;
    }

    /** The dead-letter topic could not be written: the worker retries the alert later. */
    static final class DeadLetterWriteException extends Exception {
        DeadLetterWriteException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
