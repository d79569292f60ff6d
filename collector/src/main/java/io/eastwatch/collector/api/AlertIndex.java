package io.eastwatch.collector.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eastwatch.collector.deliver.AlertView;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The newest revision of every alert, for the API. Bounded: past {@code maxAlerts} the alert
 * updated longest ago is forgotten here (it stays on the alerts topic) and counted.
 */
public final class AlertIndex {
    private final int maxAlerts;
    private final LinkedHashMap<String, Entry> byId = new LinkedHashMap<>();
    private long evicted;

    record Entry(String id, int revision, Instant detectedAt, String severity, String detector, String workload,
                 ObjectNode json) {
    }

    public AlertIndex(int maxAlerts) {
        if (maxAlerts < 1) {
            throw new IllegalArgumentException("api.max_alerts: " + maxAlerts + " (expected: >= 1)");
        }
        this.maxAlerts = maxAlerts;
    }

    /** Adds or updates an alert; an older revision than the one held is ignored. */
    public synchronized void accept(AlertView alert) {
        Entry old = byId.get(alert.id());
        if (old != null && old.revision() > alert.revision()) {
            return;
        }
        Instant detected;
        try {
            detected = Instant.parse(alert.json().path("detected_at").asText());
        } catch (DateTimeParseException e) {
            detected = Instant.EPOCH; // sorts last; the alert is still listed
        }
        byId.remove(alert.id()); // re-insert: the most recently updated comes last
        byId.put(alert.id(), new Entry(alert.id(), alert.revision(), detected, alert.severity(), alert.detector(),
                alert.sourceText("workload"), alert.json()));
        Iterator<Map.Entry<String, Entry>> it = byId.entrySet().iterator();
        while (byId.size() > maxAlerts && it.hasNext()) {
            it.next();
            it.remove();
            evicted++;
        }
    }

    public synchronized Optional<ObjectNode> get(String id) {
        Entry e = byId.get(id);
        return e == null ? Optional.empty() : Optional.of(e.json());
    }

    public synchronized int size() {
        return byId.size();
    }

    /** A copy of every entry, for metrics. */
    synchronized List<Entry> entries() {
        return new ArrayList<>(byId.values());
    }

    public synchronized long evicted() {
        return evicted;
    }

    /** Alerts matching {@code q}, newest detection first, one page. */
    Page query(AlertQuery q) {
        List<Entry> matching = new ArrayList<>();
        synchronized (this) {
            for (Entry e : byId.values()) {
                if (q.matches(e)) {
                    matching.add(e);
                }
            }
        }
        matching.sort(Comparator.comparing(Entry::detectedAt).reversed().thenComparing(Entry::id));
        int from = Math.min(q.offset(), matching.size());
        int to = Math.min(from + q.limit(), matching.size());
        List<ObjectNode> items = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            items.add(matching.get(i).json());
        }
        Integer next = to < matching.size() ? to : null;
        return new Page(items, matching.size(), next);
    }

    record Page(List<ObjectNode> items, int total, Integer nextOffset) {
    }
}
