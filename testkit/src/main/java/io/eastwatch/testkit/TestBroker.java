package io.eastwatch.testkit;

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
}
