package io.eastwatch.launcher.lab;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.launcher.Trees;
import io.eastwatch.launcher.standalone.AlertConsole;
import io.eastwatch.launcher.standalone.Standalone;
import io.eastwatch.launcher.standalone.StandaloneOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lab run, start to end: containers up, eastwatch on the lab bridge, learning, the attack,
 * the verdict, everything down. Teardown runs whatever happened (and from a shutdown hook on
 * Ctrl-C), so a failed run leaves no container, network, rule or sysctl behind.
 */
final class LabRun {

    private static final Logger LOG = LoggerFactory.getLogger(LabRun.class);
    static final int DEFAULT_CONTAINERS = 45;
    static final String BRIDGE = "br-ewlab";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /**
     * @param containers     lab size (at least 5: dns, scraper, web, db, client)
     * @param learn          learning phase; must cover a few client rounds and scrapes, or normal edges look new
     * @param detectTimeout  how long after the attack began to wait for the alert naming the attacker
     * @param attacker       the attacking container, or null for the first client
     * @param subnet         the lab network's subnet
     * @param interval       seconds between a client's rounds; longer costs less CPU at 200 containers but needs
     *                       a longer learning phase
     * @param scrapeInterval seconds between the scraper's rounds over every container
     */
    record Settings(int containers, Duration learn, Duration detectTimeout, String attacker, String subnet,
                    int interval, int scrapeInterval) {
        Settings {
            if (containers < 5) {
                throw new IllegalArgumentException("containers: " + containers + " (expected: >= 5)");
            }
            if (learn == null || learn.isNegative()) {
                throw new IllegalArgumentException("learn: " + learn + " (expected: >= 0s)");
            }
            if (detectTimeout == null || detectTimeout.toSeconds() < 1) {
                throw new IllegalArgumentException("detectTimeout: " + detectTimeout + " (expected: >= 1s)");
            }
            if (interval < 1 || scrapeInterval < 1) {
                throw new IllegalArgumentException("interval: " + interval + ", scrapeInterval: " + scrapeInterval
                        + " (expected: >= 1 s)");
            }
        }

        /**
         * Defaults that keep the traffic within a 2-core machine's means: about eight client rounds per
         * second whatever the size (every busybox command is a process: at 200 containers, 7 s rounds and
         * 6 s scrapes took 70 % of a core), and a learning phase that sees every client several times.
         */
        static Settings forSize(int n) {
            int clients = Math.max(1, (n - 2) / 3);
            int interval = Math.max(2, (clients + 7) / 8);
            int scrape = Math.max(5, Math.min(15, n / 13));   // 15 s: Prometheus' default at 200
            Duration learn = Duration.ofSeconds(minLearnSeconds(interval, scrape) + 5);
            return new Settings(n, learn, Duration.ofSeconds(60), null, "172.28.0.0/20", interval, scrape);
        }

        /**
         * The shortest learning that gives every edge a rate: the collector learns an edge's connections per
         * container from windows of {@code detection.window} (60 s) that closed while learning, so a shorter
         * phase leaves rates at zero and an ordinary client's few logins look like password guessing.
         */
        static long minLearnSeconds(int interval, int scrapeInterval) {
            return 60 + 2L * Math.max(interval, scrapeInterval);
        }

        Settings withLearn(Duration d) {
            return new Settings(containers, d, detectTimeout, attacker, subnet, interval, scrapeInterval);
        }

        Settings withDetectTimeout(Duration d) {
            return new Settings(containers, learn, d, attacker, subnet, interval, scrapeInterval);
        }

        Settings withAttacker(String a) {
            return new Settings(containers, learn, detectTimeout, a, subnet, interval, scrapeInterval);
        }

        Settings withSubnet(String s) {
            return new Settings(containers, learn, detectTimeout, attacker, s, interval, scrapeInterval);
        }
    }

    /** What happened, with the time each phase took (null for a phase not reached). */
    record Result(LabVerdict verdict, List<LabVerdict.Arrival> arrivals, Duration up, Duration learning,
                  Duration attack, Duration down, long hostUsedMbBefore, long hostUsedMbPeak, long jvmRssMb) {
    }

    private final Settings settings;
    private final LabScript script;
    private final PrintStream out;
    private final List<LabVerdict.Arrival> arrivals = new ArrayList<>();
    private final AlertConsole console;
    private boolean tornDown;
    private Result lastResult;

    LabRun(Settings settings, Path scriptPath, Path state, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.console = new AlertConsole(out);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EWLAB_SUBNET", settings.subnet());
        env.put("EWLAB_BRIDGE", BRIDGE);
        env.put("EWLAB_INTERVAL", Integer.toString(settings.interval()));
        env.put("EWLAB_SCRAPE_INTERVAL", Integer.toString(settings.scrapeInterval()));
        // the traffic loops end by themselves some time after the run should have ended
        long secs = settings.learn().toSeconds() + settings.detectTimeout().toSeconds() + 3L * settings.containers() + 900;
        env.put("EWLAB_TRAFFIC_SECS", Long.toString(secs));
        this.script = new LabScript(scriptPath, env, state, out);
    }

    Result run() throws IOException, InterruptedException {
        Thread hook = new Thread(this::teardownQuietly, "eastwatch-lab-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        Path data = Files.createTempDirectory("eastwatch-lab-");
        Standalone eastwatch = null;
        long usedBefore = hostUsedMb();
        long usedPeak = usedBefore;
        Duration up = null;
        Duration learning = null;
        Duration attack = null;
        LabVerdict verdict = null;
        try {
            long t0 = System.nanoTime();
            say("bringing up " + settings.containers() + " containers on " + BRIDGE + " (" + settings.subnet()
                    + "), client round every " + settings.interval() + " s, scrape every " + settings.scrapeInterval() + " s");
            // a loaded 2-core host starts a container in 0.3 s to several seconds
            script.run(300 + 6L * settings.containers(), "up", Integer.toString(settings.containers()));
            List<LabScript.Container> containers = script.containers();
            up = since(t0);
            String attacker = settings.attacker() != null ? settings.attacker()
                    : containers.stream().filter(c -> c.role().equals("client")).map(LabScript.Container::name)
                            .sorted().findFirst().orElseThrow(() -> new IOException("the lab has no client container"));
            Set<String> names = new TreeSet<>();
            containers.forEach(c -> names.add(c.name()));
            if (!names.contains(attacker)) {
                throw new IOException("attacker " + attacker + " is not a container of this lab (" + names.size()
                        + " containers: " + names.iterator().next() + " ...)");
            }
            say(containers.size() + " containers up in " + secs(up));

            long t1 = System.nanoTime();
            eastwatch = Standalone.start(StandaloneOptions.defaults().withDataDir(data.resolve("eastwatch"))
                    .withInterfaces(List.of(BRIDGE)).withLearn(settings.learn()).withPorts(0, 0));
            eastwatch.addAlertListener(this::onAlert);
            say("eastwatch running: embedded Kafka " + eastwatch.bootstrapServers() + ", agent capturing " + BRIDGE
                    + " only, collector API " + eastwatch.apiUri());
            Duration wait = settings.learn().plusSeconds(Math.max(8, 2L * settings.interval()));
            say("learning the normal traffic for " + secs(settings.learn()) + " (attack in " + secs(wait) + ")");
            long learnEnd = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < learnEnd) {
                Thread.sleep(Math.min(15_000, Math.max(1, (learnEnd - System.nanoTime()) / 1_000_000)));
                usedPeak = Math.max(usedPeak, hostUsedMb());
                checkAlive(eastwatch);
            }
            learning = since(t1);

            long t2 = System.nanoTime();
            Instant attackStart = Instant.now();
            say("ATTACK from " + attacker + ": nmap scan of the lab from its network namespace, then password guessing");
            script.run(300, "scan", attacker);
            try {
                script.run(300, "brute", attacker);
            } catch (IOException e) {
                // the scan alone must be caught; the verdict below says whether the guessing was seen
                say("the password guessing did not finish (" + e.getMessage() + "); judging what was seen");
            }
            Instant deadline = attackStart.plus(settings.detectTimeout());
            // wait for the attacker to be named, and for the guessing to be seen too (a later stage)
            while (Instant.now().isBefore(deadline) && !hasDetector(attacker, "brute-force")) {
                Thread.sleep(250);
                checkAlive(eastwatch);
            }
            Thread.sleep(3_000);   // a little longer: a false flag raised by the same traffic would show now
            usedPeak = Math.max(usedPeak, hostUsedMb());
            attack = since(t2);
            synchronized (arrivals) {
                verdict = LabVerdict.judge(attacker, attackStart, names, List.copyOf(arrivals));
            }
            report(verdict);
        } finally {
            long rss = jvmRssMb();
            if (eastwatch != null) {
                eastwatch.close();
            }
            long t3 = System.nanoTime();
            teardown();
            Duration down = since(t3);
            removeHook(hook);
            Trees.delete(data, "lab");
            say(String.format("phases: up %s, eastwatch start + learning %s, attack to verdict %s, teardown %s;"
                            + " host memory used %d MB before, %d MB at peak; eastwatch JVM RSS %d MB",
                    up == null ? "-" : secs(up), learning == null ? "-" : secs(learning),
                    attack == null ? "-" : secs(attack), secs(down), usedBefore, usedPeak, rss));
            LOG.debug("lab run done");
            lastResult = new Result(verdict, List.copyOf(arrivals), up, learning, attack, down, usedBefore, usedPeak, rss);
        }
        return lastResult;
    }

    private void report(LabVerdict v) {
        out.println();
        if (v.detected()) {
            Alert a = v.firstAlert();
            out.printf("DETECTED  %s named %.1f s after the attack began: %s %s (%s)%n", v.attacker(),
                    v.timeToAlert().toMillis() / 1000.0, a.severity().json(), a.detector(), a.summary());
            out.println("          detectors that named it: " + String.join(", ", v.detectors()));
        } else {
            out.printf("MISSED    no alert named %s within %s of the attack%n", v.attacker(), secs(settings.detectTimeout()));
        }
        if (v.falselyFlagged().isEmpty()) {
            out.println("NO FALSE FLAGS: no other container was named by any alert");
        } else {
            out.println("FALSELY FLAGGED: " + String.join(", ", v.falselyFlagged()));
        }
        for (String h : v.healthAlerts()) {
            out.println("health alert (eastwatch's own coverage): " + h);
        }
        out.println();
    }

    private void onAlert(Alert a) {
        synchronized (arrivals) {
            arrivals.add(new LabVerdict.Arrival(a, Instant.now()));
        }
        console.onAlert(a);
    }

    private boolean hasDetector(String container, String detector) {
        synchronized (arrivals) {
            for (LabVerdict.Arrival r : arrivals) {
                Alert a = r.alert();
                if (container.equals(a.source().name()) && (a.detector().equals(detector)
                        || a.stages().stream().anyMatch(s -> s.detector().equals(detector)))) {
                    return true;
                }
            }
            return false;
        }
    }

    private static void checkAlive(Standalone s) throws IOException {
        if (s.failure() != null) {
            throw new IOException("eastwatch stopped during the lab run: " + s.failure(), s.failure());
        }
    }

    private synchronized void teardown() {
        if (tornDown) {
            return;
        }
        tornDown = true;
        try {
            script.run(600, "down");
        } catch (IOException e) {
            out.println("[lab] teardown failed: " + e.getMessage() + "; run: bash " + "scripts/lab/ewlab.sh down");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("[lab] teardown interrupted; run: bash scripts/lab/ewlab.sh down");
        }
    }

    private void teardownQuietly() {
        teardown();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook has run or is running the same teardown
        }
    }

    private void say(String s) {
        out.println("[lab " + LocalTime.now(ZoneId.systemDefault()).format(TIME) + "] " + s);
        out.flush();
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static String secs(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    /** MemTotal - MemAvailable: what the host's processes hold, in MB. */
    static long hostUsedMb() {
        try {
            long total = 0;
            long avail = 0;
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (l.startsWith("MemTotal:")) {
                    total = kb(l);
                } else if (l.startsWith("MemAvailable:")) {
                    avail = kb(l);
                }
            }
            return (total - avail) / 1024;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static long jvmRssMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (l.startsWith("VmRSS:")) {
                    return kb(l) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
