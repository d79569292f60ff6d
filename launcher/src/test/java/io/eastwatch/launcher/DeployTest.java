package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/: the systemd unit passes systemd-analyze and holds only the capabilities capture needs; the default config loads. */
class DeployTest {

    private static final Path ROOT = Path.of(System.getProperty("eastwatch.root", "..")).toAbsolutePath().normalize();

    @Test
    void defaultConfigLoads() {
        MainTest.Outcome r = MainTest.launch("agent", "--config", ROOT.resolve("deploy/agent.yaml").toString(), "--check");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ops.bind_address = 127.0.0.1"), r.out());
        assertTrue(r.out().contains("export.state_dir = /var/lib/eastwatch"), r.out());
    }

    @Test
    void unitHasOnlyCaptureCapabilitiesAndHardening() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("deploy/eastwatch-agent.service"));
        for (String expected : List.of(
                "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN",
                "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN",
                "NoNewPrivileges=yes",
                "ProtectSystem=strict",
                "StateDirectory=eastwatch",
                "User=eastwatch",
                "RestartPreventExitStatus=2")) {
            assertTrue(lines.contains(expected), "missing: " + expected);
        }
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("User=root")), "never root");
        assertEquals(1, lines.stream().filter(l -> l.startsWith("ExecStart=")).count());
    }

    /**
     * systemd-analyze checks the unit's syntax and that its commands exist; the unit names the
     * installed path /opt/eastwatch, so a copy pointing at this checkout is verified.
     */
    @Test
    void systemdAnalyzeVerifies(@TempDir Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assertTrue(Files.isExecutable(analyze), "systemd-analyze is missing: apt-get install -y systemd");
        String unit = Files.readString(ROOT.resolve("deploy/eastwatch-agent.service"))
                .replace("/opt/eastwatch/", ROOT + "/");
        Path copy = dir.resolve("eastwatch-agent.service");
        Files.writeString(copy, unit);
        Process p = new ProcessBuilder(analyze.toString(), "verify", copy.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze hung");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.lines().noneMatch(l -> l.contains("eastwatch-agent.service")),
                "warnings about the unit:\n" + output);
    }
}
