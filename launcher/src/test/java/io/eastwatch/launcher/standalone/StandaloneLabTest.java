package io.eastwatch.launcher.standalone;

import io.eastwatch.testkit.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.alert.Alert;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone against real containers: a container this test starts on the shared lab's network
 * talks to the lab's web and db services while eastwatch learns, then becomes the rogue: the host's
 * nmap runs inside its network namespace against the lab's containers (and nothing else). The
 * alert must name it on the console, in the alert log and through the API, and the stop must
 * leave no flow record unjudged.
 */
class StandaloneLabTest {

    private static final Duration LEARN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void flagsARealScanFromAContainerByNameEverywhereAndStopsWithoutLosingAFlow() throws Exception {
        Lab.ensureUp();
        Lab.removeByPrefix("ewt-sa-");
        List<String> targets = Lab.labContainers();
        assertTrue(targets.size() >= 3, "lab containers on " + Lab.NETWORK + ": " + targets);
        String rogue = "ewt-sa-rogue-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        // normal life: the lab's own client workload, every second a page from web and a line to db
        Lab.run(60, "docker", "run", "-d", "--name", rogue, "--network", Lab.NETWORK,
                "--label", "com.docker.compose.project=ewt-sa", "--label", "com.docker.compose.service=rogue",
                "lab/client:1", "sh", "-c",
                "end=$(( $(date +%s) + 120 )); while [ $(date +%s) -lt $end ]; do timeout 2 wget -q -O /dev/null http://web/;"
                        + " echo hello | timeout 2 nc db 5432 >/dev/null; sleep 1; done");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        Standalone s = null;
        try {
            int pid = Integer.parseInt(Lab.run(30, "docker", "inspect", "-f", "{{.State.Pid}}", rogue));
            String self = Lab.run(30, "docker", "inspect", "-f",
                    "{{with index .NetworkSettings.Networks \"" + Lab.NETWORK + "\"}}{{.IPAddress}}{{end}}", rogue);
            targets.remove(self);

            // the rogue's own veth carries all it sends; auto-discovery would also open the veths of
            // every other container on this shared machine (hundreds while a scaled lab runs), and the
            // bridge device shows forwarded frames only in promiscuous mode
            String veth = Lab.hostVeth(rogue);
            s = Standalone.start(StandaloneOptions.defaults().withDataDir(dir.resolve("data")).withLearn(LEARN)
                    .withPorts(0, 0).withInterfaces(List.of(veth)));
            s.addAlertListener(new AlertConsole(out));
            String where = s.describe();
            assertTrue(where.contains(s.apiUri().toString()) && where.contains(s.apiToken())
                    && where.contains(s.alertLog().toString()) && where.contains(s.agentMetricsUri().toString()), where);
            assertEquals(List.of(veth), s.interfaces());

            // learning: wall clock is a stand-in for event time here, plus the flows' export delay
            Thread.sleep(LEARN.plusSeconds(4).toMillis());
            assertTrue(s.alerts().stream().noneMatch(a -> rogue.equals(a.source().name())),
                    "no alert on the rogue before it misbehaves: " + s.alerts());

            List<String> nmap = new ArrayList<>(List.of("nsenter", "-t", Integer.toString(pid), "-n", "nmap", "-sS", "-n",
                    "-Pn", "--max-retries", "1", "-p", "22,80,443,3306,5432,6379,8080"));
            nmap.addAll(targets);
            Lab.run(60, nmap.toArray(new String[0]));

            Optional<Alert> alert = s.awaitAlert(a -> rogue.equals(a.source().name()), Duration.ofSeconds(25));
            assertTrue(alert.isPresent(), "an alert naming " + rogue + "; got " + s.alerts());
            assertEquals("ewt-sa/rogue", alert.get().source().workload());

            String line = console.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains(" ALERT ") && l.contains(rogue)).findFirst().orElse(null);
            assertNotNull(line, "a console line for " + rogue + " in:\n" + console);
            assertTrue(line.contains("(ewt-sa/rogue)") && line.contains(alert.get().detector())
                    && line.contains(alert.get().severity().json()), line);

            assertTrue(Files.readAllLines(s.alertLog()).stream()
                    .anyMatch(l -> l.contains("\"" + alert.get().id() + "\"") && l.contains(rogue)), "alert log");

            HttpClient http = HttpClient.newHttpClient();
            String body = awaitApi(http, s, rogue);
            assertTrue(body.contains(alert.get().id()), body);
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(s.apiUri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode(), "the API wants the token");
            assertTrue(get(http, s.agentMetricsUri()).contains("eastwatch_agent_"), "agent metrics");
            assertTrue(get(http, s.collectorMetricsUri()).contains("eastwatch_collector_"), "collector metrics");
        } finally {
            try {
                if (s != null) {
                    s.close();
                }
            } finally {
                Lab.run(60, "docker", "rm", "-f", rogue);
            }
        }
        assertTrue(s.failure() == null, "no part failed: " + s.failure());
        Standalone.Drain drain = s.drain();
        assertNotNull(drain);
        assertTrue(drain.complete() && drain.flowRecords() > 0, "every flow record judged before Kafka stopped: " + drain);
    }

    private static String awaitApi(HttpClient http, Standalone s, String rogue) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(s.apiUri())
                    .header("Authorization", "Bearer " + s.apiToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            body = r.body();
            if (body.contains(rogue)) {
                return body;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the API never listed an alert naming " + rogue + ": " + body);
    }

    private static String get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), uri.toString());
        return r.body();
    }
}
