package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eastwatch.collector.alert.Alert;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eastwatch replay}: usage errors, and real captures through agent, embedded Kafka and collector. */
class ReplayCommandTest {

    @TempDir
    Path dir;

    static Path scans() {
        String shared = System.getProperty("eastwatch.shared");
        return (shared != null ? Path.of(shared) : Path.of("..", "shared")).resolve("pcaps").resolve("scans");
    }

    /** The two hosts of port_scan_10ports.pcap as containers of two workloads. */
    private Path inventory() throws Exception {
        Path inv = dir.resolve("inventory.json");
        Files.writeString(inv, """
                {"containers": [
                 {"id": "aaaa000000000000000000000000000000000000000000000000000000000001", "name": "scanner-1",
                  "image": "lab/scanner:1", "workload": "lab/scanner", "host": "node-1", "ips": ["192.168.2.154"],
                  "started": "2000-01-01T00:00:00Z", "stopped": null},
                 {"id": "bbbb000000000000000000000000000000000000000000000000000000000002", "name": "target-1",
                  "image": "lab/target:1", "workload": "lab/target", "host": "node-2", "ips": ["192.168.2.22"],
                  "started": "2000-01-01T00:00:00Z", "stopped": null}]}
                """);
        return inv;
    }

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void badUsageExitsWithTwoAndNamesTheOption() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(out, err, "replay"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--pcap"), err.toString(StandardCharsets.UTF_8));

        Path pcap = scans().resolve("port_scan_10ports.pcap");
        err.reset();
        assertEquals(2, run(out, err, "replay", "--pcap", pcap.toString(), "--learn", "five minutes"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--learn"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run(out, err, "replay", "--pcap", dir.resolve("missing.pcap").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.pcap"));
        err.reset();
        assertEquals(2, run(out, err, "replay", "--pcap", pcap.toString(), "--webhook", "ftp://127.0.0.1:9/x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--webhook"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run(out, err, "replay", "--pcap", pcap.toString(), "--frobnicate", "1"));
    }

    @Test
    void aTenPortScanBecomesAPortScanAlertInTheAlertsFile() throws Exception {
        Path pcap = scans().resolve("port_scan_10ports.pcap");
        assertTrue(Files.isReadable(pcap), "shared capture missing: " + pcap);
        Path alerts = dir.resolve("alerts.jsonl");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = run(out, err, "replay", "--pcap", pcap.toString(), "--inventory", inventory().toString(),
                "--learn", "0s", "--alerts-out", alerts.toString());
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        String summary = out.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("10 packets"), summary);

        List<String> lines = Files.readAllLines(alerts);
        assertFalse(lines.isEmpty(), "no alert written; stdout: " + summary);
        ObjectMapper json = new ObjectMapper();
        boolean scan = false;
        for (String line : lines) {
            JsonNode a = json.readTree(line);
            assertEquals("192.168.2.154", a.get("source").get("ip").asText(), line);
            assertEquals("lab/scanner", a.get("source").get("workload").asText(), line);
            assertTrue(a.get("first_seen").asText().startsWith("20"), line);
            scan |= a.get("detector").asText().equals("port-scan");
        }
        assertTrue(scan, "no port-scan alert: " + lines);
    }

    @Test
    void alertsAreDeliveredToTheWebhook() throws Exception {
        Path pcap = scans().resolve("port_scan_10ports.pcap");
        java.util.List<String> bodies = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = run(out, err, "replay", "--pcap", pcap.toString(), "--inventory", inventory().toString(),
                    "--learn", "0s", "--webhook", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook");
            assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
            String summary = out.toString(StandardCharsets.UTF_8);
            assertTrue(summary.contains("delivered, 0 dead-lettered"), summary);
            assertFalse(bodies.isEmpty(), "nothing reached the webhook: " + summary);
            JsonNode a = new ObjectMapper().readTree(bodies.get(0));
            assertEquals("192.168.2.154", a.get("source").get("ip").asText());
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void replayingTheSameCaptureTwiceGivesTheSameAlerts() throws Exception {
        Path pcap = scans().resolve("nmap_sU_2hosts_150ports_attacker.pcap");
        assertTrue(Files.isReadable(pcap), "shared capture missing: " + pcap);
        Path inv = dir.resolve("inv.json");
        Files.writeString(inv, """
                {"containers": [
                 {"id": "c1", "name": "a-101", "image": "lab/a:1", "workload": "lab/a", "host": "n1", "ips": ["192.168.56.101"],
                  "started": "2000-01-01T00:00:00Z", "stopped": null},
                 {"id": "c2", "name": "b-102", "image": "lab/b:1", "workload": "lab/b", "host": "n1", "ips": ["192.168.56.102"],
                  "started": "2000-01-01T00:00:00Z", "stopped": null},
                 {"id": "c3", "name": "b-103", "image": "lab/b:1", "workload": "lab/b", "host": "n2", "ips": ["192.168.56.103"],
                  "started": "2000-01-01T00:00:00Z", "stopped": null}]}
                """);
        try (EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(dir.resolve("kafka")))) {
            kafka.start();
            ReplayCommand.Options o = new ReplayCommand.Options(pcap, inv, Duration.ZERO, null);
            ReplayCommand.Result first = ReplayCommand.replay(o, kafka);
            ReplayCommand.Result second = ReplayCommand.replay(o, kafka);
            assertEquals(first.flowsExported(), first.flowsConsumed());
            assertTrue(first.flowsExported() > 150, "flows: " + first.flowsExported());
            assertFalse(first.alerts().isEmpty());
            assertEquals(render(first.alerts()), render(second.alerts()));
        }
    }

    private static List<String> render(List<Alert> alerts) {
        return alerts.stream().map(a -> a.id() + " " + a.detector() + " " + a.firstSeen() + " " + a.detectedAt()
                + " " + a.summary()).toList();
    }
}
