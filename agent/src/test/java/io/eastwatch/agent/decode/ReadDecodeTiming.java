package io.eastwatch.agent.decode;

import io.eastwatch.agent.capture.PcapFileSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;

/** Ad-hoc timing of reader + decoder over a capture (not a test; bench/ owns real benchmarks). */
public final class ReadDecodeTiming {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean decode = args.length <= 2 || !args[2].equals("read");
        PacketDecoder d = new PacketDecoder(new SimpleMeterRegistry());
        PacketMeta m = new PacketMeta();
        for (int i = 0; i < passes; i++) {
            long[] acc = new long[2];
            long t0 = System.nanoTime();
            long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            try (PcapFileSource src = new PcapFileSource(file, new SimpleMeterRegistry())) {
                if (decode) {
                    src.run((ts, w, buf, off, cap, lt, id) -> {
                        if (d.decode(ts, w, buf, off, cap, lt, id, m) == DecodeResult.OK) {
                            acc[0] += m.srcLo ^ m.dstPort ^ m.srcPort;
                        }
                        acc[1]++;
                    });
                } else {
                    src.run((ts, w, buf, off, cap, lt, id) -> {
                        acc[0] += buf.get(off + 12);
                        acc[1]++;
                    });
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long cpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0) / 1_000_000;
            System.out.printf("pass %d: %d packets in %d ms wall, %d ms cpu (%.2f Mpps by cpu) check %d%n", i, acc[1], ms, cpu,
                    acc[1] / (cpu * 1000.0), acc[0]);
        }
    }
}
