package io.eastwatch.launcher.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shared lab of real Docker containers (../shared/lab), as the agent's identity tests use it:
 * reused when it runs, brought up with a few containers when it does not. A lab that cannot come
 * up fails the test, never skips it.
 */
final class Lab {
    static final Path STATE = Path.of("/run/lab");
    static final Path SOCKET = Path.of("/var/run/docker.sock");
    static final String NETWORK = "lab-net";

    private Lab() {
    }

    static Path dir() {
        String shared = System.getProperty("eastwatch.shared");
        Path base = shared != null ? Path.of(shared) : Path.of("..", "shared");
        Path lab = base.resolve("lab");
        assertTrue(Files.isRegularFile(lab.resolve("up.sh")), "the lab is missing: " + lab.toAbsolutePath() + "/up.sh");
        return lab;
    }

    /** Brings the lab up unless it already answers (a warm lab costs about a second, a cold one ~20-35 s). */
    static synchronized void ensureUp() {
        if (dockerAnswers() && Files.isRegularFile(STATE.resolve("procmap.tsv")) && labContainers().size() >= 3) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("bash", dir().resolve("up.sh").toString()).redirectErrorStream(true);
        pb.environment().put("LAB_N", "6");
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "lab-up.log").toFile()));
        try {
            Process p = pb.start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("lab/up.sh did not finish in 240 s; see target/lab-up.log");
            }
            assertEquals(0, p.exitValue(), "lab/up.sh failed; see target/lab-up.log");
        } catch (IOException e) {
            fail("cannot run lab/up.sh: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while the lab came up");
        }
        assertTrue(dockerAnswers(), "the lab is up but Docker does not answer on " + SOCKET);
    }

    static boolean dockerAnswers() {
        if (!Files.exists(SOCKET)) {
            return false;
        }
        try {
            return run(10, "curl", "-sf", "--max-time", "3", "--unix-socket", SOCKET.toString(),
                    "http://localhost/_ping").equals("OK");
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Addresses on lab-net of the lab's own containers (label lab.managed=1): the only scan targets. */
    static List<String> labContainers() {
        String ids = run(30, "docker", "ps", "-q", "--filter", "label=lab.managed=1", "--filter", "network=" + NETWORK);
        List<String> ips = new ArrayList<>();
        if (ids.isEmpty()) {
            return ips;
        }
        List<String> cmd = new ArrayList<>(List.of("docker", "inspect", "-f",
                "{{with index .NetworkSettings.Networks \"" + NETWORK + "\"}}{{.IPAddress}}{{end}}"));
        cmd.addAll(List.of(ids.split("\\s+")));
        for (String ip : run(30, cmd.toArray(new String[0])).split("\\s+")) {
            if (!ip.isBlank()) {
                ips.add(ip);
            }
        }
        return ips;
    }

    /** Runs a command; its stdout trimmed, or a failure with its stderr. */
    static String run(int timeoutSeconds, String... cmd) {
        try {
            Path err = Files.createTempFile("ewt-sa-", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", cmd) + ": timed out");
                }
                String text = new String(out, StandardCharsets.UTF_8).trim();
                if (p.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + text + " "
                            + Files.readString(err).trim());
                }
                return text;
            } finally {
                Files.delete(err);
            }
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * The host-side veth of a container's eth0, the way the lab README finds it: {@code eth0@ifN}
     * inside the namespace names the host's interface index N.
     */
    static String hostVeth(String container) {
        String pid = run(30, "docker", "inspect", "-f", "{{.State.Pid}}", container);
        String link = run(10, "nsenter", "-t", pid, "-n", "ip", "-o", "link", "show", "eth0");
        String peer = link.substring(link.indexOf("@if") + 3, link.indexOf(':', link.indexOf("@if")));
        for (String line : run(10, "ip", "-o", "link").split("\n")) {
            if (line.startsWith(peer + ": ")) {
                String rest = line.substring(peer.length() + 2);
                return rest.substring(0, rest.indexOf('@'));
            }
        }
        throw new AssertionError("no host interface with index " + peer + " for " + container);
    }

    /** Removes leftovers of an earlier, interrupted run of this test (its own containers only). */
    static void removeByPrefix(String prefix) {
        String ids = run(30, "docker", "ps", "-aq", "--filter", "name=^" + prefix);
        if (!ids.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(List.of(ids.split("\\s+")));
            run(60, cmd.toArray(new String[0]));
        }
    }
}
