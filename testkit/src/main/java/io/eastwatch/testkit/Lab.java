package io.eastwatch.testkit;

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
 * CI machine without the install step must show red. Tests must only touch containers they start
 * themselves (their own name prefix): other tests use the same lab at the same time.
 */
public final class Lab {
    public static final Path STATE = Path.of("/run/lab");
    public static final Path SOCKET = Path.of("/var/run/docker.sock");
    public static final String NETWORK = "lab-net";
    public static final String IMAGE = "lab/web:1";

    public record Row(String name, String idPrefix, int pid, List<String> ips, String netns, String cgroup, String hostVeth) {
    }

    private Lab() {
    }

    public static Path dir() {
        String shared = System.getProperty("eastwatch.shared");
        Path base = shared != null ? Path.of(shared) : Path.of("..", "shared");
        Path lab = base.resolve("lab");
        assertTrue(Files.isRegularFile(lab.resolve("up.sh")), "the lab is missing: " + lab.toAbsolutePath() + "/up.sh");
        return lab;
    }

    /** Brings the lab up unless it already answers (a warm lab costs about a second, a cold one ~20-35 s). */
    public static synchronized void ensureUp() {
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

    public static boolean dockerAnswers() {
        if (!Files.exists(SOCKET)) {
            return false;
        }
        try {
            return run(10, "curl", "-sf", "--max-time", "3", "--unix-socket", SOCKET.toString(), "http://localhost/_ping").equals("OK");
        } catch (AssertionError e) {
            return false;
        }
    }

    public static List<Row> procmap() {
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
    public static String docker(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return run(60, cmd.toArray(new String[0]));
    }

    /** Runs a command; its stdout trimmed, or a failure with its stderr. */
    public static String run(int timeoutSeconds, String... cmd) {
        try {
            Path err = Files.createTempFile("ewt-identity-", ".err");
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

    /** A container this test started; removed by {@link #close()}. */
    public record TestContainer(String name, String id, String ip, int pid) implements AutoCloseable {
        @Override
        public void close() {
            run(60, "docker", "rm", "-f", name);
        }
    }

    /** Starts a container on the lab network with the lab's image and the given labels. */
    public static TestContainer start(String name, String image, String... labels) {
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--name", name, "--network", NETWORK,
                "--label", "lab.managed=1"));
        for (String l : labels) {
            cmd.add("--label");
            cmd.add(l);
        }
        cmd.addAll(List.of(image, "httpd", "-f", "-p", "80", "-h", "/var/www"));
        String id = run(60, cmd.toArray(new String[0]));
        String ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id);
        int pid = Integer.parseInt(docker("inspect", "-f", "{{.State.Pid}}", id));
        return new TestContainer(name, id, ip, pid);
    }

    /** The host-side veth of a container's eth0, the way the lab README finds it (ip link inside the namespace). */
    public static String hostVeth(int pid) {
        String link = run(10, "nsenter", "-t", Integer.toString(pid), "-n", "ip", "-o", "link", "show", "eth0");
        String peer = link.substring(link.indexOf("@if") + 3, link.indexOf(':', link.indexOf("@if")));
        for (String line : run(10, "ip", "-o", "link").split("\n")) {
            if (line.startsWith(peer + ": ")) {
                String rest = line.substring(peer.length() + 2);
                return rest.substring(0, rest.indexOf('@'));
            }
        }
        throw new AssertionError("no host interface with index " + peer);
    }

    /** Removes leftovers of an earlier, interrupted run. */
    public static void removeByPrefix(String prefix) {
        String ids = run(30, "docker", "ps", "-aq", "--filter", "name=^" + prefix);
        if (!ids.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(List.of(ids.split("\\s+")));
            run(60, cmd.toArray(new String[0]));
        }
    }

    /** Addresses on lab-net of the lab's own containers (label lab.managed=1): the only scan targets. */
    public static List<String> labContainers() {
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

    /** The host-side veth of a running container's eth0, by name or id. */
    public static String hostVeth(String container) {
        return hostVeth(Integer.parseInt(run(30, "docker", "inspect", "-f", "{{.State.Pid}}", container)));
    }
}
