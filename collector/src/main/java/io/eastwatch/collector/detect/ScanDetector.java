package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.Addresses;
import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.ObservedFlow;
import io.eastwatch.collector.baseline.ObservedFlow.Attempt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.eastwatch.flow.v1.EndpointKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scan and sweep detection by Threshold Random Walk (Jung, Paxson, Berger, Balakrishnan, "Fast
 * Portscan Detection Using Sequential Hypothesis Testing", IEEE S&amp;P 2004).
 *
 * <p>Each first contact of a container to a destination it never reached (address x port x
 * protocol, so horizontal sweeps and vertical scans both count) that is not an edge of its
 * workload's baseline is a Bernoulli trial: success (answered) or failure (unanswered, RST, ICMP
 * unreachable). A benign source succeeds with probability theta0, a scanner with theta1. Wald's
 * sequential probability ratio test multiplies the likelihood ratio by theta1/theta0 on success
 * and (1-theta1)/(1-theta0) on failure, and decides "scanner" when it reaches
 * eta1 = P_D / P_F, "benign" (and restarts) when it falls to eta0 = (1 - P_D) / (1 - P_F). The test
 * needs no time window, so one probe every ten seconds is as visible as a burst.
 *
 * <p>Two refinements over the paper: theta0 is each workload's own first-contact success rate
 * learned in its baseline (Beta prior), and the cluster's address plan is an exact darknet: a
 * probe to an address no container holds, or to a port no container of the target workload ever
 * served, enters with a much larger likelihood ratio, as does a TCP NULL/FIN/XMAS probe. Both facts
 * are learned from the flows to the destination, which are spread over its clients' partitions: the
 * store consults the group's destination view as well as its own partition's.
 */
public final class ScanDetector implements FlowDetector {

    public static final String NAME = "port-scan";
    private static final int SAMPLE = 10;
    private static final int DISTINCT_LIMIT = 65_536;
    /** Stale-endpoint failures excused per source per minute (see {@link #staleEndpoint}). */
    static final int STALE_ALLOWANCE = 5;
    private static final long STALE_WINDOW_US = 60_000_000L;

    /** One source's open test (serializable for snapshots). */
    public static final class Test {
        public double logRatio;
        public boolean declared;
        public long firstUs;
        public long lastUs;
        public long declaredUs;
        public long probes;
        public long successes;
        public long unanswered;
        public long rejected;
        public long unreachable;
        public long darkAddresses;
        public long unservedPorts;
        public long stealth;
        public long probesToDecide;
        public double theta0;
        public Set<Long> addresses = new HashSet<>();
        public Set<Integer> ports = new HashSet<>();
        public List<Finding.Target> sample = new ArrayList<>();
        /** Distinct addresses excused as stale endpoints in the minute starting at staleWindowUs. */
        public Set<Long> staleAddresses = new HashSet<>();
        public long staleWindowUs = Long.MIN_VALUE / 2;
    }

    public static final class State {
        public LinkedHashMap<String, Test> tests = new LinkedHashMap<>(16, 0.75f, true);
    }

    private final ScanSettings settings;
    private final double logEta1;
    private final double logEta0;
    private final Counter evicted;
    private State state = new State();

    public ScanDetector(ScanSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.logEta1 = Math.log(settings.detectionProbability() / settings.falsePositiveProbability());
        this.logEta0 = Math.log((1 - settings.detectionProbability()) / (1 - settings.falsePositiveProbability()));
        this.evicted = Counter.builder("eastwatch.collector.detector.evicted").tag("detector", NAME)
                .description("Detector state dropped because its table was full").register(registry);
    }

    @Override
    public String name() {
        return NAME;
    }

    public State state() {
        return state;
    }

    public void restore(State s) {
        LinkedHashMap<String, Test> lru = new LinkedHashMap<>(16, 0.75f, true);
        lru.putAll(s.tests);
        s.tests = lru;
        this.state = s;
    }

    @Override
    public void onFlow(ObservedFlow f, FlowContext ctx, FindingSink sink) {
        if (f.attempt == Attempt.NONE || !ctx.firstContact || ctx.phase == BaselineStore.Phase.LEARNING) {
            return;
        }
        boolean darkAddress = ctx.store.darkAddress(f);
        if (!darkAddress && (ctx.knownEdge || ctx.targetInGrace)) {
            return;
        }
        boolean unservedPort = f.attempt != Attempt.SUCCESS && ctx.target != null
                && f.dst.getKind() == EndpointKind.CONTAINER
                && f.protocol != ObservedFlow.ICMP && f.protocol != ObservedFlow.ICMPV6
                && !ctx.target.learning(f.firstUs) && ctx.store.neverServed(ctx.target, f.port, f.protocol);
        boolean ownServicePort = f.attempt == Attempt.FAILURE
                && ctx.workload.baselinePorts.contains(f.port << 8 | f.protocol);
        String id = ctx.container.containerId;
        Test t = state.tests.get(id);
        if (t != null && f.lastUs - t.lastUs > settings.stateIdleMicros() && !t.declared) {
            state.tests.remove(id);
            t = null;
        }
        if (t == null) {
            if (state.tests.size() >= settings.maxSources()) {
                Iterator<Test> it = state.tests.values().iterator();
                it.next();
                it.remove();
                evicted.increment();
            }
            t = new Test();
            t.firstUs = f.firstUs;
            state.tests.put(id, t);
        }
        if (ownServicePort && staleEndpoint(t, f)) {
            return;
        }
        double theta1 = settings.scannerSuccessRate();
        double theta0 = Math.min(settings.maxBenignSuccess(), Math.max(theta1 + 0.05,
                ctx.workload.firstContactSuccessRate(settings.benignPriorSuccess(), settings.benignPriorWeight())));
        t.theta0 = theta0;
        t.lastUs = Math.max(t.lastUs, f.lastUs);
        t.probes++;
        double step;
        if (f.attempt == Attempt.STEALTH_PROBE || darkAddress || unservedPort) {
            step = Math.log(settings.darknetLikelihoodRatio());
        } else if (f.attempt == Attempt.SUCCESS) {
            step = Math.log(theta1 / theta0);
        } else {
            step = Math.log((1 - theta1) / (1 - theta0));
        }
        switch (f.attempt) {
            case SUCCESS -> t.successes++;
            case STEALTH_PROBE -> t.stealth++;
            default -> {
                switch (f.record.getOutcome()) {
                    case REJECTED -> t.rejected++;
                    case ICMP_UNREACHABLE -> t.unreachable++;
                    default -> t.unanswered++;
                }
            }
        }
        if (darkAddress) {
            t.darkAddresses++;
        }
        if (unservedPort) {
            t.unservedPorts++;
        }
        if (t.addresses.size() < DISTINCT_LIMIT) {
            t.addresses.add(f.addressHash);
        }
        if (f.protocol != ObservedFlow.ICMP && f.protocol != ObservedFlow.ICMPV6 && t.ports.size() < DISTINCT_LIMIT) {
            t.ports.add(f.port << 8 | f.protocol);
        }
        if (t.sample.size() < SAMPLE) {
            t.sample.add(target(f));
        }
        t.logRatio += step;
        if (!t.declared) {
            if (t.logRatio <= logEta0) {
                // Benign decision: restart the walk, as the paper does for the next contacts.
                state.tests.remove(id);
                return;
            }
            if (t.logRatio < logEta1) {
                return;
            }
            t.declared = true;
            t.declaredUs = f.lastUs;
            t.probesToDecide = t.probes;
        }
        sink.report(finding(f, ctx, t));
    }

    /**
     * A failed first contact on a port the workload uses for a known service is most often a stale
     * address: a replica that just went away (a deploy, a node drain) still in the client's endpoint
     * list, or its address already reused by another container. Those come a few at a time; a
     * source whose failures on its own service ports spread over more than {@link #STALE_ALLOWANCE}
     * addresses in a minute is sweeping for that port (resolvers on 53, web servers on 8080), and
     * its further failures count as evidence like any other.
     */
    private static boolean staleEndpoint(Test t, ObservedFlow f) {
        if (f.firstUs - t.staleWindowUs > STALE_WINDOW_US) {
            t.staleWindowUs = f.firstUs;
            t.staleAddresses.clear();
        }
        if (t.staleAddresses.contains(f.addressHash) || t.staleAddresses.size() < STALE_ALLOWANCE) {
            t.staleAddresses.add(f.addressHash);
            t.lastUs = Math.max(t.lastUs, f.lastUs);
            return true;
        }
        return false;
    }

    static Finding.Target target(ObservedFlow f) {
        boolean icmp = f.protocol == ObservedFlow.ICMP || f.protocol == ObservedFlow.ICMPV6;
        return new Finding.Target(Addresses.format(f.record.getDstAddr()), icmp ? null : f.port,
                f.dstWorkload());
    }

    private Finding finding(ObservedFlow f, FlowContext ctx, Test t) {
        long failures = t.probes - t.successes;
        int addrs = t.addresses.size();
        int ports = t.ports.size();
        String type;
        if (ports == 0) {
            type = "icmp-sweep";
        } else if (addrs > 1 && ports > 1 && addrs >= 4 && ports >= 4) {
            type = "block";
        } else if (addrs >= ports) {
            type = "horizontal";
        } else {
            type = "vertical";
        }
        long dark = t.darkAddresses + t.unservedPorts;
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("scan_type", type);
        ev.put("probes", t.probes);
        ev.put("distinct_addresses", addrs);
        ev.put("distinct_ports", ports);
        ev.put("answered", t.successes);
        ev.put("unanswered", t.unanswered);
        ev.put("rejected", t.rejected);
        ev.put("icmp_unreachable", t.unreachable);
        ev.put("stealth_probes", t.stealth);
        ev.put("dark_addresses", t.darkAddresses);
        ev.put("unserved_ports", t.unservedPorts);
        ev.put("baseline_peers", ctx.workload.edgeCount());
        ev.put("benign_success_rate", round(t.theta0));
        ev.put("scanner_success_rate", settings.scannerSuccessRate());
        ev.put("false_positive_rate", settings.falsePositiveProbability());
        ev.put("detection_rate", settings.detectionProbability());
        ev.put("likelihood_ratio", round(Math.exp(Math.min(700, t.logRatio))));
        ev.put("probes_to_decide", t.probesToDecide);
        double seconds = (t.lastUs - t.firstUs) / 1e6;
        // Reconnaissance from inside the cluster is never routine: once the test decides, it is high.
        Severity severity = Severity.HIGH;
        double score = Math.min(0.99, 0.5 + 0.05 * (t.logRatio / Math.log(10)));
        String what = ports == 0
                ? String.format("pinged %d addresses", addrs)
                : String.format("probed %d %s on %d %s", addrs, addrs == 1 ? "address" : "addresses", ports,
                        ports == 1 ? "port" : "ports");
        String summary = String.format(
                "%s replica %s %s in %s (%d unanswered, %d rejected, %d ICMP-unreachable, %d NULL/FIN/XMAS probes, %d to unused addresses or ports, %d answered); "
                        + "its workload normally talks to %d peers; the sequential test (%.1f%% false-alarm, %.0f%% detection rate) decided after %d probes.",
                ctx.container.workload, ctx.container.name, what, duration(seconds), t.unanswered, t.rejected, t.unreachable,
                t.stealth, dark, t.successes, ctx.workload.edgeCount(), settings.falsePositiveProbability() * 100,
                settings.detectionProbability() * 100, t.probesToDecide);
        List<String> mitre = ports == 0 ? List.of("T1018") : List.of("T1046");
        return new Finding(NAME, false, ctx.suspect(), severity, score, mitre, ev, addrs, t.sample, summary,
                t.firstUs, f.lastUs, t.probes);
    }

    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format("%.1f s", seconds);
        }
        if (seconds < 7200) {
            return String.format("%.1f min", seconds / 60);
        }
        return String.format("%.1f h", seconds / 3600);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public void advanceTo(long watermarkUs) {
        state.tests.values().removeIf(t -> watermarkUs - t.lastUs > settings.stateIdleMicros());
    }
}
