package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.ContainerActivity;
import io.eastwatch.collector.baseline.WorkloadBaseline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replica outlier: replicas of one workload run the same code behind the same balancer, so in a
 * window they should reach similar numbers of peers and ports and fail about as often. A replica
 * whose fan-out, port count or failure ratio lies far above its siblings' median, in units of the
 * median absolute deviation (a robust spread a single rogue cannot inflate), and beyond anything
 * a replica did while learning, is flagged. Evaluated when event time closes the window.
 *
 * <p>Replicas legitimately differ in two ways the comparison allows for. Counts are noisy: with
 * three or four replicas the MAD is often zero, so a count must also be improbable under Poisson
 * noise around its expectation. And balancer replicas carry uneven load: a replica that made more
 * connections (within the siblings' spread of connection counts) is expected to reach
 * proportionally more destinations, at its siblings' median destinations per connection.
 */
public final class ReplicaOutlierDetector implements BaselineStore.WindowListener {

    public static final String NAME = "replica-outlier";
    private static final double MAD_TO_SIGMA = 1.4826;
    /**
     * Chance, per replica and window, that a count at least this far above its expectation is noise
     * (Poisson). Lower flags fewer, larger departures; at 1e-4, a cluster of 10,000 replicas judged
     * every minute sees about one such departure a minute from noise alone before the baseline-max and
     * minimum-excess guards, which remove nearly all of them.
     */
    static final double COUNT_TAIL = 1e-4;

    /** One replica's closed window. */
    public static final class Replica {
        public String containerId;
        public String name;
        public String image;
        public String host;
        public String ip;
        public long fanout;
        public long ports;
        public long attempts;
        public long failures;
        /** Counted in the siblings' median but not judged itself. */
        public boolean warmingUp;
    }

    public static final class State {
        /** workload + "|" + window start -> replicas that closed it. */
        public Map<String, List<Replica>> windows = new HashMap<>();
        /** Containers already flagged (one finding per container per measure until idle). */
        public Map<String, Long> flagged = new HashMap<>();
    }

    private final ReplicaOutlierSettings settings;
    private FindingSink sink;
    private BaselineStore store;
    private State state = new State();

    public ReplicaOutlierDetector(ReplicaOutlierSettings settings) {
        this.settings = settings;
    }

    /** Wires the store (for baselines) and where findings go; called once by the engine. */
    public void bind(BaselineStore store, FindingSink sink) {
        this.store = store;
        this.sink = sink;
    }

    public State state() {
        return state;
    }

    public void restore(State s) {
        this.state = s;
    }

    @Override
    public void windowClosed(ContainerActivity c, WorkloadBaseline workload, long windowStartUs, BaselineStore.Phase phase) {
        if (phase != BaselineStore.Phase.MONITORING || c.windowAttempts == 0) {
            return;
        }
        boolean warmingUp = windowStartUs - c.firstSeenUs < settings.warmupMicros();
        Replica r = new Replica();
        r.containerId = c.containerId;
        r.name = c.name;
        r.image = c.image;
        r.host = c.host;
        r.ip = c.ip;
        r.fanout = c.windowDestinations.size();
        r.ports = c.windowPorts.size();
        r.attempts = c.windowAttempts;
        r.failures = c.windowFailures;
        r.warmingUp = warmingUp;
        state.windows.computeIfAbsent(workload.windowKey(windowStartUs), k -> new ArrayList<>()).add(r);
    }

    @Override
    public void windowsClosedUpTo(long windowStartUs) {
        Iterator<Map.Entry<String, List<Replica>>> it = state.windows.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, List<Replica>> e = it.next();
            int bar = e.getKey().lastIndexOf('|');
            long start = Long.parseLong(e.getKey().substring(bar + 1));
            if (start > windowStartUs) {
                continue;
            }
            it.remove();
            WorkloadBaseline w = store.workloadOrNull(e.getKey().substring(0, bar));
            if (w != null && e.getValue().size() >= settings.minReplicas()) {
                evaluate(w, e.getValue(), start);
            }
        }
        long horizon = windowStartUs - 60L * store.settings().windowMicros();
        state.flagged.values().removeIf(t -> t < horizon);
    }

    private void evaluate(WorkloadBaseline w, List<Replica> replicas, long start) {
        double[] fan = new double[replicas.size()];
        double[] ports = new double[replicas.size()];
        double[] fail = new double[replicas.size()];
        double[] perAttempt = new double[replicas.size()];
        double[] attempts = new double[replicas.size()];
        for (int i = 0; i < fan.length; i++) {
            Replica r = replicas.get(i);
            fan[i] = r.fanout;
            ports[i] = r.ports;
            fail[i] = r.attempts == 0 ? 0 : (double) r.failures / r.attempts;
            perAttempt[i] = r.attempts == 0 ? 0 : (double) r.fanout / r.attempts;
            attempts[i] = r.attempts;
        }
        double[] attemptStats = medianMad(attempts);
        double[] fanStats = medianMad(fan);
        double[] portStats = medianMad(ports);
        double[] failStats = medianMad(fail);
        // Destinations per connection across the siblings: a replica that carried more load (a
        // balancer's uneven share, a client with a bigger pool) reaches more replicas of the same
        // peers at about the same rate per connection, so its expected fan-out scales with its
        // own attempts. Only fan-out beyond what its load explains is suspicious, and only a load
        // within the siblings' own spread explains anything: a replica making several times its
        // siblings' connections is not carrying a fair share, it is doing something else.
        double perAttemptMedian = medianMad(perAttempt)[0];
        long end = start + store.settings().windowMicros();
        for (int i = 0; i < fan.length; i++) {
            Replica r = replicas.get(i);
            List<String> why = new ArrayList<>();
            boolean plausibleLoad = !countOutlier(attempts[i], attemptStats[0], attemptStats[1]);
            double expectedFan = plausibleLoad ? Math.max(fanStats[0], r.attempts * perAttemptMedian) : fanStats[0];
            if (countOutlier(fan[i], expectedFan, fanStats[1]) && fan[i] > w.maxWindowFanout) {
                why.add(String.format("reached %d distinct addresses (replicas' median %.0f, %.0f expected for its %d connections, baseline max %d)",
                        r.fanout, fanStats[0], expectedFan, r.attempts, w.maxWindowFanout));
            }
            if (countOutlier(ports[i], portStats[0], portStats[1]) && ports[i] > w.maxWindowPorts) {
                why.add(String.format("used %d distinct ports (median %.0f, baseline max %d)", r.ports, portStats[0],
                        w.maxWindowPorts));
            }
            if (r.failures >= settings.minFailures() && fail[i] - failStats[0] >= settings.minFailureExcess()
                    && fail[i] - failStats[0] > settings.robustZ() * MAD_TO_SIGMA * failStats[1]
                    && fail[i] > w.maxWindowFailureRatio) {
                why.add(String.format("failed %.0f%% of %d attempts (median %.0f%%)", fail[i] * 100, r.attempts,
                        failStats[0] * 100));
            }
            if (why.isEmpty() || r.warmingUp || state.flagged.containsKey(r.containerId)) {
                continue;
            }
            state.flagged.put(r.containerId, start);
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("replicas", replicas.size());
            ev.put("fanout", r.fanout);
            ev.put("fanout_median", fanStats[0]);
            ev.put("fanout_mad", fanStats[1]);
            ev.put("attempts", r.attempts);
            ev.put("attempts_median", attemptStats[0]);
            ev.put("ports", r.ports);
            ev.put("ports_median", portStats[0]);
            ev.put("failure_ratio", ScanDetector.round(fail[i]));
            ev.put("failure_ratio_median", ScanDetector.round(failStats[0]));
            ev.put("baseline_max_fanout", w.maxWindowFanout);
            ev.put("window_seconds", store.settings().windowMicros() / 1_000_000L);
            String summary = String.format("%s replica %s departed from its %d sibling replicas in one %d s window: %s.",
                    w.name, r.name, replicas.size() - 1, store.settings().windowMicros() / 1_000_000L,
                    String.join("; ", why));
            Suspect s = new Suspect(r.containerId, r.name, w.name, r.image, r.host, r.ip);
            sink.report(new Finding(NAME, false, s, Severity.MEDIUM, 0.6, List.of("T1046"), ev, (int) r.fanout,
                    List.of(), summary, start, end, r.fanout));
        }
    }

    /**
     * A count lies far above what is expected of it: by at least minExcessPeers, by more than
     * robustZ of the siblings' robust spread (1.4826 MAD), and beyond what chance alone gives a
     * count of that expectation (Poisson upper tail below {@link #COUNT_TAIL}). With three or four
     * replicas the MAD is the distance between two of them and is often zero, while counts of
     * connections and peers vary from window to window by about their square root however alike
     * the replicas are: 69 peers where 52 are expected happens about once in a hundred windows,
     * 31 where 13 are expected about once in a hundred thousand.
     */
    private boolean countOutlier(double x, double expected, double mad) {
        double excess = x - expected;
        return excess >= settings.minExcessPeers() && excess > settings.robustZ() * MAD_TO_SIGMA * mad
                && poissonUpperTail((long) x, Math.max(1, expected)) < COUNT_TAIL;
    }

    /** P(X >= k) for X ~ Poisson(lambda), summed from k up in log space (k is bounded by the set limits). */
    static double poissonUpperTail(long k, double lambda) {
        if (k <= 0) {
            return 1;
        }
        double logTerm = k * Math.log(lambda) - lambda;
        for (long i = 2; i <= k; i++) {
            logTerm -= Math.log(i);
        }
        double term = Math.exp(logTerm);
        double sum = 0;
        for (long i = k; term > 0 && (term > sum * 1e-12); i++) {
            sum += term;
            term *= lambda / (i + 1);
            if (i - k > 100_000) {
                break;
            }
        }
        return Math.min(1, sum);
    }

    static double[] medianMad(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        double median = median(v);
        double[] dev = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            dev[i] = Math.abs(v[i] - median);
        }
        Arrays.sort(dev);
        return new double[] {median, median(dev)};
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
