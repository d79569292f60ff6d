package io.eastwatch.launcher;

import io.eastwatch.daemon.ExitStatus;
import io.eastwatch.daemon.UsageException;
import io.eastwatch.daemon.config.ConfigException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./eastwatch <command> [options]}: the one entry point of every daemon and tool.
 * Exit statuses follow DESIGN.md: 0 success, 2 bad usage or configuration (the message names the
 * option or key), 1 runtime failure. {@link #run} does everything but {@code System.exit}, so
 * tests drive the launcher in-process.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private final Map<String, Subcommand> commands = new LinkedHashMap<>();

    Main() {
        add(new AgentSubcommand());
        add(new DelegatedSubcommand("collector",
                "consume flow records, learn per-workload baselines, detect and deliver alerts (daemon)",
                """
                Usage: eastwatch collector --config FILE

                Runs the collector daemon: reads flow records from Kafka, keeps per-workload baselines,
                runs the detectors and delivers alerts (webhooks, alerts topic, HTTP API).
                """, "io.eastwatch.collector.CollectorMain"));
        add(new DelegatedSubcommand("replay",
                "run the whole pipeline over a capture file in event time",
                """
                Usage: eastwatch replay --pcap FILE [--inventory FILE] [--learn DURATION]
                                        [--alerts-out FILE] [--webhook URL]

                Runs agent -> embedded Kafka -> collector over a capture in event time. The first
                DURATION of the capture is the learning phase. Exits when every flow is processed.
                """, "io.eastwatch.launcher.ReplayCommand"));
        add(new DelegatedSubcommand("demo",
                "simulate a 1,000-container cluster with one rogue replica and show eastwatch catching it",
                """
                Usage: eastwatch demo [--containers 1000] [--scenario db-bruteforce] [--seed 1] [--out DIR]

                Generates a simulated cluster capture (normal churn, then one replica attacks), replays it
                through agent -> embedded Kafka -> collector and prints the alerts beside the ground truth.
                """, "io.eastwatch.sim.DemoMain"));
        add(new DelegatedSubcommand("evaluate",
                "measure detection: every simulated attack scenario and the real captures of ../shared/pcaps",
                """
                Usage: eastwatch evaluate [--containers 1000] [--hosts 20] [--seed 1] [--scenarios all|a,b]
                                          [--real yes|no|only] [--shared ../shared] [--work DIR]

                Prints per scenario: detected, the container named, time to detect, false positives;
                then the real scan captures (scanner flagged, negative controls quiet).
                """, "io.eastwatch.sim.eval.EvalMain"));
        add(new DelegatedSubcommand("sim",
                "generate a simulated cluster capture, inventory and ground truth",
                """
                Usage: eastwatch sim generate --containers N --hosts H --scenario NAME|none --seed S --out DIR
                                              [--duration 12m] [--learn 5m] [--attack-at 7m]
                """, "io.eastwatch.sim.SimMain"));
        add(new DelegatedSubcommand("standalone",
                "embedded Kafka, an agent on this host's container interfaces and a collector, for trying it out",
                """
                Usage: eastwatch standalone [--learn 60s] [--data-dir DIR] [--interfaces IF,IF] [--duration D]

                Starts an embedded Kafka broker, an agent on this host's container interfaces and a
                collector in one process; prints where the API, metrics and alert log are, and every
                alert as it is raised. Stop it with Ctrl-C.
                """, "io.eastwatch.launcher.standalone.StandaloneCommand"));
        add(new DelegatedSubcommand("lab",
                "real containers, ordinary traffic and a real attacker (nmap, password guessing): see eastwatch catch it",
                """
                Usage: eastwatch lab [--containers 45] [--learn DURATION] [--attacker NAME] [--detect-timeout 60s]

                Brings up N Docker containers on this host on a private bridge (scripts/lab/ewlab.sh), runs
                HTTP, database, DNS and scraper traffic among them, lets eastwatch learn it, then scans the
                lab with nmap and guesses passwords from one container. Prints the alerts, the time to
                detect and any container falsely flagged; removes everything it created. Needs root.
                """, "io.eastwatch.launcher.lab.LabCommand"));
    }

    void add(Subcommand c) {
        commands.put(c.name(), c);
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs one command line; returns the exit status instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Main().dispatch(args, out, err);
    }

    int dispatch(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return ExitStatus.USAGE;
        }
        String name = args[0];
        if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
            out.print(usage());
            return ExitStatus.OK;
        }
        if (name.equals("--version") || name.equals("version")) {
            out.println("eastwatch " + version());
            return ExitStatus.OK;
        }
        Subcommand c = commands.get(name);
        if (c == null) {
            err.println("eastwatch: unknown command '" + name + "'");
            err.print(usage());
            return ExitStatus.USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return c.run(rest, out, err);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return ExitStatus.USAGE;
        } catch (ConfigException e) {
            err.println("eastwatch " + name + ": " + e.getMessage());
            return ExitStatus.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("eastwatch " + name + ": interrupted");
            return ExitStatus.RUNTIME_FAILURE;
        } catch (Exception | LinkageError e) {
            LOG.error("eastwatch {} failed", name, e);
            err.println("eastwatch " + name + ": " + e);
            return ExitStatus.RUNTIME_FAILURE;
        }
    }

    /** The launcher jar's Implementation-Version; "development" when run from classes, not a jar. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    String usage() {
        StringBuilder sb = new StringBuilder("""
                Usage: eastwatch <command> [options]

                eastwatch finds the container that attacks sideways: agents turn container east-west
                traffic into flow records on Kafka, collectors learn per-workload baselines and alert.

                Commands:
                """);
        for (Subcommand c : commands.values()) {
            sb.append("  ").append(c.name()).append(" ".repeat(12 - c.name().length())).append(c.summary()).append('\n');
        }
        sb.append("""

                Run 'eastwatch <command> --help' for a command's options.
                Exit status: 0 success, 2 bad usage or configuration, 1 runtime failure.
                """);
        return sb.toString();
    }
}
