package io.eastwatch.collector.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the SOC dashboard needs from the alert index, with bounded series: the {@code top} workloads
 * by alerts detected in the last day (tags workload and rank: at most {@code top} series) and the
 * {@code top} newest alerts as an info metric (value = detection time in epoch seconds; tags id,
 * detector, severity, workload). Series that fall out of the top are removed on refresh, so the
 * number of series never grows with the fleet.
 */
public final class AlertIndexMetrics {
    private final AlertIndex index;
    private final int top;
    private final MultiGauge topWorkloads;
    private final MultiGauge newest;

    public AlertIndexMetrics(AlertIndex index, int top, MeterRegistry registry) {
        if (top < 1 || top > 50) {
            throw new IllegalArgumentException("top: " + top + " (expected: 1..50)");
        }
        this.index = index;
        this.top = top;
        this.topWorkloads = MultiGauge.builder("eastwatch.collector.alerts.top.workloads")
                .description("Alerts detected in the last 24 h for the workloads with the most (bounded to the top N)")
                .register(registry);
        this.newest = MultiGauge.builder("eastwatch.collector.alerts.newest")
                .description("The newest alerts (bounded to N); value = detection event time, epoch seconds")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("eastwatch.collector.alerts.indexed", index, AlertIndex::size)
                .description("Alerts held by the API's index").register(registry);
        Gauge.builder("eastwatch.collector.alerts.index.evicted", index, AlertIndex::evicted)
                .description("Alerts dropped from the API's index by its size limit").register(registry);
    }

    /** Recomputes the bounded series; call every few seconds. */
    public void refresh(Instant now) {
        List<AlertIndex.Entry> entries = index.entries();
        Map<String, Integer> byWorkload = new HashMap<>();
        Instant dayAgo = now.minusSeconds(86_400);
        for (AlertIndex.Entry e : entries) {
            if (!e.detectedAt().isBefore(dayAgo)) {
                byWorkload.merge(e.workload().isEmpty() ? "unknown" : e.workload(), 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(byWorkload.entrySet());
        ranked.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            Map.Entry<String, Integer> r = ranked.get(i);
            rows.add(MultiGauge.Row.of(Tags.of("workload", r.getKey(), "rank", Integer.toString(i + 1)), r.getValue()));
        }
        topWorkloads.register(rows, true);

        entries.sort(Comparator.comparing(AlertIndex.Entry::detectedAt).reversed().thenComparing(AlertIndex.Entry::id));
        List<MultiGauge.Row<?>> newestRows = new ArrayList<>();
        for (int i = 0; i < Math.min(top, entries.size()); i++) {
            AlertIndex.Entry e = entries.get(i);
            newestRows.add(MultiGauge.Row.of(Tags.of("id", e.id(), "detector", e.detector(), "severity", e.severity(),
                    "workload", e.workload().isEmpty() ? "unknown" : e.workload()), e.detectedAt().getEpochSecond()));
        }
        newest.register(newestRows, true);
    }
}
