package io.eastwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eastwatch.collector.baseline.LongHashSet;
import io.eastwatch.collector.baseline.RemoteDestinations;
import io.eastwatch.flow.v1.DestinationSummary;
import io.eastwatch.flow.v1.ServedPorts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The group's destination view: what every flows partition learned about destinations (the ports
 * each workload served, the prefixes containers live in), merged from the compacted destinations
 * topic that every collector reads whole. DESIGN.md asks detectors that need the destination's view
 * to read a stream re-keyed by destination; re-keying every flow would double the traffic through
 * Kafka for two small facts, so each partition's owner publishes the facts instead.
 *
 * <p>The topic is keyed by flows partition ({@code "<flows topic>/<partition>"}), not by destination
 * workload, because a partition has exactly one writer at a time (its owner in the consumer group)
 * and its summary is a function of the partition's committed position: the owner publishes it in the
 * same transaction as the partition's snapshot, so the summary never runs ahead of the state a new
 * owner restores, and the new owner's summaries replace the old owner's under the same key. Keyed by
 * destination, several collectors would each hold part of a workload's ports and overwrite one
 * another. A summary of an older offset than the one held is ignored (a collector that lost the
 * partition and has not noticed yet), unless it is much newer on the wall clock (the flows topic was
 * recreated). Knowledge only adds served ports and prefixes, so an empty or partial view gives less
 * evidence, never a false one; a workload with more served ports than a summary may carry is left
 * out entirely rather than shown with part of its ports.
 *
 * <p>Applied on the reader's thread; lookups read an immutable merged index and are safe from any
 * thread. Bounded by {@link DestinationViewSettings}; overflow and bad records are counted.
 */
public final class DestinationView implements RemoteDestinations, CompactedTopicReader.Handler {

    /** A lower-offset summary replaces a held one only when it is this much newer (a recreated flows topic). */
    static final long OFFSET_RESET_US = 600_000_000L;

    private record Held(long offset, long publishedAtUs, Map<String, int[]> served, long[] prefixes) {
    }

    private record Index(Map<String, int[]> served, LongHashSet prefixes) {
    }

    private final String flowsTopic;
    private final DestinationViewSettings settings;
    private final Map<String, Held> partitions = new HashMap<>();
    private volatile Index index = new Index(Map.of(), new LongHashSet());
    private final Counter received;
    private final Counter stale;
    private final MeterRegistry registry;

    public DestinationView(String flowsTopic, DestinationViewSettings settings, MeterRegistry registry) {
        this.flowsTopic = Objects.requireNonNull(flowsTopic, "flowsTopic");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = registry;
        this.received = Counter.builder("eastwatch.collector.destinations.summaries.received")
                .description("Partition summaries applied to the destination view").register(registry);
        this.stale = Counter.builder("eastwatch.collector.destinations.summaries.stale")
                .description("Partition summaries older than the one held (ignored)").register(registry);
        Gauge.builder("eastwatch.collector.destinations.workloads", this, v -> v.index.served().size())
                .description("Destination workloads with served ports in the view").register(registry);
        Gauge.builder("eastwatch.collector.destinations.prefixes", this, v -> v.index.prefixes().size())
                .description("Container address prefixes in the view").register(registry);
        Gauge.builder("eastwatch.collector.destinations.partitions", this, DestinationView::partitionCount)
                .description("Flows partitions whose summary the view holds").register(registry);
    }

    private Counter invalid(String reason) {
        return Counter.builder("eastwatch.collector.destinations.summaries.invalid").tag("reason", reason)
                .description("Records on the destinations topic that were not used, by reason").register(registry);
    }

    static Counter overflow(MeterRegistry registry, String table) {
        return Counter.builder("eastwatch.collector.destinations.overflow").tag("table", table)
                .description("Destination knowledge left out because a limit of the view was reached").register(registry);
    }

    public synchronized int partitionCount() {
        return partitions.size();
    }

    @Override
    public void onRecords(List<ConsumerRecord<byte[], byte[]>> records) {
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            changed |= apply(r.key(), r.value());
        }
        if (changed) {
            rebuild();
        }
    }

    /**
     * Applies one record of the topic (call {@link #rebuild} after a batch).
     *
     * @return whether the held summaries changed
     */
    public synchronized boolean apply(byte[] key, byte[] value) {
        String k = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            // a tombstone: an operator removed the partition's summary
            return partitions.remove(k) != null;
        }
        DestinationSummary s;
        try {
            s = DestinationSummary.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            invalid("decode").increment();
            return false;
        }
        if (!s.getFlowsTopic().equals(flowsTopic)) {
            invalid("other-flows-topic").increment();
            return false;
        }
        if (!k.equals(s.getFlowsTopic() + "/" + s.getPartition()) || s.getOffset() < 0) {
            invalid("key").increment();
            return false;
        }
        Held old = partitions.get(k);
        if (old != null && s.getOffset() < old.offset() && s.getPublishedAtUs() - old.publishedAtUs() < OFFSET_RESET_US) {
            stale.increment();
            return false;
        }
        if (old == null && partitions.size() >= settings.maxPartitions()) {
            overflow(registry, "partitions").increment();
            return false;
        }
        Map<String, int[]> served = new HashMap<>();
        for (ServedPorts sp : s.getServedList()) {
            if (served.size() >= settings.maxWorkloads()) {
                overflow(registry, "workloads").increment();
                break;
            }
            if (sp.getPortsCount() == 0 || sp.getWorkload().isEmpty()) {
                continue;
            }
            if (sp.getPortsCount() >= settings.maxPortsPerWorkload()) {
                // part of a workload's ports would make the rest look never served: leave it out whole
                overflow(registry, "ports").increment();
                continue;
            }
            int[] ports = new int[sp.getPortsCount()];
            for (int i = 0; i < ports.length; i++) {
                ports[i] = sp.getPorts(i);
            }
            Arrays.sort(ports);
            served.merge(sp.getWorkload(), ports, DestinationView::union);
        }
        int n = Math.min(s.getContainerPrefixesCount(), settings.maxPrefixes());
        if (n < s.getContainerPrefixesCount()) {
            overflow(registry, "prefixes").increment();
        }
        long[] prefixes = new long[n];
        for (int i = 0; i < n; i++) {
            prefixes[i] = s.getContainerPrefixes(i);
        }
        partitions.put(k, new Held(s.getOffset(), s.getPublishedAtUs(), served, prefixes));
        received.increment();
        return true;
    }

    /** Merges the held summaries into the index that lookups read. */
    public synchronized void rebuild() {
        Map<String, int[]> served = new HashMap<>();
        LongHashSet prefixes = new LongHashSet();
        boolean workloadsFull = false;
        boolean prefixesFull = false;
        java.util.Set<String> tooMany = new java.util.HashSet<>();
        for (Held h : partitions.values()) {
            for (Map.Entry<String, int[]> e : h.served().entrySet()) {
                if (tooMany.contains(e.getKey())) {
                    continue;
                }
                int[] have = served.get(e.getKey());
                if (have == null && served.size() >= settings.maxWorkloads()) {
                    workloadsFull = true;
                    continue;
                }
                int[] merged = have == null ? e.getValue() : union(have, e.getValue());
                if (merged.length >= settings.maxPortsPerWorkload()) {
                    served.remove(e.getKey());
                    tooMany.add(e.getKey());
                    continue;
                }
                served.put(e.getKey(), merged);
            }
            for (long p : h.prefixes()) {
                if (prefixes.size() < settings.maxPrefixes()) {
                    prefixes.add(p);
                } else if (!prefixes.contains(p)) {
                    prefixesFull = true;
                }
            }
        }
        if (workloadsFull) {
            overflow(registry, "workloads").increment();
        }
        if (prefixesFull) {
            overflow(registry, "prefixes").increment();
        }
        if (!tooMany.isEmpty()) {
            overflow(registry, "ports").increment();
        }
        index = new Index(Map.copyOf(served), prefixes);
    }

    private static int[] union(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            int v;
            if (j >= b.length || i < a.length && a[i] < b[j]) {
                v = a[i++];
            } else if (i >= a.length || b[j] < a[i]) {
                v = b[j++];
            } else {
                v = a[i++];
                j++;
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public boolean knowsServed(String workload) {
        return index.served().containsKey(workload);
    }

    @Override
    public boolean served(String workload, int portProtocol) {
        int[] ports = index.served().get(workload);
        return ports != null && Arrays.binarySearch(ports, portProtocol) >= 0;
    }

    @Override
    public boolean containerPrefix(long prefix) {
        return index.prefixes().contains(prefix);
    }
}
