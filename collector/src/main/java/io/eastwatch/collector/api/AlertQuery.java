package io.eastwatch.collector.api;

import io.eastwatch.collector.deliver.AlertView;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Filters and paging of {@code GET /api/v1/alerts}: {@code since}, {@code until} (ISO-8601, on
 * detection event time), {@code severity} (minimum), {@code detector}, {@code workload},
 * {@code limit} (1..500, default 50) and {@code offset}. A bad parameter is an
 * {@link IllegalArgumentException} whose message names it.
 */
record AlertQuery(Instant since, Instant until, Integer minSeverity, String detector, String workload,
                  int limit, int offset) {
    static final int MAX_LIMIT = 500;

    static AlertQuery parse(Map<String, List<String>> params) {
        for (String key : params.keySet()) {
            if (!List.of("since", "until", "severity", "detector", "workload", "limit", "offset").contains(key)) {
                throw new IllegalArgumentException("unknown parameter " + key
                        + " (expected: since, until, severity, detector, workload, limit, offset)");
            }
        }
        Instant since = time(params, "since");
        Instant until = time(params, "until");
        if (since != null && until != null && until.isBefore(since)) {
            throw new IllegalArgumentException("until: " + until + " (expected: not before since " + since + ")");
        }
        String sev = one(params, "severity");
        Integer rank = null;
        if (sev != null) {
            rank = AlertView.severityRank(sev);
        }
        int limit = integer(params, "limit", 50, 1, MAX_LIMIT);
        int offset = integer(params, "offset", 0, 0, Integer.MAX_VALUE);
        return new AlertQuery(since, until, rank, one(params, "detector"), one(params, "workload"), limit, offset);
    }

    boolean matches(AlertIndex.Entry e) {
        if (since != null && e.detectedAt().isBefore(since)) {
            return false;
        }
        if (until != null && e.detectedAt().isAfter(until)) {
            return false;
        }
        if (minSeverity != null && AlertView.severityRank(e.severity()) < minSeverity) {
            return false;
        }
        if (detector != null && !detector.equals(e.detector())) {
            return false;
        }
        return workload == null || workload.equals(e.workload());
    }

    private static String one(Map<String, List<String>> params, String key) {
        List<String> v = params.get(key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw new IllegalArgumentException(key + ": given " + v.size() + " times (expected: once)");
        }
        if (v.get(0).isEmpty()) {
            throw new IllegalArgumentException(key + ": empty (expected: a value)");
        }
        return v.get(0);
    }

    private static Instant time(Map<String, List<String>> params, String key) {
        String v = one(params, key);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: ISO-8601 like 2026-01-08T19:14:17Z)");
        }
    }

    private static int integer(Map<String, List<String>> params, String key, int dflt, int min, int max) {
        String v = one(params, key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + ": " + v + " (expected: " + min + ".." + max + ")");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: an integer " + min + ".." + max + ")");
        }
    }
}
