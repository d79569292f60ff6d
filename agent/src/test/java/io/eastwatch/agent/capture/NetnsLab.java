package io.eastwatch.agent.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real network namespaces joined by a bridge, for live-capture tests: each namespace gets a veth
 * whose host side ({@code <prefix>h<name>}) is a port of the bridge. Everything is named with the
 * test's prefix and deleted on close, also after a failed test.
 */
final class NetnsLab implements AutoCloseable {

    final String prefix;
    final String bridge;
    final String subnet;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> hostLinks = new ArrayList<>();

    /** @param subnet first three octets of a /24 used only inside the lab, e.g. "10.251.77" */
    NetnsLab(String prefix, String subnet) throws IOException, InterruptedException {
        this.prefix = prefix;
        this.subnet = subnet;
        this.bridge = prefix + "br";
        cleanStale();
        sh("ip link add " + bridge + " type bridge");
        hostLinks.add(bridge);
        sh("ip link set " + bridge + " up");
    }

    /** Adds namespace {@code <prefix><name>} with address {@code subnet.host} on eth0; returns the host-side veth name. */
    String addNamespace(String name, int host) throws IOException, InterruptedException {
        String ns = prefix + name;
        String veth = prefix + "h" + name;
        sh("ip netns add " + ns);
        namespaces.add(ns);
        sh("ip link add " + veth + " type veth peer name eth0 netns " + ns);
        hostLinks.add(veth);
        sh("ip link set " + veth + " master " + bridge);
        sh("ip link set " + veth + " up");
        sh("ip netns exec " + ns + " ip addr add " + subnet + "." + host + "/24 dev eth0");
        sh("ip netns exec " + ns + " ip link set eth0 up");
        sh("ip netns exec " + ns + " ip link set lo up");
        return veth;
    }

    void removeHostLink(String link) throws IOException, InterruptedException {
        sh("ip link del " + link);
        hostLinks.remove(link);
    }

    String ns(String name) {
        return prefix + name;
    }

    /** Runs {@code command} inside a namespace with bash; returns its exit code. */
    int exec(String name, String command, long timeoutMillis) throws IOException, InterruptedException {
        return run(List.of("ip", "netns", "exec", ns(name), "bash", "-c", command), timeoutMillis);
    }

    /** Starts a long-running command in a namespace (a server); the caller destroys it. */
    Process spawn(String name, String command) throws IOException {
        return new ProcessBuilder("ip", "netns", "exec", ns(name), "bash", "-c", command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    static void sh(String command) throws IOException, InterruptedException {
        int rc = run(List.of("bash", "-c", command), 10_000);
        if (rc != 0) {
            throw new IOException("failed (" + rc + "): " + command);
        }
    }

    static int run(List<String> command, long timeoutMillis) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        if (p.exitValue() != 0 && out.length > 0) {
            System.err.println(String.join(" ", command) + ": " + new String(out, StandardCharsets.UTF_8).strip());
        }
        return p.exitValue();
    }

    /**
     * Removes leftovers of an earlier run that was killed before it could clean up: only the names
     * this class creates ({@code <prefix>br}, {@code <prefix>h<x>}, namespaces {@code <prefix><x>}),
     * so a benchmark sharing the prefix is left alone.
     */
    private void cleanStale() throws IOException, InterruptedException {
        String ours = "'^" + prefix + "(br|h[a-z]|[a-z])$'";
        run(List.of("bash", "-c", "for n in $(ip netns list | awk '{print $1}' | grep -E " + ours + "); do ip netns del $n; done;"
                + " for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E " + ours + "); do ip link del $l; done; true"), 20_000);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (String ns : namespaces) {
            run(List.of("ip", "netns", "del", ns), 10_000);
        }
        for (String l : hostLinks) {
            run(List.of("bash", "-c", "ip link show " + l + " >/dev/null 2>&1 && ip link del " + l + "; true"), 10_000);
        }
        cleanStale();
    }
}
