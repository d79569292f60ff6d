package io.eastwatch.agent.identity;

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
 * The shared lab of real Docker containers (../shared/lab): reused when it runs, brought up with
 * a few containers when it does not. A lab that cannot come up fails the test, never skips it: a
 * CI machine without the install step must show red.
 */
final class Lab {
    static final Path STATE = Path.of("/run/lab");
    static final Path SOCKET = Path.of("/var/run/docker.sock");
    static final String NETWORK = "lab-net";
    static final String IMAGE = "lab/web:1";

    record Row(String name, String idPrefix, int pid, List<String> ips, String netns, String cgroup, String hostVeth) {
    }

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
        if (dockerAnswers() && Files.isRegularFile(STATE.resolve("procmap.tsv")) && procmap().size() >= 3) {
            return;
        }
        Path up = dir().resolve("up.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", up.toString()).redirectErrorStream(true);
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
            return run(10, "curl", "-sf", "--max-time", "3", "--unix-socket", SOCKET.toString(), "http://localhost/_ping").equals("OK");
        } catch (AssertionError e) {
            return false;
        }
    }

    static List<Row> procmap() {
        try {
            List<String> lines = Files.readAllLines(STATE.resolve("procmap.tsv"));
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), List.of(f[3].split(",")), f[4], f[5], f[6]));
            }
            return rows;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + STATE.resolve("procmap.tsv"), e);
        }
    }

    /** Runs the docker CLI; fails the test on a non-zero exit. */
    static String docker(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return run(60, cmd.toArray(new String[0]));
    }

    static String run(int timeoutSeconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + ": timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
