package io.eastwatch.collector.detect;

import java.util.Map;
import java.util.Set;

/**
 * Tunables of the new lateral edge detector.
 *
 * @param criticalPorts   ports whose reach means control of the node or cluster (container runtime, kubelet,
 *                        etcd, API server): a new edge to one starts at critical. Adding ports raises severity
 *                        of more alerts; removing one risks under-rating a takeover.
 * @param sensitivePorts  ports of data stores and remote administration (databases, caches, SSH, RDP, SMB,
 *                        WinRM): a new edge starts at high.
 * @param commonFraction  if at least this fraction of workloads already has an edge to the same peer and port
 *                        (DNS, metrics), the new edge is lowered two levels. Lower values quiet more edges.
 * @param rareFraction    above this fraction (but under commonFraction) the edge is lowered one level.
 * @param deployWindowMicros a source whose image version first appeared in its workload within this long before
 *                        the flow is in a deploy: its new edges are lowered one level (a new version may
 *                        legitimately call something new). Longer forgives more drift after a deploy.
 * @param maxEdgesPerContainer new edges remembered per container for the alert (beyond: counted only).
 */
public record NewEdgeSettings(
        Set<Integer> criticalPorts,
        Map<Integer, String> sensitivePorts,
        double commonFraction,
        double rareFraction,
        long deployWindowMicros,
        int maxEdgesPerContainer) {

    public NewEdgeSettings {
        criticalPorts = Set.copyOf(criticalPorts);
        sensitivePorts = Map.copyOf(sensitivePorts);
        for (int p : criticalPorts) {
            checkPort(p);
        }
        for (int p : sensitivePorts.keySet()) {
            checkPort(p);
        }
        if (!(commonFraction > 0 && commonFraction <= 1)) {
            throw new IllegalArgumentException("commonFraction: " + commonFraction + " (expected: 0 < f <= 1)");
        }
        if (!(rareFraction >= 0 && rareFraction < commonFraction)) {
            throw new IllegalArgumentException("rareFraction: " + rareFraction + " (expected: 0 <= f < commonFraction)");
        }
        if (deployWindowMicros < 0) {
            throw new IllegalArgumentException("deployWindowMicros: " + deployWindowMicros + " (expected: >= 0)");
        }
        if (maxEdgesPerContainer < 1) {
            throw new IllegalArgumentException("maxEdgesPerContainer: " + maxEdgesPerContainer + " (expected: > 0)");
        }
    }

    private static void checkPort(int p) {
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port: " + p + " (expected: 0..65535)");
        }
    }

    public static NewEdgeSettings defaults() {
        return new NewEdgeSettings(
                Set.of(2375, 2376, 10250, 10255, 10256, 2379, 2380, 6443, 4243),
                Map.ofEntries(
                        Map.entry(22, "ssh"), Map.entry(3389, "rdp"), Map.entry(445, "smb"), Map.entry(139, "smb"),
                        Map.entry(5985, "winrm"), Map.entry(5986, "winrm"), Map.entry(23, "telnet"),
                        Map.entry(3306, "mysql"), Map.entry(5432, "postgresql"), Map.entry(1433, "mssql"),
                        Map.entry(1521, "oracle"), Map.entry(27017, "mongodb"), Map.entry(9042, "cassandra"),
                        Map.entry(9200, "elasticsearch"), Map.entry(6379, "redis"), Map.entry(11211, "memcached"),
                        Map.entry(5672, "amqp"), Map.entry(9092, "kafka"), Map.entry(2181, "zookeeper"),
                        Map.entry(8500, "consul"), Map.entry(8200, "vault"), Map.entry(88, "kerberos"),
                        Map.entry(389, "ldap"), Map.entry(636, "ldaps"), Map.entry(135, "msrpc")),
                0.2, 0.05, 1_800_000_000L, 256);
    }
}
