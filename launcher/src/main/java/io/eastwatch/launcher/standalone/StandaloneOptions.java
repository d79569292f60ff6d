package io.eastwatch.launcher.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one standalone run needs. Start from {@link #defaults()} and change fields with the
 * {@code with*} methods, so a caller keeps compiling when options are added.
 *
 * @param learn            the learning phase (event time, from the first flow). Longer learns more of the
 *                         normal traffic (fewer false alerts) but delays detection by as much.
 * @param dataDir          Kafka's log, the agent's sequence number and spool, the alert log. A directory
 *                         reused across runs keeps the learnt baselines (the collector restores its snapshot).
 * @param interfaces       interfaces to capture; empty: auto-discover container veths and bridges
 * @param bindAddress      address of the API and both metrics servers; loopback keeps them off the network
 * @param apiPort          collector ops server: /api/v1, /metrics, /healthz, /readyz (0: any free port)
 * @param agentMetricsPort agent ops server: /metrics, /healthz (0: any free port)
 * @param apiToken         bearer token of /api/v1; null: one is generated and printed
 */
public record StandaloneOptions(Duration learn, Path dataDir, List<String> interfaces, String bindAddress,
                                int apiPort, int agentMetricsPort, String apiToken) {

    /** The collector's API and metrics port: the collector daemon's default, so a scrape config fits both. */
    public static final int DEFAULT_API_PORT = 9465;
    /** The agent daemon's default ops port. */
    public static final int DEFAULT_AGENT_METRICS_PORT = 9470;
    public static final Duration DEFAULT_LEARN = Duration.ofSeconds(60);

    public StandaloneOptions {
        if (learn == null || learn.isNegative()) {
            throw new IllegalArgumentException("learn: " + learn + " (expected: >= 0s)");
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir: null (expected: a directory path)");
        }
        if (interfaces == null || interfaces.stream().anyMatch(n -> n == null || !n.matches("[^\\s/]{1,15}"))) {
            throw new IllegalArgumentException("interfaces: " + interfaces + " (expected: interface names of 1 to 15 characters)");
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress: " + bindAddress + " (expected: an IP address)");
        }
        checkPort("apiPort", apiPort);
        checkPort("agentMetricsPort", agentMetricsPort);
        if (apiPort != 0 && apiPort == agentMetricsPort) {
            throw new IllegalArgumentException("agentMetricsPort: " + agentMetricsPort + " (expected: not the API port)");
        }
        if (apiToken != null && !apiToken.matches("[A-Za-z0-9._~+/=-]{16,256}")) {
            throw new IllegalArgumentException("apiToken: (hidden) (expected: 16 to 256 token characters)");
        }
        interfaces = List.copyOf(interfaces);
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535)");
        }
    }

    /**
     * 60 s of learning, auto-discovered interfaces, the daemons' ports on loopback, a generated
     * token, and a fresh directory under the system temporary directory (kept after the run so the
     * alert log can still be read).
     */
    public static StandaloneOptions defaults() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"),
                "eastwatch-standalone-" + Long.toHexString(System.currentTimeMillis()));
        return new StandaloneOptions(DEFAULT_LEARN, dir, List.of(), "127.0.0.1", DEFAULT_API_PORT,
                DEFAULT_AGENT_METRICS_PORT, null);
    }

    public StandaloneOptions withLearn(Duration d) {
        return new StandaloneOptions(d, dataDir, interfaces, bindAddress, apiPort, agentMetricsPort, apiToken);
    }

    public StandaloneOptions withDataDir(Path d) {
        return new StandaloneOptions(learn, d, interfaces, bindAddress, apiPort, agentMetricsPort, apiToken);
    }

    public StandaloneOptions withInterfaces(List<String> i) {
        return new StandaloneOptions(learn, dataDir, i, bindAddress, apiPort, agentMetricsPort, apiToken);
    }

    public StandaloneOptions withBindAddress(String a) {
        return new StandaloneOptions(learn, dataDir, interfaces, a, apiPort, agentMetricsPort, apiToken);
    }

    /** Both ports at once; 0 picks a free one (tests, and a lab beside a running daemon). */
    public StandaloneOptions withPorts(int api, int agentMetrics) {
        return new StandaloneOptions(learn, dataDir, interfaces, bindAddress, api, agentMetrics, apiToken);
    }

    public StandaloneOptions withApiToken(String t) {
        return new StandaloneOptions(learn, dataDir, interfaces, bindAddress, apiPort, agentMetricsPort, t);
    }
}
