package io.eastwatch.agent.identity;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param socket           the Docker Engine API's unix socket
 * @param apiVersion       the API version requested (v1.41: Docker 20.10, the oldest supported)
 * @param requestTimeout   a list or inspect call that takes longer fails and is retried on the
 *                         next reconnect: shorter notices a hung daemon sooner, too short fails on
 *                         a busy host with thousands of containers
 * @param reconnectMin     first wait before reconnecting after the daemon went away; doubled per
 *                         failure up to {@code reconnectMax}: shorter recovers sooner after a
 *                         dockerd restart, at the cost of more connection attempts while it is down
 * @param reconnectMax     longest wait between reconnect attempts
 * @param maxResponseBytes largest list or inspect answer accepted (about 4 KB per container)
 * @param maxEventBytes    longest single event line accepted; a longer one resets the stream
 * @param procRoot         the host's /proc, to find a container's host-side veths from its pid
 * @param sysClassNet      the host's /sys/class/net
 * @param hostName         the host named on endpoints
 * @param limits           bounds on the remembered intervals
 */
public record DockerResolverSettings(Path socket, String apiVersion, Duration requestTimeout, Duration reconnectMin,
                                     Duration reconnectMax, int maxResponseBytes, int maxEventBytes, Path procRoot,
                                     Path sysClassNet, String hostName, ResolverLimits limits) {
    public DockerResolverSettings {
        if (socket == null) {
            throw new IllegalArgumentException("socket: null (expected: the Docker API socket, e.g. /var/run/docker.sock)");
        }
        if (apiVersion == null || !apiVersion.matches("v1\\.\\d+")) {
            throw new IllegalArgumentException("apiVersion: " + apiVersion + " (expected: v1.NN, e.g. v1.41)");
        }
        positive("requestTimeout", requestTimeout);
        positive("reconnectMin", reconnectMin);
        positive("reconnectMax", reconnectMax);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnectMax: " + reconnectMax + " (expected: >= reconnectMin " + reconnectMin + ")");
        }
        if (maxResponseBytes < 65_536) {
            throw new IllegalArgumentException("maxResponseBytes: " + maxResponseBytes + " (expected: >= 65536)");
        }
        if (maxEventBytes < 4096) {
            throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: >= 4096)");
        }
        if (procRoot == null || sysClassNet == null || hostName == null || limits == null) {
            throw new IllegalArgumentException("procRoot, sysClassNet, hostName, limits: null (expected: values)");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    public static DockerResolverSettings defaults(String hostName) {
        return new DockerResolverSettings(Path.of("/var/run/docker.sock"), "v1.41", Duration.ofSeconds(10),
                Duration.ofMillis(200), Duration.ofSeconds(10), 64 * 1024 * 1024, 1024 * 1024, Path.of("/proc"),
                Path.of("/sys/class/net"), hostName, ResolverLimits.DEFAULTS);
    }
}
