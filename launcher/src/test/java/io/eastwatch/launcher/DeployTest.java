package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/: the systemd units pass systemd-analyze, the agent holds only the capabilities capture
 * needs and the collector none; the default configs load. The installed package is checked by
 * DebPackageIT (dist module).
 */
class DeployTest {

    private static final Path ROOT = Path.of(System.getProperty("eastwatch.root", "..")).toAbsolutePath().normalize();

    /** Hardening both units share. */
    private static final List<String> HARDENING = List.of(
            "User=eastwatch",
            "Group=eastwatch",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "StateDirectory=eastwatch",
            "WorkingDirectory=/var/lib/eastwatch",
            "RestrictSUIDSGID=yes",
            "RestartPreventExitStatus=2");

    @Test
    void defaultAgentConfigLoads() {
        MainTest.Outcome r = MainTest.launch("agent", "--config", ROOT.resolve("deploy/agent.yaml").toString(), "--check");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ops.bind_address = 127.0.0.1"), r.out());
        assertTrue(r.out().contains("export.state_dir = /var/lib/eastwatch"), r.out());
    }

    @Test
    void defaultCollectorConfigLoads() throws Exception {
        CollectorConfig c = CollectorConfig.load(ROOT.resolve("deploy/collector.yaml"));
        assertEquals("127.0.0.1:9092", c.ingest().bootstrapServers());
        MainTest.Outcome r = MainTest.launch("collector", "--config", ROOT.resolve("deploy/collector.yaml").toString(), "--check");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("configuration OK"), r.out());
        assertEquals("eastwatch-collector", c.ingest().groupId());
        assertEquals("127.0.0.1:9465", c.metricsListen(), "ops stay on loopback by default");
        assertTrue(c.apiTokens().isEmpty(), "no API without tokens the operator chose");
        assertTrue(c.webhooks().isEmpty());
    }

    @Test
    void agentUnitHasOnlyCaptureCapabilitiesAndHardening() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("deploy/eastwatch-agent.service"));
        for (String expected : List.of(
                "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN",
                "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN",
                "ExecStart=/usr/bin/eastwatch agent --config /etc/eastwatch/agent.yaml")) {
            assertTrue(lines.contains(expected), "missing: " + expected);
        }
        assertHardened(lines);
    }

    @Test
    void collectorUnitHasNoCapabilityAndHardening() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("deploy/eastwatch-collector.service"));
        for (String expected : List.of(
                "CapabilityBoundingSet=",
                "AmbientCapabilities=",
                "ProtectProc=invisible",
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                "ExecStartPre=/usr/bin/eastwatch collector --config /etc/eastwatch/collector.yaml --check",
                "ExecStart=/usr/bin/eastwatch collector --config /etc/eastwatch/collector.yaml")) {
            assertTrue(lines.contains(expected), "missing: " + expected);
        }
        assertTrue(lines.stream().noneMatch(l -> l.contains("CAP_")), "the collector needs no capability");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("SupplementaryGroups")), "no extra group");
        assertHardened(lines);
    }

    private static void assertHardened(List<String> lines) {
        for (String expected : HARDENING) {
            assertTrue(lines.contains(expected), "missing: " + expected);
        }
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("User=root") || l.startsWith("DynamicUser")), "never root");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("StandardOutput") || l.startsWith("StandardError")),
                "logs go to the journal (the default)");
        assertEquals(1, lines.stream().filter(l -> l.startsWith("ExecStart=")).count());
    }

    /**
     * systemd-analyze checks the units' syntax and that their commands exist; the units name the
     * packaged /usr/bin/eastwatch, so copies pointing at this checkout's script are verified.
     */
    @Test
    void systemdAnalyzeVerifies(@TempDir Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assertTrue(Files.isExecutable(analyze), "systemd-analyze is missing: apt-get install -y systemd");
        List<String> names = List.of("eastwatch-agent.service", "eastwatch-collector.service");
        List<String> command = new java.util.ArrayList<>(List.of(analyze.toString(), "verify"));
        for (String name : names) {
            String unit = Files.readString(ROOT.resolve("deploy").resolve(name));
            assertTrue(unit.contains("/usr/bin/eastwatch "), name);
            Path copy = dir.resolve(name);
            Files.writeString(copy, unit.replace("/usr/bin/eastwatch ", ROOT.resolve("eastwatch") + " "));
            command.add(copy.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze hung");
        assertEquals(0, p.exitValue(), output);
        for (String name : names) {
            assertTrue(output.lines().noneMatch(l -> l.contains(name)), "warnings about " + name + ":\n" + output);
        }
    }
}
