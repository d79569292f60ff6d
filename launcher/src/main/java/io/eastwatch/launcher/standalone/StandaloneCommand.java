package io.eastwatch.launcher.standalone;

import io.eastwatch.daemon.CommandLine;
import io.eastwatch.daemon.ExitStatus;
import io.eastwatch.daemon.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code eastwatch standalone}: {@link Standalone} from the command line. Prints where everything
 * is, then every alert as one line as it is raised and as it escalates, until Ctrl-C / SIGTERM or
 * {@code --duration}; stops without losing a flow. Exit status 0 after a clean stop, 2 for bad
 * usage (the message names the option), 1 when a part failed at run time.
 */
public final class StandaloneCommand {

    static final String USAGE = "Usage: eastwatch standalone [--learn 60s] [--data-dir DIR] [--interfaces IF,IF]\n"
            + "                            [--api-port 9465] [--agent-metrics-port 9470] [--bind 127.0.0.1]\n"
            + "                            [--api-token-file FILE] [--duration DURATION]\n";

    private static final CommandLine CLI = new CommandLine("eastwatch standalone")
            .option("learn", "DURATION", "learning phase, from the first flow (default 60s; e.g. 90s, 10m, PT1H)")
            .option("data-dir", "DIR", "Kafka log, agent state, alert log (default: a new directory under "
                    + System.getProperty("java.io.tmpdir") + "; a reused DIR keeps the learnt baselines)")
            .option("interfaces", "IF,IF", "capture these interfaces only (default: auto-discover container veths"
                    + " and bridges)")
            .option("api-port", "PORT", "collector: /api/v1, /metrics, /healthz, /readyz (default 9465; 0: any free port)")
            .option("agent-metrics-port", "PORT", "agent: /metrics, /healthz (default 9470; 0: any free port)")
            .option("bind", "ADDRESS", "address of the API and metrics servers (default 127.0.0.1)")
            .option("api-token-file", "FILE", "API bearer token read from FILE (default: EASTWATCH_API_TOKEN, else"
                    + " generated and printed)")
            .option("duration", "DURATION", "stop by itself after this long (default: run until Ctrl-C or SIGTERM)");

    private StandaloneCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        Map<String, String> o = CLI.parse(args);
        if (o.containsKey("help")) {
            out.print(USAGE + """

                    Runs eastwatch on this host in one process: an embedded single-node Kafka (KRaft), the
                    agent capturing this host's container interfaces, and the collector with its alerts API.
                    Prints where the API, the metrics and the alert log are, then every alert as one line
                    when it is raised and when it escalates. Ctrl-C stops it without losing a flow.

                    """ + CLI.optionsHelp());
            return ExitStatus.OK;
        }
        StandaloneOptions options = options(o);
        quietLogs();
        Duration runFor = o.containsKey("duration") ? duration("duration", o.get("duration")) : null;

        out.println("eastwatch standalone: starting Kafka, collector and agent (data in " + options.dataDir() + ")");
        Standalone s = Standalone.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            out.println("eastwatch standalone: stopping (agent flushes its flows, collector judges them)...");
            try {
                s.close();
                printStopped(s, out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                out.flush();
                stopped.countDown();
            }
        }, "eastwatch-standalone-stop");
        try {
            s.addAlertListener(new AlertConsole(out));
            out.print(s.describe());
            out.println("Learning normal traffic for " + Standalone.human(options.learn()) + "; alerts appear below."
                    + " Ctrl-C stops.");
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        long deadline = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
        try {
            while (s.failure() == null && System.nanoTime() < deadline) {
                if (stopped.await(200, TimeUnit.MILLISECONDS)) {
                    return ExitStatus.OK; // a signal: the hook stopped everything
                }
            }
        } catch (InterruptedException e) {
            // an embedding caller's interrupt stops as gracefully as Ctrl-C; the status says it was cut short
            Thread.currentThread().interrupt();
        }
        Throwable failure = s.failure();
        boolean ours;
        try {
            ours = Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            ours = false;
        }
        if (!ours) {
            stopped.await(60, TimeUnit.SECONDS);
            return ExitStatus.OK;
        }
        boolean interrupted = Thread.interrupted();
        s.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        printStopped(s, out);
        if (failure != null) {
            err.println("eastwatch standalone: " + failure);
            return ExitStatus.RUNTIME_FAILURE;
        }
        return interrupted ? ExitStatus.RUNTIME_FAILURE : ExitStatus.OK;
    }

    /**
     * The console is for a person: the banner and the alerts. Warnings and errors still show; the
     * daemons' INFO lines (effective configuration, every interface opened, Kafka's partition
     * changes) would bury the alerts. slf4j-simple fixes a logger's level when the logger is
     * created, so this runs before the pipeline's classes log; a level given in EASTWATCH_OPTS
     * (-Dorg.slf4j.simpleLogger.log.io.eastwatch=info) wins.
     */
    public static void quietLogs() {
        for (String name : new String[] {"io.eastwatch", "state.change.logger", "kafka", "org.apache.kafka"}) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
    }

    private static void printStopped(Standalone s, PrintStream out) {
        long alerts = s.alerts().stream().map(a -> a.id()).distinct().count();
        Standalone.Drain d = s.drain();
        out.println("eastwatch standalone: stopped; " + alerts + " alert(s) in " + s.alertLog() + "; "
                + (d == null ? "flows not drained (a part had failed)"
                        : d.complete() ? "all " + d.flowRecords() + " flow records judged"
                        : (d.flowRecords() - d.judged()) + " of " + d.flowRecords()
                                + " flow records left unjudged in " + s.dataDir()));
    }

    static StandaloneOptions options(Map<String, String> o) throws IOException {
        StandaloneOptions d = StandaloneOptions.defaults();
        Duration learn = o.containsKey("learn") ? duration("learn", o.get("learn")) : d.learn();
        Path dir = o.containsKey("data-dir") ? Path.of(o.get("data-dir")) : d.dataDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("eastwatch standalone: --data-dir " + dir + ": not a directory");
        }
        List<String> interfaces = o.containsKey("interfaces")
                ? Arrays.stream(o.get("interfaces").split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList()
                : List.of();
        if (o.containsKey("interfaces") && interfaces.isEmpty()) {
            throw new UsageException("eastwatch standalone: --interfaces '" + o.get("interfaces")
                    + "': no interface named (expected: IF[,IF...])");
        }
        int api = o.containsKey("api-port") ? port("api-port", o.get("api-port")) : d.apiPort();
        int agent = o.containsKey("agent-metrics-port") ? port("agent-metrics-port", o.get("agent-metrics-port"))
                : d.agentMetricsPort();
        if (api != 0 && api == agent) {
            throw new UsageException("eastwatch standalone: --agent-metrics-port " + agent
                    + ": the same port as --api-port (expected: another port)");
        }
        String token = null;
        if (o.containsKey("api-token-file")) {
            Path f = Path.of(o.get("api-token-file"));
            if (!Files.isReadable(f)) {
                throw new UsageException("eastwatch standalone: --api-token-file " + f + ": not a readable file");
            }
            token = Files.readString(f, StandardCharsets.UTF_8).strip();
        } else if (System.getenv("EASTWATCH_API_TOKEN") != null && !System.getenv("EASTWATCH_API_TOKEN").isBlank()) {
            token = System.getenv("EASTWATCH_API_TOKEN").strip();
        }
        try {
            return new StandaloneOptions(learn, dir, interfaces, o.getOrDefault("bind", d.bindAddress()), api, agent,
                    token);
        } catch (IllegalArgumentException e) {
            throw new UsageException("eastwatch standalone: " + e.getMessage());
        }
    }

    private static int port(String option, String v) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new UsageException("eastwatch standalone: --" + option + " " + v + ": not a port (expected: 0..65535)");
    }

    static Duration duration(String option, String v) {
        try {
            Duration d;
            if (v.startsWith("P") || v.startsWith("p")) {
                d = Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                d = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new NumberFormatException(v);
                };
            }
            if (!d.isNegative()) {
                return d;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // reported below with the option's name
        }
        throw new UsageException("eastwatch standalone: --" + option + " " + v
                + ": not a duration (expected e.g. 60s, 5m, 1h, PT90S)");
    }
}
