package io.eastwatch.sim;

import io.eastwatch.sim.attack.Scenario;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code SimMain generate --containers N --hosts H --scenario NAME|none --seed S --out DIR
 * [--duration 12m] [--learn 5m] [--attack-at 7m]}: writes capture.pcap, inventory.json and
 * truth.json into DIR. Exit codes: 0 success, 2 bad usage, 1 runtime failure.
 */
public final class SimMain {
    private SimMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        SimSettings settings;
        Path dir;
        try {
            if (args.length == 0 || !args[0].equals("generate")) {
                throw new IllegalArgumentException("command: " + (args.length == 0 ? "(none)" : args[0])
                        + " (expected: generate)");
            }
            int containers = 1000;
            int hosts = 20;
            String scenario = "none";
            long seed = 1;
            Duration duration = SimSettings.DEFAULT_DURATION;
            Duration learn = SimSettings.DEFAULT_LEARN;
            Duration attackAt = SimSettings.DEFAULT_ATTACK_AT;
            dir = null;
            for (int i = 1; i < args.length; i++) {
                String key = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(key + ": missing value");
                }
                String v = args[++i];
                switch (key) {
                    case "--containers" -> containers = Integer.parseInt(v);
                    case "--hosts" -> hosts = Integer.parseInt(v);
                    case "--scenario" -> scenario = v;
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--out" -> dir = Path.of(v);
                    case "--duration" -> duration = Durations.parse("--duration", v);
                    case "--learn" -> learn = Durations.parse("--learn", v);
                    case "--attack-at" -> attackAt = Durations.parse("--attack-at", v);
                    default -> throw new IllegalArgumentException("option: " + key
                            + " (expected: --containers, --hosts, --scenario, --seed, --out, --duration, --learn, --attack-at)");
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("--out: missing (expected: a directory)");
            }
            settings = new SimSettings(containers, hosts, Scenario.parse(scenario), seed, duration, learn, attackAt);
        } catch (IllegalArgumentException e) {
            err.println("eastwatch sim: " + e.getMessage());
            err.println("usage: generate --containers N --hosts H --scenario NAME|none --seed S --out DIR"
                    + " [--duration 12m] [--learn 5m] [--attack-at 7m]");
            return 2;
        }
        try {
            long t0 = System.nanoTime();
            Simulation.Output o = Simulation.generate(settings, dir);
            out.printf("%s: %d containers, %d packets, attacker %s, %.1f s -> %s%n", settings.scenario().id(),
                    o.groundTruth().containers(), o.groundTruth().packets(),
                    o.groundTruth().attacker() == null ? "none" : o.groundTruth().attacker().name(),
                    (System.nanoTime() - t0) / 1e9, dir);
            return 0;
        } catch (Exception e) {
            err.println("eastwatch sim: generation failed: " + e);
            return 1;
        }
    }
}
