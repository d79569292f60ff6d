package io.eastwatch.collector;

import io.eastwatch.collector.ingest.IngestSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CollectorMainTest {

    @TempDir
    Path dir;

    int run(String... args) {
        err.reset();
        return CollectorMain.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--config: missing"));
        assertEquals(2, run("--config"));
        assertEquals(2, run("--bogus"));
        assertEquals(2, run("--config", dir.resolve("absent.yaml").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot read"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "detection: {learning: 1h}|kafka.bootstrap_servers: missing",
            "kafka: {bootstrap_servers: 'h:9092', commit_interval: soon}|kafka.commit_interval: soon",
            "kafka: {bootstrap_servers: 'h:9092', colour: red}|kafka.colour: unknown key",
            "kafka: {bootstrap_servers: 'h:9092'}\\ndetection: {cluster_networks: [10.0.0.0/40]}|clusterNetworks: 10.0.0.0/40",
            "kafka: {bootstrap_servers: 'h:9092'}\\ndetection: {approved_edges: [{source: a, peer: b, port: 70000}]}|port: 70000",
            "kafka: {bootstrap_servers: 'h:9092'}\\ndetection: {window: 10ms}|windowMicros: 10000",
            "kafka: {bootstrap_servers: 'h:9092', identity_topic: 'no spaces'}|kafka.identity_topic: no spaces",
            "kafka: {bootstrap_servers: 'h:9092', processing_threads: 0}|kafka.processing_threads: 0 (expected: 1..256)",
            "kafka: {bootstrap_servers: 'h:9092', processing_threads: many}|kafka.processing_threads: many (expected: an integer)",
            "[1, 2]|(top level)"})
    void badConfigurationNamesTheKey(String yaml, String expected) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, yaml.replace("\\n", "\n"));
        assertEquals(2, run("--config", f.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(expected), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void validConfigurationLoads() throws Exception {
        Path f = dir.resolve("ok.yaml");
        Files.writeString(f, """
                kafka:
                  bootstrap_servers: localhost:9092
                  instance_id: c1
                  commit_interval: 250ms
                  processing_threads: 3
                detection:
                  learning: 30m
                  cluster_networks: [10.244.0.0/16]
                  approved_edges:
                    - {source: shop/web, peer: shop/db, port: 5432, protocol: tcp}
                """);
        CollectorConfig c = CollectorConfig.load(f);
        assertEquals(250, c.ingest().commitIntervalMillis());
        assertEquals(3, c.ingest().processingThreads());
        assertEquals(1_800_000_000L, c.detection().baseline().learningMicros());
        assertEquals(6, c.detection().baseline().approvedEdges().get(0).protocol());
        assertEquals("c1", c.ingest().instanceId());
    }

    @Test
    void checkPrintsTheEffectiveConfigurationWithoutSecretsAndExits() throws Exception {
        Path f = dir.resolve("check.yaml");
        Files.writeString(f, """
                kafka:
                  bootstrap_servers: localhost:9092
                  identity_topic: ""
                ops:
                  api_tokens: [tok-very-secret-1]
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, CollectorMain.run(new String[] {"--config", f.toString(), "--check"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("kafka.bootstrap_servers = localhost:9092"), text);
        assertTrue(text.contains("kafka.identity_topic = (none)"), text);
        assertTrue(text.contains("kafka.processing_threads = " + IngestSettings.DEFAULT_PROCESSING_THREADS), text);
        assertTrue(text.contains("ops.api_tokens = 1 (values not shown)"), text);
        assertTrue(text.contains("configuration OK"), text);
        assertTrue(!text.contains("tok-very-secret-1"), "a token was printed: " + text);
    }
}
