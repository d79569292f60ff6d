package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Settings validation. Starting, stopping and restarting on the same port and data directory is
 * exercised against a real broker in {@link KafkaFlowExporterBrokerTest} (one broker start per
 * test run: a start costs several seconds on a busy machine).
 */
class EmbeddedKafkaTest {

    @Test
    void rejectsBadSettings() {
        assertEquals("brokerPort: 70000 (expected: 0..65535)", assertThrows(IllegalArgumentException.class,
            () -> new EmbeddedKafka.Settings(Path.of("/tmp/k"), 70000, 0)).getMessage());
        assertEquals("controllerPort: -1 (expected: 0..65535)", assertThrows(IllegalArgumentException.class,
            () -> new EmbeddedKafka.Settings(Path.of("/tmp/k"), 0, -1)).getMessage());
        assertEquals("dataDir: null (expected: a directory path)", assertThrows(IllegalArgumentException.class,
            () -> new EmbeddedKafka.Settings(null, 0, 0)).getMessage());
    }

    @Test
    void rejectsBadTopicPartitions() {
        EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(Path.of("/tmp/unused")));
        assertEquals("partitions: 0 (expected: >= 1)",
            assertThrows(IllegalArgumentException.class, () -> kafka.createTopic("t", 0)).getMessage());
    }
}
