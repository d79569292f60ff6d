package io.eastwatch.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft broker (combined broker and controller) for tests: internal topics with
 * one replica and few partitions (a test's groups and transactions start in seconds), no delay before
 * the first rebalance.
 */
public final class TestBroker {

    private TestBroker() {
    }

    /**
     * The settings every eastwatch test broker shares; add listeners or more with
     * {@code setConfigProp} before {@link #start}.
     *
     * @param internalPartitions partitions of __consumer_offsets and __transaction_state
     */
    public static KafkaClusterTestKit.Builder singleNode(int internalPartitions) throws Exception {
        return new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", String.valueOf(internalPartitions))
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", String.valueOf(internalPartitions))
                .setConfigProp("group.initial.rebalance.delay.ms", "0");
    }

    /** Builds, formats and starts the broker, and waits until it serves. */
    public static KafkaClusterTestKit start(KafkaClusterTestKit.Builder builder) throws Exception {
        KafkaClusterTestKit kafka = builder.build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }

    /**
     * True once the consumer group has committed the end offset of every non-empty partition of
     * the topic (it has processed everything written so far); false while it has not, or when the
     * broker cannot say yet.
     */
    public static boolean groupCaughtUp(KafkaClusterTestKit kafka, String group, String topic, int partitions) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                spec.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(spec).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }
}
