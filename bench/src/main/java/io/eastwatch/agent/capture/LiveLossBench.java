package io.eastwatch.agent.capture;

import io.eastwatch.agent.decode.DecodeResult;
import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The agent's capture path for the live loss benchmark ({@code bench/live-loss.sh}): live capture
 * on one interface, decoder and flow table, flows counted instead of exported. Runs until SIGTERM,
 * then prints one line of counters: {@code received=N kernel_drops=N shed=N packets=N flows=N}.
 *
 * <p>Usage: {@code LiveLossBench INTERFACE [BUFFER_MB [capture-only]]}; {@code capture-only} counts
 * packets without decoding them, to separate the capture path's cost from the flow table's.
 */
public final class LiveLossBench {

    private LiveLossBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: LiveLossBench INTERFACE [BUFFER_MB [capture-only]]");
            System.exit(2);
        }
        CaptureSettings capture = CaptureSettings.defaults();
        boolean captureOnly = args.length == 3 && args[2].equals("capture-only");
        if (args.length >= 2) {
            capture = capture.withBufferBytes(Integer.parseInt(args[1]) << 20);
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long[] flows = new long[1];
        FlowSink sink = new FlowSink() {
            @Override
            public void accept(FlowRecord.Builder flow) {
                flows[0]++;
            }
        };
        LivePcapSource source = new LivePcapSource(capture,
                new InterfaceDiscovery(DiscoverySettings.only(List.of(args[0]))), registry);
        FlowTable table = new FlowTable(FlowTableSettings.defaults().withMaxFlows(1 << 19), sink,
                source::interfaceName, registry);
        PacketDecoder decoder = new PacketDecoder(registry);
        PacketMeta meta = new PacketMeta();
        source.setTicker(table::advance);
        CountDownLatch done = new CountDownLatch(1);
        Thread processing = new Thread(() -> {
            try {
                source.run(captureOnly ? (ts, wire, buf, off, cap, link, ifId) -> { } : (ts, wire, buf, off, cap, link, ifId) -> {
                    if (decoder.decode(ts, wire, buf, off, cap, link, ifId, meta) == DecodeResult.OK) {
                        table.onPacket(meta);
                    }
                });
                table.flushAll();
            } finally {
                done.countDown();
            }
        }, "eastwatch-processing");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            source.close();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.printf("received=%d kernel_drops=%d shed=%d packets=%d flows=%d%n",
                    count(registry, "eastwatch.agent.capture.kernel.received"),
                    count(registry, "eastwatch.agent.capture.kernel.drops"),
                    count(registry, "eastwatch.agent.capture.shed"),
                    count(registry, "eastwatch.agent.capture.packets"),
                    flows[0]);
            System.out.flush();
        }));
        processing.start();
        // Tell the script the capture is open.
        while (source.capturing().isEmpty()) {
            Thread.sleep(20);
        }
        System.out.println("ready");
        System.out.flush();
        processing.join();
    }

    private static long count(SimpleMeterRegistry registry, String name) {
        double sum = 0;
        for (FunctionCounter c : registry.find(name).functionCounters()) {
            sum += c.count();
        }
        return (long) sum;
    }
}
