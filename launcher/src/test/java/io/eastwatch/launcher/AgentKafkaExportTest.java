package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eastwatch agent --pcap FILE --config FILE} with Kafka output against a real embedded
 * KRaft broker: the shutdown sequence flushes every flow of the capture to the topic before the
 * command returns.
 */
class AgentKafkaExportTest {

    @Test
    void everyFlowOfACaptureReachesTheTopic(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(dir.resolve("kafka")))) {
            kafka.start();
            kafka.createTopic("test.flows", 2);
            Path cfg = dir.resolve("agent.yaml");
            Files.writeString(cfg, """
                    agent: {id: kafka-test}
                    export:
                      kafka: {bootstrap_servers: [%s]}
                      topic: test.flows
                      state_dir: %s
                      spool: {dir: %s}
                    ops: {enabled: false}
                    """.formatted(kafka.bootstrapServers(), dir.resolve("state"), dir.resolve("spool")));
            MainTest.Outcome r = MainTest.launch("agent", "--config", cfg.toString(),
                    "--pcap", AgentPcapJsonTest.pcaps().resolve("scans/port_scan_10ports.pcap").toString());
            assertEquals(0, r.status(), r.err());
            assertEquals("", r.out(), "Kafka mode writes nothing on stdout");

            List<FlowRecord> flows = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "agent-kafka-export-test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("test.flows"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (flows.size() < 10 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                        Header type = rec.headers().lastHeader("eastwatch-type");
                        if (type != null && new String(type.value(), StandardCharsets.UTF_8).equals("flow")) {
                            flows.add(FlowRecord.parseFrom(rec.value()));
                        }
                    }
                }
            }
            assertEquals(10, flows.size());
            TreeSet<Long> sequences = new TreeSet<>();
            for (FlowRecord f : flows) {
                assertEquals("kafka-test", f.getAgentId());
                assertEquals(Outcome.UNANSWERED, f.getOutcome());
                sequences.add(f.getSequence());
            }
            assertEquals(10, sequences.size(), "one sequence number per record, none twice");
            assertEquals(sequences.first() + 9, sequences.last(), "no gap in the numbering");
        }
    }
}
