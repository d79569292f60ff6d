package io.eastwatch.sim;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.launcher.ReplayCommand;
import io.eastwatch.sim.attack.Scenario;
import io.eastwatch.sim.truth.GroundTruth;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code eastwatch demo [--containers N] [--scenario NAME] [--seed S] [--out DIR]}: the shortest way
 * to see eastwatch work. Simulates a cluster (1,000 containers on 20 hosts by default: tiers of
 * load-balanced services, DNS, monitoring scrapes, batch jobs, rolling deploys, autoscaling, IP
 * reuse) in which one replica turns rogue, replays its capture through the whole pipeline (agent,
 * embedded Kafka, collector) and prints the alerts next to the ground truth.
 */
public final class DemoMain {
    private DemoMain() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int containers = 1000;
        String scenario = "db-bruteforce";
        long seed = 1;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("-h") || key.equals("--help")) {
                out.println("Usage: eastwatch demo [--containers 1000] [--scenario NAME] [--seed 1] [--out DIR]");
                StringBuilder names = new StringBuilder();
                for (Scenario sc : Scenario.values()) {
                    names.append(names.length() == 0 ? "" : ", ").append(sc.id());
                }
                out.println("Scenarios: " + names);
                return 0;
            }
            if (i + 1 >= args.length) {
                err.println("eastwatch demo: " + key + ": missing value");
                return 2;
            }
            String v = args[++i];
            try {
                switch (key) {
                    case "--containers" -> containers = Integer.parseInt(v);
                    case "--scenario" -> scenario = v;
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--out" -> dir = Path.of(v);
                    default -> {
                        err.println("eastwatch demo: " + key + ": unknown option (expected: --containers, --scenario, --seed, --out)");
                        return 2;
                    }
                }
            } catch (NumberFormatException e) {
                err.println("eastwatch demo: " + key + ": " + v + " (expected: a number)");
                return 2;
            }
        }
        SimSettings settings;
        try {
            settings = SimSettings.defaults(containers, Math.max(2, Math.min(40, containers / 50)), Scenario.parse(scenario), seed);
        } catch (IllegalArgumentException e) {
            err.println("eastwatch demo: " + e.getMessage());
            return 2;
        }
        if (dir == null) {
            dir = Files.createTempDirectory("eastwatch-demo-");
        }
        out.printf(Locale.ROOT, "eastwatch demo: simulating %d containers on %d hosts for %d minutes (scenario %s, seed %d)...%n",
                settings.containers(), settings.hosts(), settings.duration().toMinutes(), settings.scenario().id(), seed);
        Simulation.Output o = Simulation.generate(settings, dir);
        GroundTruth truth = o.groundTruth();
        out.printf(Locale.ROOT, "  capture %s: %,d packets; inventory %s%n", o.pcap(), truth.packets(), o.inventory());
        out.printf(Locale.ROOT, "  the first %d minutes are normal traffic to learn from; then %s%n",
                truth.learnSeconds() / 60, truth.description());
        out.println("replaying it through agent -> Kafka -> collector in event time...");
        Path alerts = dir.resolve("alerts.jsonl");
        ReplayCommand.Result r = ReplayCommand.replay(new ReplayCommand.Options(o.pcap(), o.inventory(),
                Duration.ofSeconds(truth.learnSeconds()), alerts), null);
        out.printf(Locale.ROOT, "  %,d packets -> %,d flow records -> %d alert(s) in %.1f s%n%n", r.packets(),
                r.flowsExported(), r.alerts().size(), r.elapsed().toMillis() / 1000.0);
        for (Alert a : r.alerts()) {
            out.printf(Locale.ROOT, "  [%s] %s%s%n", a.severity().json().toUpperCase(Locale.ROOT), a.summary(),
                    a.mitre().isEmpty() ? "" : "  (" + String.join(", ", a.mitre()) + ")");
            String who = a.source().name() != null
                    ? "container " + a.source().name() + " of " + a.source().workload() + " on " + a.source().host()
                    : "host " + a.source().host();
            out.printf(Locale.ROOT, "      %s, detector %s, first seen %s, id %s%n", who, a.detector(), a.firstSeen(), a.id());
        }
        if (truth.attacker() != null) {
            boolean named = r.alerts().stream().anyMatch(a -> truth.attacker().containerId().equals(a.source().containerId()));
            long others = r.alerts().stream().filter(a -> !truth.attacker().containerId().equals(a.source().containerId())).count();
            out.printf(Locale.ROOT, "%nground truth: the rogue container is %s (%s, %s). %s; %d alert(s) about any other container.%n",
                    truth.attacker().name(), truth.attacker().workload(), truth.attacker().ip(),
                    named ? "eastwatch named it" : "eastwatch did NOT name it", others);
        }
        out.println("alerts (JSON lines): " + alerts);
        return 0;
    }
}
