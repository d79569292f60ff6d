package io.eastwatch.launcher.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The container side of the lab: {@code scripts/lab/ewlab.sh} (up, scan, brute, down), run as a
 * child process with its progress lines passed through to the console. The script is the one
 * place that touches Docker, iptables and sysctls, so an operator can read (and run) exactly what
 * the lab does to the host.
 */
final class LabScript {

    /** Where the script keeps its state; the lab's containers and addresses are read from here. */
    static final Path DEFAULT_STATE = Path.of("/run/ewlab");

    private final Path script;
    private final Map<String, String> env;
    private final Path state;
    private final PrintStream console;

    LabScript(Path script, Map<String, String> env, Path state, PrintStream console) {
        this.script = script;
        this.env = Map.copyOf(env);
        this.state = state;
        this.console = console;
    }

    /**
     * Finds {@code scripts/lab/ewlab.sh}: the {@code eastwatch.lab.script} system property, else
     * upwards from this class's jar or classes directory (the checkout the launcher runs from),
     * else upwards from the working directory.
     */
    static Path locate() {
        String prop = System.getProperty("eastwatch.lab.script");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(LabScript.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source (unusual class loader): the working directory is still searched
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
                Path candidate = p.resolve("scripts/lab/ewlab.sh");
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    Path state() {
        return state;
    }

    /** Runs {@code ewlab.sh <args>}; returns its standard output. Fails on a non-zero exit. */
    List<String> run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("EWLAB_STATE", state.toString());
        pb.environment().putAll(e);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        Thread errPump = new Thread(() -> pump(p.getErrorStream(), console, null), "ewlab-stderr");
        errPump.setDaemon(true);
        errPump.start();
        List<String> out = new ArrayList<>();
        Thread outPump = new Thread(() -> pump(p.getInputStream(), null, out), "ewlab-stdout");
        outPump.setDaemon(true);
        outPump.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            // the script's children first (xargs and its docker runs): left alone they would go on
            // creating containers while the teardown removes them
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            throw new IOException("ewlab.sh " + String.join(" ", args) + ": no result after " + timeoutSeconds + " s");
        }
        outPump.join(5_000);
        errPump.join(5_000);
        if (p.exitValue() != 0) {
            throw new IOException("ewlab.sh " + String.join(" ", args) + " failed with status " + p.exitValue());
        }
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    private static void pump(java.io.InputStream in, PrintStream console, List<String> keep) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (console != null) {
                    console.println(line);
                }
                if (keep != null) {
                    synchronized (keep) {
                        keep.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // the child went away: its exit status says what happened
            if (console != null) {
                console.println("[ewlab] output ended: " + e.getMessage());
            }
        }
    }

    /** One lab container as {@code up} wrote it to {@code lab.tsv}. */
    record Container(String name, String ip, long pid) {
        String role() {
            String rest = name.startsWith("ewlab-") ? name.substring("ewlab-".length()) : name;
            int dash = rest.lastIndexOf('-');
            return dash < 0 ? rest : rest.substring(0, dash);
        }
    }

    List<Container> containers() throws IOException {
        List<Container> out = new ArrayList<>();
        for (String line : Files.readAllLines(state.resolve("lab.tsv"), StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                out.add(new Container(f[0], f[1], Long.parseLong(f[2])));
            }
        }
        return out;
    }
}
