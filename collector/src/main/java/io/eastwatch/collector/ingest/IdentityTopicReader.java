package io.eastwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eastwatch.flow.v1.HostContainers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the whole identity topic (every collector needs every host's announcement) into the
 * {@link FleetDirectory}, then follows it, through a {@link CompactedTopicReader}. A missing topic
 * is created compacted with one partition (the agents' producers would otherwise auto-create it with
 * the broker's default policy, and it would lose old hosts' sets); where the collector may not
 * create topics, the reader looks for it again every few seconds.
 */
public final class IdentityTopicReader implements AutoCloseable {

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, Object> clientProperties;
    private final CompactedTopicReader reader;

    public IdentityTopicReader(String bootstrapServers, String topic, Map<String, Object> clientProperties,
                               FleetDirectory directory, MeterRegistry registry) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.clientProperties = Map.copyOf(clientProperties);
        Counter invalid = Counter.builder("eastwatch.collector.fleet.announcements.invalid")
                .description("Records on the identity topic that could not be decoded").register(registry);
        this.reader = new CompactedTopicReader(bootstrapServers, topic, clientProperties, "eastwatch-collector-identity",
                records -> apply(records, directory, invalid));
    }

    private static void apply(List<ConsumerRecord<byte[], byte[]>> records, FleetDirectory directory, Counter invalid) {
        for (ConsumerRecord<byte[], byte[]> rec : records) {
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

    /** Creates the topic if it is missing and may be created here, then reads it on its own thread. */
    public void start() {
        CompactedTopicReader.ensureCompacted(bootstrapServers, clientProperties, topic, Map.of());
        reader.start();
    }

    @Override
    public void close() {
        reader.close();
    }
}
