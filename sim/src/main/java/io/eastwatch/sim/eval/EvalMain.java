package io.eastwatch.sim.eval;

import io.eastwatch.sim.Durations;
import io.eastwatch.sim.SimSettings;
import io.eastwatch.sim.attack.Scenario;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation: every simulated scenario through {@code replay} (generate, replay, compare the
 * alerts with the ground truth), then the real captures of shared/pcaps/scans, printed as tables
 * with recall, false positives and time to detect.
 *
 * <pre>
 * EvalMain [--containers 1000] [--hosts 20] [--seed 1] [--scenarios all|a,b,c] [--real yes|no|only]
 *          [--shared ../shared] [--work DIR] [--duration 12m] [--learn 5m] [--attack-at 7m]
 * </pre>
 * Exit status 0 when every scenario is caught with no false positive and every scored real capture
 * meets its ground truth, 1 otherwise, 2 for bad usage.
 */
public final class EvalMain {
    private EvalMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int containers = 1000;
        int hosts = 20;
        long seed = 1;
        String scenarios = "all";
        String real = "yes";
        Path shared = Path.of(System.getProperty("eastwatch.shared", "../shared"));
        Path work = null;
        Duration duration = SimSettings.DEFAULT_DURATION;
        Duration learn = SimSettings.DEFAULT_LEARN;
        Duration attackAt = SimSettings.DEFAULT_ATTACK_AT;
        List<Scenario> chosen = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + ": missing value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--containers" -> containers = Integer.parseInt(v);
                    case "--hosts" -> hosts = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--scenarios" -> scenarios = v;
                    case "--real" -> real = v;
                    case "--shared" -> shared = Path.of(v);
                    case "--work" -> work = Path.of(v);
                    case "--duration" -> duration = Durations.parse("--duration", v);
                    case "--learn" -> learn = Durations.parse("--learn", v);
                    case "--attack-at" -> attackAt = Durations.parse("--attack-at", v);
                    default -> throw new IllegalArgumentException("option: " + args[i] + " (expected: --containers,"
                            + " --hosts, --seed, --scenarios, --real, --shared, --work, --duration, --learn, --attack-at)");
                }
            }
            if (!List.of("yes", "no", "only").contains(real)) {
                throw new IllegalArgumentException("--real: " + real + " (expected: yes, no or only)");
            }
            if (!real.equals("only")) {
                if (scenarios.equals("all")) {
                    chosen.addAll(List.of(Scenario.values()));
                } else {
                    for (String s : scenarios.split(",")) {
                        chosen.add(Scenario.parse(s.trim()));
                    }
                }
                // Validate the settings once before any work starts.
                new SimSettings(containers, hosts, Scenario.NONE, seed, duration, learn, attackAt);
            }
        } catch (IllegalArgumentException e) {
            err.println("eastwatch eval: " + e.getMessage());
            return 2;
        }
        try {
            if (work == null) {
                work = Files.createTempDirectory("eastwatch-eval-");
            }
            boolean ok = true;
            try (Evaluation eval = new Evaluation(work)) {
                if (!chosen.isEmpty()) {
                    List<ScenarioScore> scores = new ArrayList<>();
                    for (Scenario s : chosen) {
                        ScenarioScore score = eval.scenario(new SimSettings(containers, hosts, s, seed, duration, learn, attackAt));
                        scores.add(score);
                        err.printf("  %s done in %.1f s%n", s.id(), score.replayTime().toMillis() / 1000.0);
                    }
                    ok &= printScenarios(out, scores, containers, hosts, seed);
                }
                if (!real.equals("no")) {
                    List<CaptureScore> scores = new ArrayList<>();
                    for (RealCapture c : RealCapture.load()) {
                        scores.add(eval.capture(shared.resolve("pcaps").resolve("scans"), c));
                    }
                    ok &= printCaptures(out, scores);
                }
            }
            out.println("work directory (pcaps, inventories, truth, alerts): " + work);
            return ok ? 0 : 1;
        } catch (Exception e) {
            err.println("eastwatch eval: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    static boolean printScenarios(PrintStream out, List<ScenarioScore> scores, int containers, int hosts, long seed) {
        out.printf("%nSimulated cluster: %d containers, %d hosts, seed %d%n", containers, hosts, seed);
        out.printf("%-22s %-9s %-22s %9s %4s  %s%n", "scenario", "detected", "container named", "ttd", "fp", "detectors");
        int attacks = 0;
        int caught = 0;
        int fps = 0;
        for (ScenarioScore s : scores) {
            boolean attack = s.attacker() != null;
            attacks += attack ? 1 : 0;
            caught += s.detected() ? 1 : 0;
            fps += s.falsePositives();
            out.printf("%-22s %-9s %-22s %9s %4d  %s%s%n", s.scenario(),
                    attack ? (s.detected() ? "yes" : "NO") : "-",
                    attack ? (s.detected() ? s.attacker() : "(" + s.attacker() + ")") : "-",
                    s.timeToDetect() == null ? "-" : String.format(Locale.ROOT, "%.1fs", s.timeToDetect().toMillis() / 1000.0),
                    s.falsePositives(), String.join(",", s.detectors()),
                    attack && s.detected() && !s.expectedKind() ? " (not an expected kind)" : "");
            for (String fp : s.falsePositiveSamples()) {
                out.println("    false positive: " + fp);
            }
        }
        out.printf("recall %d/%d (%.0f%%), false positives %d%n", caught, attacks,
                attacks == 0 ? 100.0 : 100.0 * caught / attacks, fps);
        return caught == attacks && fps == 0;
    }

    static boolean printCaptures(PrintStream out, List<CaptureScore> scores) {
        out.printf("%nReal captures (shared/pcaps/scans), learning 0, scored on baseline-free detectors%n");
        out.printf("%-50s %-10s %-16s %-7s %4s %6s  %s%n", "file", "kind", "actor", "result", "fp", "other", "detectors");
        int scored = 0;
        int passed = 0;
        int fps = 0;
        for (CaptureScore s : scores) {
            RealCapture c = s.capture();
            String result = !c.kind().scored() ? "report" : s.pass() ? "pass" : "FAIL";
            if (c.kind().scored()) {
                scored++;
                passed += s.pass() ? 1 : 0;
            }
            fps += s.falsePositives();
            out.printf("%-50s %-10s %-16s %-7s %4d %6d  %s%s%n", c.file(), c.kind().name().toLowerCase(Locale.ROOT),
                    c.actor(), result, s.falsePositives(), s.otherAlerts(), String.join(",", s.detectors()),
                    c.kind() == RealCapture.Kind.LATERAL || c.kind() == RealCapture.Kind.L2
                            ? (s.flagged() ? " (flagged)" : " (not flagged)") : "");
            for (String fp : s.falsePositiveSamples()) {
                out.println("    false positive: " + fp);
            }
        }
        out.printf("real captures: %d/%d scored rows met their ground truth, %d false positives%n", passed, scored, fps);
        return passed == scored;
    }
}
