package io.eastwatch.collector.alert;

import io.eastwatch.collector.coverage.Coverage;
import io.eastwatch.collector.detect.Finding;
import io.eastwatch.collector.detect.FindingSink;
import io.eastwatch.collector.detect.Severity;
import io.eastwatch.collector.detect.Suspect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Turns findings into alerts: one incident per suspect container, whose alert escalates through
 * stages as detectors add evidence (scan, then a new edge, then brute force, then a transfer) and
 * is re-published with a higher revision when its numbers grow, rather than one alert per probe.
 * The id is a name-based UUID of the container, the detector that opened the incident and the
 * incident's start in event time: a collector that restores the snapshot and replays the same
 * records derives the same ids and revisions, so receivers de-duplicate re-deliveries. Each stage
 * is also the alert of one (source container, detector): it has its own stable id and its own
 * revision, counting only the updates of that detector's evidence.
 */
public final class IncidentTracker implements FindingSink {

    /** One stage's latest finding and what was last published of it. */
    public static final class StageState {
        public Finding latest;
        public long publishedMagnitude;
        public Severity publishedSeverity;
        public long order;
        /** Times this stage's own evidence was published (its first report included). */
        public int revision;
    }

    public static final class Incident {
        public String id;
        public String key;
        public String openedBy;
        public long startUs;
        public long lastUs;
        public int revision;
        public long stageCounter;
        public LinkedHashMap<String, StageState> stages = new LinkedHashMap<>();
    }

    public static final class State {
        public LinkedHashMap<String, Incident> incidents = new LinkedHashMap<>();
    }

    private final IncidentSettings settings;
    private final AlertSink sink;
    private final Function<String, Coverage> coverage;
    private final MeterRegistry registry;
    private final Timer latency;
    private final Counter updates;
    private final Counter closedEarly;
    private State state = new State();
    private long arrivalNanos;

    public IncidentTracker(IncidentSettings settings, AlertSink sink, Function<String, Coverage> coverage,
                           MeterRegistry registry) {
        this.settings = settings;
        this.sink = sink;
        this.coverage = coverage;
        this.registry = registry;
        this.latency = Timer.builder("eastwatch.collector.detection.latency")
                .description("Wall time from the arrival of the deciding flow to the alert").register(registry);
        this.updates = Counter.builder("eastwatch.collector.alert.revisions")
                .description("Alert updates published (new evidence or stages on an open alert)").register(registry);
        this.closedEarly = Counter.builder("eastwatch.collector.baseline.overflow").tag("table", "incidents")
                .description("Entries not kept because a baseline table was full").register(registry);
        // every (detector, severity) series exists from the start at 0, so dashboards and
        // increase() see the first alert as a change, not as a new series
        for (String detector : DETECTORS) {
            for (io.eastwatch.collector.detect.Severity severity : io.eastwatch.collector.detect.Severity.values()) {
                alertCounter(detector, severity);
            }
        }
    }

    /** Every detector name an alert can carry (bounded tag values of eastwatch_collector_alerts_total). */
    public static final List<String> DETECTORS = List.of(io.eastwatch.collector.detect.ScanDetector.NAME,
            io.eastwatch.collector.detect.NewEdgeDetector.NAME, io.eastwatch.collector.detect.BruteForceDetector.NAME,
            io.eastwatch.collector.detect.VolumeDetector.NAME, io.eastwatch.collector.detect.ReplicaOutlierDetector.NAME,
            io.eastwatch.collector.coverage.CoverageMonitor.SILENT, io.eastwatch.collector.coverage.CoverageMonitor.DROPS);

    private Counter alertCounter(String detector, io.eastwatch.collector.detect.Severity severity) {
        return Counter.builder("eastwatch.collector.alerts").tag("detector", detector)
                .tag("severity", severity.json()).description("Alerts raised (new incidents)")
                .register(registry);
    }

    public State state() {
        return state;
    }

    public void restore(State s) {
        this.state = s;
    }

    /** The wall-clock arrival (System.nanoTime) of the record being processed, for the latency metric. */
    public void arrival(long nanos) {
        this.arrivalNanos = nanos;
    }

    @Override
    public void report(Finding f) {
        Suspect s = f.suspect();
        String key = f.health() ? "health|" + s.host() + "|" + f.detector() : s.containerId();
        Incident inc = state.incidents.get(key);
        if (inc != null && f.decidedUs() - inc.lastUs > settings.idleMicros()) {
            state.incidents.remove(key);
            inc = null;
        }
        if (inc == null) {
            if (state.incidents.size() >= settings.maxIncidents()) {
                Iterator<Incident> it = state.incidents.values().iterator();
                it.next();
                it.remove();
                closedEarly.increment();
            }
            inc = new Incident();
            inc.key = key;
            inc.openedBy = f.detector();
            inc.startUs = f.firstSeenUs();
            inc.id = UUID.nameUUIDFromBytes((key + "|" + f.detector() + "|" + f.firstSeenUs())
                    .getBytes(StandardCharsets.UTF_8)).toString();
            state.incidents.put(key, inc);
        }
        inc.lastUs = Math.max(inc.lastUs, f.decidedUs());
        StageState st = inc.stages.get(f.detector());
        boolean publish;
        if (st == null) {
            st = new StageState();
            st.order = inc.stageCounter++;
            inc.stages.put(f.detector(), st);
            publish = true;
        } else {
            publish = f.severity().compareTo(st.publishedSeverity) > 0
                    || f.magnitude() >= settings.growthFactor() * st.publishedMagnitude;
        }
        st.latest = f;
        if (!publish) {
            return;
        }
        st.publishedMagnitude = Math.max(1, f.magnitude());
        st.publishedSeverity = f.severity();
        st.revision++;
        inc.revision++;
        Alert alert = build(inc, f);
        sink.publish(alert);
        if (inc.revision == 1) {
            alertCounter(f.detector(), alert.severity()).increment();
        } else {
            updates.increment();
        }
        if (arrivalNanos != 0) {
            latency.record(System.nanoTime() - arrivalNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Kill-chain tactic of each detector: an incident escalates when it spans more than one. */
    private static String tactic(String detector) {
        return switch (detector) {
            case "port-scan", "replica-outlier" -> "discovery";
            case "new-lateral-edge" -> "lateral-movement";
            case "brute-force" -> "credential-access";
            case "exfiltration" -> "exfiltration";
            default -> detector;
        };
    }

    private Alert build(Incident inc, Finding trigger) {
        // The headline is the worst stage (the latest among equals): a late, minor stage does not
        // hide the scan or the transfer that made the incident.
        Finding latest = trigger;
        for (StageState st : inc.stages.values()) {
            if (st.latest.severity().compareTo(latest.severity()) >= 0) {
                latest = st.latest;
            }
        }
        Set<String> tactics = new LinkedHashSet<>();
        for (String d : inc.stages.keySet()) {
            tactics.add(tactic(d));
        }
        Severity worst = Severity.LOW;
        double miss = 1;
        long first = Long.MAX_VALUE;
        Set<String> mitre = new LinkedHashSet<>();
        List<Alert.Stage> stages = new ArrayList<>();
        for (StageState st : inc.stages.values()) {
            Finding f = st.latest;
            if (f.severity().compareTo(worst) > 0) {
                worst = f.severity();
            }
            miss *= 1 - f.score();
            first = Math.min(first, f.firstSeenUs());
            mitre.addAll(f.mitre());
            stages.add(new Alert.Stage(stageId(inc, f.detector()), f.detector(), Math.max(1, st.revision),
                    instant(f.firstSeenUs()), instant(f.decidedUs()), f.severity(), f.score(), f.mitre(), f.summary(),
                    f.evidence()));
        }
        Severity severity = tactics.size() > 1 ? worst.raise(1) : worst;
        String summary = latest.summary();
        if (inc.stages.size() > 1) {
            summary = summary + " Incident stages so far: " + String.join(" -> ", inc.stages.keySet()) + ".";
        }
        Suspect s = latest.suspect();
        List<Alert.Target> targets = new ArrayList<>();
        for (Finding.Target t : latest.targets()) {
            targets.add(new Alert.Target(t.ip(), t.port(), t.workload()));
        }
        Map<String, Object> evidence = new LinkedHashMap<>(latest.evidence());
        return new Alert(inc.id, latest.detector(), latest.health() ? Alert.Kind.HEALTH : Alert.Kind.DETECTION,
                severity, Math.round((1 - miss) * 1000) / 1000.0, instant(first), instant(trigger.decidedUs()),
                new Alert.Source(s.containerId(), s.name(), s.workload(), s.image(), s.host(), s.ip()),
                new Alert.Targets(latest.targetCount(), targets), evidence, new ArrayList<>(mitre), summary,
                inc.revision, stages, coverage.apply(s.host()));
    }

    /**
     * The (source container, detector) alert inside the incident: a name-based UUID of the
     * container, the detector and the incident's start, so it is as stable as the incident's id.
     */
    static String stageId(Incident inc, String detector) {
        return UUID.nameUUIDFromBytes(("stage|" + inc.key + "|" + detector + "|" + inc.startUs)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static Instant instant(long us) {
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
    }

    /** Closes incidents idle too long in event time. */
    public void advanceTo(long watermarkUs) {
        state.incidents.values().removeIf(i -> watermarkUs - i.lastUs > settings.idleMicros());
    }
}
