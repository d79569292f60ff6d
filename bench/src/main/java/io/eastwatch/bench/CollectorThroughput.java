package io.eastwatch.bench;

import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.ingest.PartitionSnapshot;
import io.eastwatch.collector.ingest.SnapshotStore;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * In-process collector benchmark (one thread, every detector on): flows per second through the
 * detection engine, heap held by the baseline of {@code containers} containers, and the wall time
 * from handing the engine the flow that decides a scan to the alert.
 *
 * <pre>
 * java -cp ... io.eastwatch.bench.CollectorThroughput [workloads=1000] [replicas=10] [flows=3000000]
 * </pre>
 */
public final class CollectorThroughput {

    public static void main(String[] args) {
        int workloads = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int flows = args.length > 2 ? Integer.parseInt(args[2]) : 3_000_000;
        SyntheticFlows gen = new SyntheticFlows(workloads, replicas, 7);
        long start = 1_767_900_000_000_000L;
        long gap = 2_000; // 500 flows per event-time second
        FlowRecord[] learn = gen.normal(flows / 3, start, gap, 1);
        long monitorStart = start + (long) learn.length * gap;
        FlowRecord[] monitor = gen.normal(flows - learn.length, monitorStart, gap, 2);

        System.gc();
        long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        List<Long> alertNanos = new ArrayList<>();
        List<Alert> alerts = new ArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CollectorSettings settings = CollectorSettings.defaults()
                .withLearning(Duration.ofNanos((monitorStart - start) * 1000));
        DetectionEngine engine = new DetectionEngine(settings, a -> {
            alertNanos.add(System.nanoTime());
            alerts.add(a);
        }, registry);

        // CPU time of this thread beside wall time: on a shared machine the wall-time rate mostly measures
        // how often the thread got a core; flows per CPU-second is the per-core throughput
        java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (FlowRecord f : learn) {
            engine.onFlow(f);
        }
        long t1 = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int alertsBefore = alerts.size();
        long c2 = cpu.getCurrentThreadCpuTime();
        long t2 = System.nanoTime();
        for (FlowRecord f : monitor) {
            engine.onFlow(f);
        }
        long t3 = System.nanoTime();
        long c3 = cpu.getCurrentThreadCpuTime();

        // the snapshot the daemon writes at every commit (whole engine state, JSON + gzip), timed on this state
        long[] encodeNanos = new long[3];
        long[] encodeCpu = new long[3];
        int snapshotBytes = 0;
        for (int i = 0; i < encodeNanos.length; i++) {
            long e0 = System.nanoTime();
            long ec = cpu.getCurrentThreadCpuTime();
            PartitionSnapshot ps = new PartitionSnapshot();
            ps.engine = engine.snapshot();
            snapshotBytes = SnapshotStore.encode(ps).length;
            encodeNanos[i] = System.nanoTime() - e0;
            encodeCpu[i] = cpu.getCurrentThreadCpuTime() - ec;
        }
        java.util.Arrays.sort(encodeNanos);
        java.util.Arrays.sort(encodeCpu);

        // a scan after monitoring has started: time from each probe's hand-off to the first alert
        long scanStart = monitorStart + (long) monitor.length * gap;
        FlowRecord[] scan = gen.scan(5, 77, 200, scanStart, 100_000);
        long firstAlert = -1;
        long decidingHandOff = -1;
        int before = alerts.size();
        for (FlowRecord f : scan) {
            long h = System.nanoTime();
            engine.onFlow(f, h);
            engine.advanceTo(f.getLastTsUs());
            if (alerts.size() > before && firstAlert < 0) {
                firstAlert = alertNanos.get(before);
                decidingHandOff = h;
            }
        }
        engine.finish();

        double learnRate = learn.length / ((t1 - t0) / 1e9);
        double monitorRate = monitor.length / ((t3 - t2) / 1e9);
        System.out.printf(Locale.ROOT, "containers=%d workloads=%d flows=%d%n", gen.containers(), workloads, flows);
        System.out.printf(Locale.ROOT, "learning:   %,d flows in %.2f s = %,.0f flows/s; %.2f s of CPU = %,.0f flows per CPU-second%n",
                learn.length, (t1 - t0) / 1e9, learnRate, (c1 - c0) / 1e9, learn.length / ((c1 - c0) / 1e9));
        System.out.printf(Locale.ROOT, "monitoring: %,d flows in %.2f s = %,.0f flows/s; %.2f s of CPU = %,.0f flows per CPU-second"
                        + " (alerts on normal traffic: %d)%n",
                monitor.length, (t3 - t2) / 1e9, monitorRate, (c3 - c2) / 1e9, monitor.length / ((c3 - c2) / 1e9),
                alerts.size() - alertsBefore);
        System.out.printf(Locale.ROOT, "heap held by the engine after learning (after GC): %.1f MB for %d containers%n",
                (heap - heapBefore) / 1e6, gen.containers());
        System.out.printf(Locale.ROOT, "snapshot of the engine after monitoring: %.1f MB gzipped, encoded in %.0f ms, %.0f ms of CPU (medians of 3)%n",
                snapshotBytes / 1e6, encodeNanos[1] / 1e6, encodeCpu[1] / 1e6);
        if (firstAlert >= 0) {
            System.out.printf(Locale.ROOT, "scan alert: %s, %.3f ms after the deciding flow was handed to the engine%n",
                    alerts.get(before).detector(), (firstAlert - decidingHandOff) / 1e6);
        } else {
            System.out.println("scan alert: NONE (the injected scan was not detected)");
        }
    }
}
