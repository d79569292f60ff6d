package io.eastwatch.collector.alert;

/**
 * Where alerts go (a Kafka topic, a JSON lines file, a webhook queue, a test list). Called on the
 * detection thread for every new alert and every revision; implementations must not block long.
 */
@FunctionalInterface
public interface AlertSink {
    void publish(Alert alert);
}
