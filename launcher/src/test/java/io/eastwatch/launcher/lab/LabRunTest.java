package io.eastwatch.launcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.testkit.TeeOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A scaled-down {@code eastwatch lab}: 9 real containers on this host's Docker (reused if one runs),
 * normal traffic, eastwatch learning it through the standalone pipeline (embedded Kafka, agent on
 * the lab bridge, collector), then nmap and password guessing from one client. The attacker must be
 * named and no other container; afterwards nothing of the lab may be left. Needs root, dockerd,
 * nmap, dnsmasq and busybox-static (scripts/install-deps.sh): it fails, not skips, without them.
 */
class LabRunTest {

    private static final Path SCRIPT = LabScript.locate();

    @Test
    void scanningContainerIsNamedWithinSecondsAndNoOtherIs() throws Exception {
        assertNotNull(SCRIPT, "scripts/lab/ewlab.sh not found");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeOutputStream(captured, System.out), true, StandardCharsets.UTF_8);
        // learning: the collector's 60 s rate windows plus two client rounds (the shortest that is right)
        LabRun.Settings s = LabRun.Settings.forSize(9);
        s = s.withLearn(Duration.ofSeconds(LabRun.Settings.minLearnSeconds(s.interval(), s.scrapeInterval())))
                .withDetectTimeout(Duration.ofSeconds(40));
        LabRun.Result r = new LabRun(s, SCRIPT, LabScript.DEFAULT_STATE, out).run();

        LabVerdict v = r.verdict();
        assertNotNull(v, captured.toString(StandardCharsets.UTF_8));
        assertEquals("ewlab-client-005", v.attacker());
        assertTrue(v.detected(), "the attacker was not named:\n" + captured.toString(StandardCharsets.UTF_8));
        assertTrue(v.timeToAlert().compareTo(Duration.ofSeconds(15)) < 0, "named only after " + v.timeToAlert());
        assertTrue(v.detectors().contains("port-scan"), "detectors: " + v.detectors());
        assertTrue(v.falselyFlagged().isEmpty(), "falsely flagged: " + v.falselyFlagged());
        assertTrue(v.beforeAttack().isEmpty(), "alerts before the attack: " + v.beforeAttack());
        String text = captured.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("DETECTED  ewlab-client-005 named"), text);
        assertTrue(text.contains("NO FALSE FLAGS"), text);

        assertNothingLeft();
    }

    /** Whatever happened above, the lab goes (down is idempotent). */
    @AfterAll
    static void teardown() throws Exception {
        if (SCRIPT != null) {
            new LabScript(SCRIPT, Map.of(), LabScript.DEFAULT_STATE, System.out).run(600, "down");
        }
    }

    private static void assertNothingLeft() throws IOException, InterruptedException {
        assertFalse(Files.exists(Path.of("/sys/class/net", LabRun.BRIDGE)), "bridge " + LabRun.BRIDGE + " left behind");
        if (dockerAnswers()) {
            String containers = exec("docker", "ps", "-aq", "--filter", "label=ewlab.managed=1");
            assertEquals("", containers.trim(), "lab containers left behind");
        } else {
            // no daemon was running before, so the lab started its own and stopped it at `down`, after
            // removing its containers: nothing is left to ask, and its daemon must be gone too
            assertFalse(Files.exists(LabScript.DEFAULT_STATE.resolve("dockerd.pid")), "the lab's dockerd left behind");
        }
        String rules = exec("iptables", "-S", "FORWARD");
        assertFalse(rules.contains("ewlab"), "iptables rule left behind: " + rules);
        assertFalse(Files.exists(LabScript.DEFAULT_STATE.resolve("dnsmasq.pid")), "dnsmasq left behind");
    }

    private static boolean dockerAnswers() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "info", "--format", "{{.ID}}").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
