package io.eastwatch.agent.identity;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * @param scanInterval    time between two scans of /proc: shorter learns new containers sooner
 *                        (fewer flows wait or go unresolved) for one read of every process's
 *                        cgroup file per scan, about 1 ms per 100 processes
 * @param procRoot        the host's /proc (the agent must run in the host's pid namespace)
 * @param sysClassNet     the host's /sys/class/net, to name host-side veths
 * @param dockerContainers Docker's per-container state, for names and labels
 * @param bundleRoots     OCI bundle directories of containerd, CRI-O and podman, for names and labels
 * @param hostName        the host named on endpoints
 * @param limits          bounds on the remembered intervals
 */
public record ProcResolverSettings(Duration scanInterval, Path procRoot, Path sysClassNet, Path dockerContainers,
                                   List<Path> bundleRoots, String hostName, ResolverLimits limits) {
    public ProcResolverSettings {
        if (scanInterval == null || scanInterval.toMillis() < 100 || scanInterval.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("scanInterval: " + scanInterval + " (expected: 100 ms to 10 minutes)");
        }
        if (procRoot == null || sysClassNet == null || dockerContainers == null) {
            throw new IllegalArgumentException("procRoot, sysClassNet, dockerContainers: null (expected: paths)");
        }
        bundleRoots = List.copyOf(bundleRoots == null ? List.of() : bundleRoots);
        if (hostName == null) {
            throw new IllegalArgumentException("hostName: null (expected: this host's name)");
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits: null (expected: resolver limits)");
        }
    }

    public static ProcResolverSettings defaults(String hostName) {
        return new ProcResolverSettings(Duration.ofSeconds(2), Path.of("/proc"), Path.of("/sys/class/net"),
                Path.of("/var/lib/docker/containers"),
                List.of(Path.of("/run/containerd/io.containerd.runtime.v2.task"),
                        Path.of("/run/docker/containerd/daemon/io.containerd.runtime.v2.task"),
                        Path.of("/run/containers/storage/overlay-containers"),
                        Path.of("/var/lib/containers/storage/overlay-containers")),
                hostName, ResolverLimits.DEFAULTS);
    }
}
