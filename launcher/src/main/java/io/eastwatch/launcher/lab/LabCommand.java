package io.eastwatch.launcher.lab;

import io.eastwatch.daemon.CommandLine;
import io.eastwatch.daemon.ExitStatus;
import io.eastwatch.daemon.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * {@code eastwatch lab}: real containers on this host, ordinary service traffic among them,
 * eastwatch learning it, then a real attacker (nmap from one container's network namespace, then
 * password guessing from inside it); prints the alerts, the time from attack to alert and whether
 * any other container was flagged, and tears everything down. Exit status 0 when the attacker and
 * only the attacker was named, 1 otherwise (or on a failure), 2 for bad usage.
 */
public final class LabCommand {

    static final String USAGE = "Usage: eastwatch lab [--containers 45] [--learn DURATION] [--attacker NAME]"
            + " [--detect-timeout 60s]\n";

    private static final CommandLine CLI = new CommandLine("eastwatch lab")
            .option("containers", "N", "containers to start (at least 5; default 45): 1 dns, 1 scraper, then web,"
                    + " db and client replicas in turn")
            .option("learn", "DURATION", "how long eastwatch learns the normal traffic before the attack (default: 60 s"
                    + " plus two client rounds, about 70s)")
            .option("attacker", "NAME", "the container that attacks (default: the first client, ewlab-client-005)")
            .option("detect-timeout", "DURATION", "how long to wait for the alert after the attack began (default 60s)")
            .option("subnet", "CIDR", "the lab network's subnet (default 172.28.0.0/20; must be unused on this host)");

    private LabCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        // the lab's console is for a person, as standalone's: the progress lines and the alerts
        io.eastwatch.launcher.standalone.StandaloneCommand.quietLogs();
        Map<String, String> o = CLI.parse(args);
        if (o.containsKey("help")) {
            out.print(USAGE + """

                    Brings up N real Docker containers on this host (scripts/lab/ewlab.sh: its own internal
                    bridge br-ewlab, no forwarding, nothing leaves the host), runs ordinary traffic among
                    them (HTTP servers and clients, a database login service, DNS, a scraper that touches
                    every container), lets eastwatch (embedded Kafka, agent on the lab bridge, collector)
                    learn it, then attacks from one container: an nmap scan of the lab from its network
                    namespace and password guessing against a db replica's admin login. Prints the alerts,
                    the time from the attack to the first alert naming the attacker, and any other
                    container flagged; then removes everything it created. Needs root, Docker (a running
                    dockerd is reused), nmap, dnsmasq and busybox-static (scripts/install-deps.sh).

                    """ + CLI.optionsHelp());
            return ExitStatus.OK;
        }
        int n = o.containsKey("containers") ? intOption("containers", o.get("containers"), 5, 1000) : LabRun.DEFAULT_CONTAINERS;
        LabRun.Settings s = LabRun.Settings.forSize(n);
        if (o.containsKey("learn")) {
            Duration learn = duration("learn", o.get("learn"));
            long min = LabRun.Settings.minLearnSeconds(s.interval(), s.scrapeInterval());
            if (learn.toSeconds() < min) {
                throw new UsageException("eastwatch lab: --learn " + o.get("learn") + ": (expected: at least " + min
                        + "s for " + n + " containers: the collector learns connection rates from 60 s windows)");
            }
            s = s.withLearn(learn);
        }
        if (o.containsKey("detect-timeout")) {
            s = s.withDetectTimeout(duration("detect-timeout", o.get("detect-timeout")));
        }
        if (o.containsKey("attacker")) {
            String a = o.get("attacker");
            if (!a.matches("ewlab-[a-z]+-[0-9]{3}")) {
                throw new UsageException("eastwatch lab: --attacker " + a + ": not a lab container name (expected:"
                        + " ewlab-<role>-NNN, e.g. ewlab-client-005)");
            }
            s = s.withAttacker(a);
        }
        if (o.containsKey("subnet")) {
            String c = o.get("subnet");
            if (!c.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}")) {
                throw new UsageException("eastwatch lab: --subnet " + c + ": not an IPv4 CIDR (expected e.g. 172.28.0.0/20)");
            }
            s = s.withSubnet(c);
        }
        Path script = LabScript.locate();
        if (script == null) {
            err.println("eastwatch lab: scripts/lab/ewlab.sh not found beside this installation"
                    + " (set -Deastwatch.lab.script=PATH)");
            return ExitStatus.RUNTIME_FAILURE;
        }
        LabRun.Result r = new LabRun(s, script, LabScript.DEFAULT_STATE, out).run();
        return r.verdict() != null && r.verdict().clean() ? ExitStatus.OK : ExitStatus.RUNTIME_FAILURE;
    }

    private static int intOption(String name, String v, int min, int max) {
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below with the expected range
        }
        throw new UsageException("eastwatch lab: --" + name + " " + v + ": (expected: a number from " + min + " to " + max + ")");
    }

    static Duration duration(String name, String v) {
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            long k = Long.parseLong(v.substring(0, v.length() - 1));
            Duration d = switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(k);
                case 'm' -> Duration.ofMinutes(k);
                case 'h' -> Duration.ofHours(k);
                default -> throw new NumberFormatException(v);
            };
            if (d.isNegative()) {
                throw new NumberFormatException(v);
            }
            return d;
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new UsageException("eastwatch lab: --" + name + " " + v + ": not a duration (expected e.g. 90s, 2m, PT1M)");
        }
    }
}
