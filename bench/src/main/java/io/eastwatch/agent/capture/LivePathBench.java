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
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/**
 * The live capture's per-packet path with the kernel left out: libpcap reads a capture file
 * ({@code pcap_open_offline}, opened by pcap4j as the live path opens interfaces) and the packets
 * go through exactly what a live interface's packets go through in the agent: the capture thread's
 * read loop ({@link InterfaceCapture}), the hand-off ring, the processing thread with its reorder
 * stage, the decoder and the flow table (524,288 flows; flows counted, not exported). The capture
 * thread waits for ring space instead of shedding, so every packet is processed. Run as a whole
 * process beside the C floor ({@code bench/live-path.sh}); prints
 * {@code packets=N flows=N shed=N wall_ms=N capture_thread_cpu_ms=N processing_thread_cpu_ms=N}
 * (the capture thread's CPU is sampled every 5 ms, so its last few milliseconds may be missing).
 *
 * <p>Usage: {@code LivePathBench FILE [capture-only]}; {@code capture-only} stops at the ring
 * (no decoder or flow table) to separate the two halves' cost.
 */
public final class LivePathBench {

    private LivePathBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LivePathBench FILE [capture-only]");
            System.exit(2);
        }
        boolean captureOnly = args.length == 2 && args[1].equals("capture-only");
        long start = System.nanoTime();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long[] flows = new long[1];
        FlowSink sink = new FlowSink() {
            @Override
            public void accept(FlowRecord.Builder flow) {
                flows[0]++;
            }
        };
        LivePcapSource source = new LivePcapSource(CaptureSettings.defaults(),
                // An interface that does not exist: discovery finds nothing, the savefile is the only input.
                new InterfaceDiscovery(DiscoverySettings.only(List.of("ewt-ap-none"))), registry);
        FlowTable table = new FlowTable(FlowTableSettings.defaults().withMaxFlows(1 << 19), sink,
                source::interfaceName, registry);
        PacketDecoder decoder = new PacketDecoder(registry);
        PacketMeta meta = new PacketMeta();
        // No wall-clock ticks: the file's timestamps are from 2023, and a tick at today's time
        // would expire every flow between two packets. Ticks cost nothing per packet.
        source.setTicker(null);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] processingCpu = new long[1];
        Thread processing = new Thread(() -> {
            source.run(captureOnly ? (ts, wire, buf, off, cap, link, ifId) -> { } : (ts, wire, buf, off, cap, link, ifId) -> {
                if (decoder.decode(ts, wire, buf, off, cap, link, ifId, meta) == DecodeResult.OK) {
                    table.onPacket(meta);
                }
            });
            table.flushAll();
            processingCpu[0] = threads.getCurrentThreadCpuTime();
        }, "eastwatch-processing");
        processing.start();
        PcapHandle savefile = Pcaps.openOffline(args[0], PcapHandle.TimestampPrecision.MICRO);
        source.replay(new NetInterface("file", 1, -1, null, NetInterface.Kind.OTHER, true), savefile);
        // The capture thread is the source's own: its CPU time is sampled while it runs.
        long captureCpu = 0;
        while (!source.capturing().isEmpty()) {
            Thread.sleep(5);
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t != null && t.getThreadName().startsWith("eastwatch-capture-")) {
                    captureCpu = Math.max(captureCpu, threads.getThreadCpuTime(t.getThreadId()));
                }
            }
        }
        source.close();
        processing.join();
        System.out.printf("packets=%d flows=%d shed=%d wall_ms=%d capture_thread_cpu_ms=%d processing_thread_cpu_ms=%d%n",
                source.delivered(), flows[0], count(registry, "eastwatch.agent.capture.shed"),
                (System.nanoTime() - start) / 1_000_000, captureCpu / 1_000_000, processingCpu[0] / 1_000_000);
    }

    private static long count(SimpleMeterRegistry registry, String name) {
        double sum = 0;
        for (FunctionCounter c : registry.find(name).functionCounters()) {
            sum += c.count();
        }
        return (long) sum;
    }
}
