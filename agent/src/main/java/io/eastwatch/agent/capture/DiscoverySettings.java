package io.eastwatch.agent.capture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which interfaces {@link InterfaceDiscovery} captures.
 *
 * @param interfaces   interfaces always captured (names), whether or not they match a pattern;
 *                     an interface listed here that does not exist yet is opened when it appears
 * @param autoDiscover also capture container interfaces found by {@code include}/{@code exclude}.
 *                     Turning it off captures only {@code interfaces}.
 * @param include      glob patterns ({@code *} and {@code ?}) of interface names that are container
 *                     veths or bridges. Wider patterns catch more runtimes' naming but may capture
 *                     non-container traffic (a VM's tap, a VPN's tun).
 * @param exclude      glob patterns never captured by discovery (configured names still are)
 * @param pollMillis   how often {@code /sys/class/net} is read. Lowering it catches short-lived
 *                     containers sooner (their first packets are lost until then) at the cost of a
 *                     directory scan per poll.
 * @param sysClassNet  where the host's interfaces are listed (normally {@code /sys/class/net})
 */
public record DiscoverySettings(List<String> interfaces, boolean autoDiscover, List<String> include,
                                List<String> exclude, int pollMillis, Path sysClassNet) {

    /** Host-side veths and bridges of Docker, podman, containerd/CNI, Calico and Cilium. */
    public static final List<String> DEFAULT_INCLUDE = List.of(
            "veth*", "cali*", "lxc*", "docker0", "br-*", "cni0", "cbr0", "podman*", "cni-podman*");

    public DiscoverySettings {
        if (interfaces == null || interfaces.stream().anyMatch(n -> n == null || n.isBlank() || n.length() > 15)) {
            throw new IllegalArgumentException("interfaces: " + interfaces + " (expected: names of 1..15 characters)");
        }
        if (include == null || exclude == null) {
            throw new IllegalArgumentException("include/exclude: null (expected: a list of glob patterns)");
        }
        if (!autoDiscover && interfaces.isEmpty()) {
            throw new IllegalArgumentException("interfaces: [] (expected: at least one interface when autoDiscover is off)");
        }
        if (pollMillis < 100 || pollMillis > 60_000) {
            throw new IllegalArgumentException("pollMillis: " + pollMillis + " (expected: 100..60000)");
        }
        if (sysClassNet == null || !Files.isDirectory(sysClassNet)) {
            throw new IllegalArgumentException("sysClassNet: " + sysClassNet + " (expected: an existing directory)");
        }
        interfaces = List.copyOf(interfaces);
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    public static DiscoverySettings auto() {
        return new DiscoverySettings(List.of(), true, DEFAULT_INCLUDE, List.of(), 1000, Path.of("/sys/class/net"));
    }

    public static DiscoverySettings only(List<String> interfaces) {
        return new DiscoverySettings(interfaces, false, List.of(), List.of(), 1000, Path.of("/sys/class/net"));
    }
}
