package io.eastwatch.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eastwatch.collector.deliver.AlertView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertIndexMetricsTest {

    private static AlertView alert(String id, String workload, String at) throws Exception {
        return AlertView.parse(("{\"id\":\"" + id + "\",\"detector\":\"port-scan\",\"severity\":\"high\",\"summary\":\"s\","
                + "\"detected_at\":\"" + at + "\",\"source\":{\"workload\":\"" + workload + "\"}}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void seriesStayBoundedAndRanked() throws Exception {
        AlertIndex index = new AlertIndex(3);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AlertIndexMetrics metrics = new AlertIndexMetrics(index, 2, registry);
        index.accept(alert("a", "w1", "2026-01-08T10:00:00Z"));
        index.accept(alert("b", "w2", "2026-01-08T11:00:00Z"));
        index.accept(alert("c", "w2", "2026-01-08T12:00:00Z"));
        index.accept(alert("d", "w3", "2026-01-08T13:00:00Z"));
        assertEquals(3, index.size(), "bounded");
        assertEquals(1, index.evicted());
        metrics.refresh(Instant.parse("2026-01-08T14:00:00Z"));
        assertEquals(2, registry.find("eastwatch.collector.alerts.top.workloads").gauges().size());
        assertEquals(2.0, registry.get("eastwatch.collector.alerts.top.workloads").tag("rank", "1").gauge().value());
        assertEquals("w2", registry.get("eastwatch.collector.alerts.top.workloads").tag("rank", "1").gauge().getId().getTag("workload"));
        assertEquals(2, registry.find("eastwatch.collector.alerts.newest").gauges().size());
        assertEquals(Instant.parse("2026-01-08T13:00:00Z").getEpochSecond(),
                registry.get("eastwatch.collector.alerts.newest").tag("id", "d").gauge().value());
        // a day later nothing is recent: the top series disappear, they do not pile up
        metrics.refresh(Instant.parse("2026-01-10T14:00:00Z"));
        assertEquals(0, registry.find("eastwatch.collector.alerts.top.workloads").gauges().size());
    }
}
