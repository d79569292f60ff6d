package io.eastwatch.launcher.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.detect.Severity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One console line when an alert is raised and one when it escalates; evidence-only revisions stay quiet. */
class AlertConsoleTest {

    private static final Alert.Source ROGUE = new Alert.Source("3759aa1d", "web-00-3759aa1d", "shop/web-00",
            "registry.local/shop/web-00:1.4.2", "node-05", "10.244.5.57");

    private static Alert revision(String id, Severity severity, int revision, List<String> stageDetectors, String summary) {
        Instant t = Instant.parse("2026-01-08T19:14:17.929Z");
        List<Alert.Stage> stages = stageDetectors.stream()
                .map(d -> new Alert.Stage("stage-" + d, d, 1, t, t, severity, 0.9, List.of(), summary, Map.of())).toList();
        return new Alert(id, "port-scan", Alert.Kind.DETECTION, severity, 0.9, t, t, ROGUE, null, Map.of(),
                List.of("T1046"), summary, revision, stages, null);
    }

    @Test
    void raisedAndEscalatedPrintOneLineEachAndEvidenceOnlyRevisionsDoNot() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AlertConsole console = new AlertConsole(new PrintStream(buf, true, StandardCharsets.UTF_8));
        console.onAlert(revision("a1", Severity.HIGH, 1, List.of("port-scan"), "probed 37 addresses on port 22"));
        console.onAlert(revision("a1", Severity.HIGH, 2, List.of("port-scan"), "probed 52 addresses on port 22"));
        console.onAlert(revision("a1", Severity.HIGH, 3, List.of("port-scan", "brute-force"), "then guessed passwords"));
        console.onAlert(revision("a1", Severity.CRITICAL, 4, List.of("port-scan", "brute-force"), "and more"));
        console.onAlert(revision("a2", Severity.MEDIUM, 1, List.of(), "another incident"));

        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d ALERT +high +web-00-3759aa1d \\(shop/web-00\\)  port-scan  "
                + "probed 37 addresses on port 22"), lines.get(0));
        assertTrue(lines.get(1).contains("ESCALATED") && lines.get(1).contains("port-scan > brute-force")
                && lines.get(1).endsWith("then guessed passwords"), lines.get(1));
        assertTrue(lines.get(2).contains("ESCALATED critical"), lines.get(2));
        assertTrue(lines.get(3).contains("ALERT     medium") && lines.get(3).endsWith("another incident"), lines.get(3));
    }

    @Test
    void aHealthAlertNamesTheHost() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AlertConsole console = new AlertConsole(new PrintStream(buf, true, StandardCharsets.UTF_8));
        Instant t = Instant.parse("2026-01-08T19:14:17.929Z");
        console.onAlert(new Alert("h1", "agent-silent", Alert.Kind.HEALTH, Severity.MEDIUM, 0.5, t, t,
                new Alert.Source(null, null, null, null, "node-05", null), null, Map.of(), List.of(),
                "the agent on node-05 has been silent for 60 s", 1, List.of(), null));
        String line = buf.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.contains("HEALTH") && line.contains("host node-05") && line.contains("agent-silent"), line);
    }
}
