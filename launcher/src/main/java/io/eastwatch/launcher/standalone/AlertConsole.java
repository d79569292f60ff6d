package io.eastwatch.launcher.standalone;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.detect.Severity;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Prints alerts for a person watching the console: one line when an alert is raised and one when
 * it escalates (a worse severity, or another detector joins the incident); revisions that only add
 * evidence stay in the alert log and the API. The line reads, in order: wall-clock time, what
 * happened, severity, container, workload, detector(s), and the alert's own summary sentence.
 */
public final class AlertConsole implements Standalone.AlertListener {

    /** Incidents remembered to tell an escalation from a new alert; the oldest is forgotten first. */
    private static final int MAX_TRACKED = 10_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private record Seen(Severity severity, Set<String> detectors) {
    }

    private final PrintStream out;
    private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    public AlertConsole(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void onAlert(Alert a) {
        Set<String> detectors = detectors(a);
        Seen before = seen.get(a.id());
        String what;
        if (before == null) {
            what = a.kind() == Alert.Kind.HEALTH ? "HEALTH" : "ALERT";
        } else if (a.severity().compareTo(before.severity()) > 0 || !before.detectors().containsAll(detectors)) {
            what = "ESCALATED";
        } else {
            return;
        }
        seen.put(a.id(), new Seen(a.severity(), detectors));
        out.println(line(what, a, detectors));
        out.flush();
    }

    static String line(String what, Alert a, Set<String> detectors) {
        Alert.Source s = a.source();
        String who = a.kind() == Alert.Kind.HEALTH
                ? "host " + orDash(s.host())
                : orDash(s.name()) + " (" + orDash(s.workload()) + ")";
        return String.format("%s %-9s %-8s %s  %s  %s", LocalTime.now(ZoneId.systemDefault()).format(TIME), what,
                a.severity().json(), who, String.join(" > ", detectors), a.summary());
    }

    private static Set<String> detectors(Alert a) {
        Set<String> d = new LinkedHashSet<>();
        d.add(a.detector());
        for (Alert.Stage st : a.stages()) {
            d.add(st.detector());
        }
        return d;
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
