package io.eastwatch.agent.capture;

import io.eastwatch.agent.decode.DecodeResult;
import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.agent.flow.FlowTable;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The live agent's processing stage as the daemon wires it, for tests: the source's packets
 * decoded into the flow table on a thread of its own, the table's clock ticked by the source, and
 * every flow flushed when the source stops.
 */
public final class LiveFlowPipeline {

    private LiveFlowPipeline() {
    }

    /**
     * Starts the processing thread; it ends after {@code source.close()} once the table is flushed
     * and {@code afterFlush} has run (e.g. flushing an identity stage behind the table).
     */
    public static Thread start(LivePcapSource source, FlowTable table, MeterRegistry registry, Runnable afterFlush,
                               String threadName) {
        PacketDecoder decoder = new PacketDecoder(registry);
        PacketMeta meta = new PacketMeta();
        source.setTicker(table::advance);
        Thread runner = new Thread(() -> {
            source.run((ts, wire, buf, off, cap, link, ifId) -> {
                if (decoder.decode(ts, wire, buf, off, cap, link, ifId, meta) == DecodeResult.OK) {
                    table.onPacket(meta);
                }
            });
            table.flushAll();
            afterFlush.run();
        }, threadName);
        runner.start();
        return runner;
    }
}
