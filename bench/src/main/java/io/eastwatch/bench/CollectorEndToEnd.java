package io.eastwatch.bench;

import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.ingest.IngestSettings;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.launcher.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end collector benchmark through a real (embedded, single-node) Kafka broker: the flows
 * topic is filled first, then one collector ({@link CollectorApp}: consumer group, validation,
 * de-duplication, every detector, transactional commits of alerts, snapshots and offsets) is
 * started and timed until it has ingested every record. The collector reads and writes the
 * identity, destination-view and approvals topics as the daemon does by default.
 *
 * <pre>
 * java -cp ... io.eastwatch.bench.CollectorEndToEnd [flows=1000000] [partitions=2] [workloads=1000] [replicas=10] [threads]
 * </pre>
 */
public final class CollectorEndToEnd {

    public static void main(String[] args) throws Exception {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int workloads = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int replicas = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : IngestSettings.DEFAULT_PROCESSING_THREADS;
        Path dir = Files.createTempDirectory("eastwatch-bench-e2e-");
        SyntheticFlows gen = new SyntheticFlows(workloads, replicas, 7);
        long start = 1_767_900_000_000_000L;
        long gap = 2_000;
        FlowRecord[] all = gen.normal(flows, start, gap, 3);
        // as an agent sends them: a Community ID each (the de-duplication key) and, per agent, a sequence
        // number per flows partition (the gap detector); the partition is the producer's choice for the key
        int[] partitionOf = new int[all.length];
        Map<String, long[]> sequences = new java.util.HashMap<>();
        for (int i = 0; i < all.length; i++) {
            byte[] key = all[i].getSrc().getWorkload().getBytes(StandardCharsets.UTF_8);
            int p = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % partitions;
            partitionOf[i] = p;
            long seq = ++sequences.computeIfAbsent(all[i].getAgentId(), k -> new long[partitions])[p];
            all[i] = all[i].toBuilder().setCommunityId(SyntheticFlows.communityId(all[i])).setPartitionSequence(seq).build();
        }
        try (EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(dir.resolve("kafka")))) {
            kafka.start();
            kafka.createTopic("eastwatch.flows", partitions);
            long p0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.ACKS_CONFIG, "all"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                byte[] type = "flow".getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < all.length; i++) {
                    FlowRecord f = all[i];
                    all[i] = null;   // the collector's process must not carry the generator's million records
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("eastwatch.flows", partitionOf[i],
                            f.getSrc().getWorkload().getBytes(StandardCharsets.UTF_8), f.toByteArray());
                    r.headers().add("eastwatch-type", type);
                    producer.send(r);
                }
                producer.flush();
            }
            double produceS = (System.nanoTime() - p0) / 1e9;
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CollectorSettings settings = CollectorSettings.defaults().withLearning(Duration.ofNanos(flows / 3 * gap * 1000));
            CollectorApp app = new CollectorApp(IngestSettings.defaults(kafka.bootstrapServers(), "bench")
                    .withProcessingThreads(threads), settings,
                    registry, null);
            // as the daemon runs by default: the identity, destination-view and approvals topics on
            app.identityTopic(io.eastwatch.collector.CollectorConfig.DEFAULT_IDENTITY_TOPIC);
            app.destinationsTopic(io.eastwatch.collector.CollectorConfig.DEFAULT_DESTINATIONS_TOPIC,
                    io.eastwatch.collector.ingest.DestinationViewSettings.defaults());
            app.approvalsTopic(io.eastwatch.collector.CollectorConfig.DEFAULT_APPROVALS_TOPIC);
            long processCpu0 = ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            Map<String, Long> threads0 = threadCpuTicks();
            long c0 = System.nanoTime();
            app.start();
            double ingested = 0;
            long third = 0;
            double atThird = 0;
            while (ingested < flows) {
                Thread.sleep(50);
                var c = registry.find("eastwatch.collector.flows.ingested").counter();
                ingested = c == null ? 0 : c.count();
                if (third == 0 && ingested >= flows / 3.0) {
                    third = System.nanoTime();
                    atThird = ingested;
                }
                if (System.nanoTime() - c0 > Duration.ofMinutes(10).toNanos()) {
                    break;
                }
            }
            long end = System.nanoTime();
            double consumeS = (end - c0) / 1e9;
            // CPU time of the consume thread and of the whole process (broker included): on a shared
            // machine the wall-time rate mostly measures how often the threads got a core
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long collectorCpu = -1;
            for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (t != null && t.getThreadName().equals("eastwatch-collector-bench")) {
                    collectorCpu = mx.getThreadCpuTime(t.getThreadId());
                }
            }
            long processCpu = ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - processCpu0;
            Map<String, Long> threads1 = threadCpuTicks();
            app.close();
            System.out.printf(Locale.ROOT, "flows=%,d partitions=%d containers=%,d processing threads=%d%n", flows, partitions,
                    gen.containers(), threads);
            System.out.printf(Locale.ROOT, "produced to Kafka in %.2f s (%,.0f records/s)%n", produceS, flows / produceS);
            System.out.printf(Locale.ROOT, "collector ingested %,.0f flows in %.2f s = %,.0f flows/s end to end "
                    + "(includes consumer group join and topic setup)%n", ingested, consumeS, ingested / consumeS);
            if (third != 0) {
                double warmS = (end - third) / 1e9;
                System.out.printf(Locale.ROOT, "after the first third (group joined, JIT warm): %,.0f flows in %.2f s = %,.0f flows/s%n",
                        ingested - atThird, warmS, (ingested - atThird) / warmS);
            }
            System.out.printf(Locale.ROOT, "consume thread: %.2f s of CPU = %,.0f flows per CPU-second; whole process "
                    + "(collector, broker, producer threads): %.2f s of CPU = %,.0f flows per CPU-second%n",
                    collectorCpu / 1e9, ingested / (collectorCpu / 1e9), processCpu / 1e9, ingested / (processCpu / 1e9));
            // where the process's CPU went while the collector consumed (JIT compiler and GC threads included)
            Map<String, Long> spent = new java.util.TreeMap<>();
            threads1.forEach((k, v) -> spent.merge(k, v - threads0.getOrDefault(k, 0L), Long::sum));
            System.out.println("CPU seconds by thread group while consuming:");
            spent.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                    .forEach(e -> System.out.printf(Locale.ROOT, "  %6.2f  %s%n", e.getValue() / 100.0, e.getKey()));
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** CPU ticks (1/100 s) per thread name with digits folded, from /proc (Linux), all native threads included. */
    static Map<String, Long> threadCpuTicks() {
        Map<String, Long> out = new java.util.HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return out;
        }
        for (java.io.File t : tasks) {
            try {
                String name = Files.readString(t.toPath().resolve("comm")).trim().replaceAll("[0-9]+", "N");
                String stat = Files.readString(t.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            } catch (java.nio.file.NoSuchFileException e) {
                // the thread ended between the listing and the read
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    private CollectorEndToEnd() {
    }
}
