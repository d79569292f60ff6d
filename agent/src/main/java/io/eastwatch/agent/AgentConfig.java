package io.eastwatch.agent;

import static io.eastwatch.daemon.config.ConfigType.BOOLEAN;
import static io.eastwatch.daemon.config.ConfigType.DOUBLE;
import static io.eastwatch.daemon.config.ConfigType.DURATION;
import static io.eastwatch.daemon.config.ConfigType.INT;
import static io.eastwatch.daemon.config.ConfigType.LIST;
import static io.eastwatch.daemon.config.ConfigType.SIZE;
import static io.eastwatch.daemon.config.ConfigType.STRING;
import static io.eastwatch.daemon.config.ConfigValidator.atLeast;
import static io.eastwatch.daemon.config.ConfigValidator.durationRange;
import static io.eastwatch.daemon.config.ConfigValidator.eachItem;
import static io.eastwatch.daemon.config.ConfigValidator.ipAddress;
import static io.eastwatch.daemon.config.ConfigValidator.matching;
import static io.eastwatch.daemon.config.ConfigValidator.nonEmpty;
import static io.eastwatch.daemon.config.ConfigValidator.oneOf;
import static io.eastwatch.daemon.config.ConfigValidator.powerOfTwo;
import static io.eastwatch.daemon.config.ConfigValidator.range;

import io.eastwatch.daemon.config.ConfigDef;
import io.eastwatch.daemon.config.ConfigException;
import io.eastwatch.daemon.config.ConfigValues;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration: every key declared once in {@link #DEFINITION} (the reference
 * {@code docs/config-agent.md} is generated from it), loaded from YAML into immutable records.
 * {@link AgentApp} maps these records onto each stage's own settings record.
 */
public record AgentConfig(
        Identity agent,
        Capture capture,
        FlowTable flowTable,
        Resolvers identity,
        Export export,
        Ops ops,
        Output output,
        List<String> effective) {

    /** Where flow records go. */
    public enum Output { KAFKA, JSON, COUNT }

    /** Who this agent is, as written into every record. */
    public record Identity(String id, String host, Duration shutdownTimeout) {
    }

    /** Which packets are read (see the capture stage's settings for costs). */
    public record Capture(Path file, List<String> interfaces, boolean autoDiscover, List<String> include,
                          List<String> exclude, Duration pollInterval, String bpfFilter, int snaplen,
                          int bufferBytes, boolean promiscuous, int ringSlots) {
    }

    /** Flow-table limits and timeouts (event time). */
    public record FlowTable(int maxFlows, Duration idleTimeout, Duration activeTimeout, Duration unansweredTimeout,
                            Duration linger, double emergencyHighWater, double emergencyLowWater,
                            Duration emergencyIdleTimeout, Duration emergencyUnansweredTimeout) {
    }

    /** Identity resolvers, in the order they are asked. */
    public record Resolvers(boolean dockerEnabled, Path dockerSocket, boolean procEnabled, Path procRoot,
                            Duration procScanInterval, Path inventoryFile, Duration inventoryReloadInterval,
                            Duration gracePeriod, int maxPending, List<String> containerNetworks) {
    }

    /** Kafka export and its disk spool. */
    public record Export(List<String> bootstrapServers, String topic, String compression, Path stateDir,
                         Path spoolDir, long spoolMaxBytes, Duration heartbeatInterval,
                         io.eastwatch.daemon.kafka.KafkaSecurity security, String identityTopic) {
    }

    /** The ops HTTP server. */
    public record Ops(boolean enabled, String bindAddress, int port) {
    }

    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define("agent.id", STRING, null, matching(NAME, "1 to 63 letters, digits, '.', '_' or '-'"),
                    "Agent id written into every flow record; with the per-agent sequence number it lets the "
                            + "collector detect gaps and duplicates, so it must be unique and stable across restarts. "
                            + "Unset: the host name.")
            .define("agent.host", STRING, null, matching(NAME, "1 to 63 letters, digits, '.', '_' or '-'"),
                    "Host name written into records and into the identity of host endpoints. Unset: this machine's host name.")
            .define("agent.shutdown_timeout", DURATION, "20s", durationRange(Duration.ofSeconds(1), Duration.ofMinutes(10)),
                    "Budget for a graceful stop (stop capture, flush the flow table, flush and close the exporter). "
                            + "Keep it below the supervisor's stop timeout (systemd: TimeoutStopSec, 90 s by default) "
                            + "or the last flows are lost to a SIGKILL.")

            .define("capture.file", STRING, null,
                    "Read this pcap or pcapng file (format by magic number) instead of live interfaces, then exit. "
                            + "The command-line option --pcap sets it.")
            .define("capture.interfaces", LIST, List.of(), eachItem(matching("[^\\s/]{1,15}", "an interface name of 1 to 15 characters")),
                    "Interfaces always captured, whether or not auto-discovery finds them; one that does not exist "
                            + "yet is opened when it appears.")
            .define("capture.auto_discover", BOOLEAN, true,
                    "Also capture container interfaces (host-side veths and bridges) matched by capture.include, "
                            + "following them as containers start and stop. Off: only capture.interfaces.")
            .define("capture.include", LIST,
                    List.of("veth*", "cali*", "lxc*", "docker0", "br-*", "cni0", "cbr0", "podman*", "cni-podman*"),
                    "Glob patterns of interface names auto-discovery captures. Wider patterns catch more runtimes' "
                            + "naming but may capture non-container traffic (a VM's tap, a VPN's tun).")
            .define("capture.exclude", LIST, List.of(), "Glob patterns auto-discovery never captures.")
            .define("capture.poll_interval", DURATION, "1s", durationRange(Duration.ofMillis(100), Duration.ofMinutes(1)),
                    "How often the host's interfaces are listed. Shorter catches short-lived containers sooner "
                            + "(their first packets are missed until then) at the cost of a directory scan per poll.")
            .define("capture.bpf_filter", STRING, "",
                    "BPF filter applied in the kernel, empty for none. A filter that drops TCP control packets "
                            + "makes flows look unanswered.")
            .define("capture.snaplen", INT, 128, range(64, 262_144),
                    "Bytes kept of each packet: headers only by default. Below about 96 the TCP header can be cut "
                            + "off behind VLAN tags or IPv6 extension headers; more costs ring memory and kernel buffer.")
            .define("capture.buffer_size", SIZE, "32MiB", range(1 << 20, Integer.MAX_VALUE),
                    "Kernel capture buffer per interface. Larger rides out longer bursts without kernel drops, "
                            + "but is reserved for every captured interface (hundreds of veths add up).")
            .define("capture.promiscuous", BOOLEAN, false,
                    "Open interfaces in promiscuous mode. Host-side veths see their container's traffic without it.")
            .define("capture.ring_slots", INT, 65_536, range(64, 1 << 24).and(powerOfTwo()),
                    "Packets the hand-off ring between capture and processing holds (a power of two). More absorbs "
                            + "longer processing stalls at capture.snaplen bytes of heap per slot.")

            .define("flow_table.max_flows", INT, 262_144, range(1, 1 << 28),
                    "Most flows tracked at once. About 150 bytes of heap per flow once reached; fewer makes a scan "
                            + "or a busy host evict flows early (exported as evicted and counted).")
            .define("flow_table.idle_timeout", DURATION, "60s", durationRange(Duration.ofSeconds(1), Duration.ofDays(1)),
                    "A flow with no packet for this long ends. Longer keeps quiet long-lived connections in one "
                            + "record but holds memory longer.")
            .define("flow_table.active_timeout", DURATION, "120s", durationRange(Duration.ofSeconds(1), Duration.ofDays(1)),
                    "A flow alive this long since its last report sends an interim report. Shorter makes long "
                            + "flows visible sooner at the price of more records.")
            .define("flow_table.unanswered_timeout", DURATION, "3s", durationRange(Duration.ofMillis(100), Duration.ofMinutes(10)),
                    "A flow whose responder never spoke ends after this long: what makes a scan visible within "
                            + "seconds. Keep it above 1 s (the first SYN retransmission) or a slow answer starts a new flow.")
            .define("flow_table.linger", DURATION, "1s", durationRange(Duration.ofMillis(1), Duration.ofMinutes(1)),
                    "A closed flow (FIN both ways, RST, ICMP error) is held this long so its last ACK is counted in it.")
            .define("flow_table.emergency.high_water", DOUBLE, 0.9, range(0.01, 1.0),
                    "Fraction of flow_table.max_flows at which emergency mode (the shorter timeouts below) starts.")
            .define("flow_table.emergency.low_water", DOUBLE, 0.7, range(0.0, 0.99),
                    "Fraction at which emergency mode stops; below high_water so the mode does not flap.")
            .define("flow_table.emergency.idle_timeout", DURATION, "10s", durationRange(Duration.ofMillis(100), Duration.ofDays(1)),
                    "Idle timeout in emergency mode: shorter frees the table faster but splits more quiet flows. "
                            + "At most flow_table.idle_timeout.")
            .define("flow_table.emergency.unanswered_timeout", DURATION, "1s", durationRange(Duration.ofMillis(100), Duration.ofMinutes(10)),
                    "Unanswered-attempt timeout in emergency mode. At most flow_table.unanswered_timeout.")

            .define("identity.docker.enabled", BOOLEAN, true,
                    "Ask the Docker Engine API (and follow its events) who owns an address. Harmless when Docker "
                            + "is absent: the resolver reports itself down in /healthz and the next one answers.")
            .define("identity.docker.socket", STRING, "/var/run/docker.sock", nonEmpty(),
                    "The Docker Engine API's unix socket. The agent needs read access to it, which is root-equivalent "
                            + "on most hosts: prefer identity.proc where that matters.")
            .define("identity.proc.enabled", BOOLEAN, true,
                    "Map network namespaces and cgroups under /proc to container ids (containerd, CRI-O, podman).")
            .define("identity.proc.root", STRING, "/proc", nonEmpty(), "Where the host's /proc is mounted.")
            .define("identity.proc.scan_interval", DURATION, "2s", durationRange(Duration.ofMillis(100), Duration.ofMinutes(10)),
                    "Time between two scans of /proc. Shorter learns new containers sooner (fewer flows wait or go "
                            + "unresolved) for one read of every process's cgroup file per scan, about 1 ms per 100 processes.")
            .define("identity.inventory.file", STRING, null,
                    "Inventory file (DESIGN.md format) with time-bounded IP ownership; asked last. Unset: not used.")
            .define("identity.inventory.reload_interval", DURATION, "2s", durationRange(Duration.ZERO, Duration.ofHours(1)),
                    "How often the inventory file is checked for a new version; 0s never reloads.")
            .define("identity.grace_period", DURATION, "2s", durationRange(Duration.ZERO, Duration.ofMinutes(1)),
                    "A flow whose endpoint is not known yet (a container that just started) waits this long for "
                            + "its identity, then is sent marked unresolved. Longer resolves more at the cost of "
                            + "export latency and memory for held flows.")
            .define("identity.max_pending", INT, 50_000, range(1, 10_000_000),
                    "Flows held at once while they wait for identity, about 1 KB each. When full the oldest is "
                            + "sent unresolved.")
            .define("identity.container_networks", LIST, List.of(),
                    eachItem(matching("[0-9a-fA-F:.]+/[0-9]{1,3}", "a CIDR prefix such as 10.244.0.0/16")),
                    "Prefixes known to hold containers besides those the resolvers learn: an unknown address in one "
                            + "waits for its container; an address outside all of them and not the host's is external at once.")

            .define("export.kafka.bootstrap_servers", LIST, List.of("127.0.0.1:9092"),
                    nonEmpty().and(eachItem(matching("[^\\s:]+:[0-9]{1,5}|\\[[0-9a-fA-F:.]+\\]:[0-9]{1,5}", "host:port"))),
                    "Kafka brokers to bootstrap from (host:port).")
            .define("export.topic", STRING, "eastwatch.flows", matching("[a-zA-Z0-9._-]{1,249}", "a Kafka topic name"),
                    "Topic the flow records are written to, keyed by source workload.")
            .define("export.identity_topic", STRING, "eastwatch.identity",
                    matching("|[a-zA-Z0-9._-]{1,249}", "a Kafka topic name, or empty to announce nothing"),
                    "Compacted topic on which the agent announces the containers of this host and their addresses "
                            + "(live capture with the Docker or /proc resolver). Collectors read it to name the far end "
                            + "of flows that cross hosts and to count such a flow once, at the initiator's agent. "
                            + "Empty: no announcement; cross-host endpoints then stay unresolved unless an inventory names them.")
            .define("export.compression", STRING, "lz4", oneOf("none", "gzip", "snappy", "lz4", "zstd"),
                    "Producer compression. lz4 is cheap on the host's CPU; zstd saves more network at more CPU.")
            .define("export.state_dir", STRING, "/var/lib/eastwatch", nonEmpty(),
                    "Directory for state that must survive a restart (the per-agent sequence number). The systemd "
                            + "unit's StateDirectory=eastwatch creates it.")
            .define("export.spool.dir", STRING, "/var/lib/eastwatch/spool", nonEmpty(),
                    "Directory of the disk spool that holds records while Kafka is unreachable.")
            .define("export.spool.max_bytes", SIZE, "1GiB", atLeast(1 << 20),
                    "Most disk the spool may take. When full, records are dropped and counted; more rides out a "
                            + "longer Kafka outage at the cost of disk.")
            .define("export.heartbeat_interval", DURATION, "10s", durationRange(Duration.ofSeconds(1), Duration.ofHours(1)),
                    "How often the agent reports its watermark and sequence number when no flow is exported, "
                            + "so the collector can tell a quiet host from a dead agent.")

            .define("ops.enabled", BOOLEAN, true, "Serve /metrics and /healthz.")
            .define("ops.bind_address", STRING, "127.0.0.1", ipAddress(),
                    "Address of the ops server. Loopback keeps it off the network; a Prometheus on another host "
                            + "needs this host's address or 0.0.0.0.")
            .define("ops.port", INT, 9470, range(0, 65535), "Port of the ops server (0: any free port).")

            .define("output", STRING, "kafka", oneOf("kafka", "json", "count"),
                    "Where flow records go: kafka, json for one JSON object per line on standard output, or count "
                            + "to print only how many there were (benchmarks).");

    static {
        io.eastwatch.daemon.kafka.KafkaSecurity.define(DEFINITION, "export.kafka");
    }

    /** Loads {@code file} (null: defaults only), applies {@code overrides}, validates everything. */
    public static AgentConfig load(Path file, Map<String, String> overrides) {
        ConfigValues v = file == null ? DEFINITION.defaults(overrides) : DEFINITION.load(file, overrides);
        return from(v);
    }

    /** Builds the records from validated values, checking the rules that span keys. */
    public static AgentConfig from(ConfigValues v) {
        String host = v.isSet("agent.host") ? v.getString("agent.host") : localHostName();
        String id = v.isSet("agent.id") ? v.getString("agent.id") : host;
        Identity agent = new Identity(id, host, v.getDuration("agent.shutdown_timeout"));

        int ringSlots = v.getInt("capture.ring_slots");
        int snaplen = v.getInt("capture.snaplen");
        if ((long) ringSlots * snaplen > (1L << 30)) {
            throw new ConfigException("capture.ring_slots", ringSlots,
                    "must be such that capture.ring_slots * capture.snaplen is at most 1GiB (capture.snaplen is " + snaplen + ")");
        }
        Capture capture = new Capture(v.getPath("capture.file"), v.getList("capture.interfaces"),
                v.getBoolean("capture.auto_discover"), v.getList("capture.include"), v.getList("capture.exclude"),
                v.getDuration("capture.poll_interval"), v.getString("capture.bpf_filter"), snaplen,
                (int) v.getLong("capture.buffer_size"), v.getBoolean("capture.promiscuous"), ringSlots);
        if (capture.file() == null && !capture.autoDiscover() && capture.interfaces().isEmpty()) {
            throw new ConfigException("capture.interfaces", "[]",
                    "must name at least one interface when capture.auto_discover is false");
        }

        double high = v.getDouble("flow_table.emergency.high_water");
        double low = v.getDouble("flow_table.emergency.low_water");
        if (low >= high) {
            throw new ConfigException("flow_table.emergency.low_water", low,
                    "must be less than flow_table.emergency.high_water (" + high + ")");
        }
        Duration idle = v.getDuration("flow_table.idle_timeout");
        Duration unanswered = v.getDuration("flow_table.unanswered_timeout");
        Duration eIdle = v.getDuration("flow_table.emergency.idle_timeout");
        Duration eUnanswered = v.getDuration("flow_table.emergency.unanswered_timeout");
        if (eIdle.compareTo(idle) > 0) {
            throw new ConfigException("flow_table.emergency.idle_timeout", ConfigDef.formatDuration(eIdle),
                    "must be at most flow_table.idle_timeout (" + ConfigDef.formatDuration(idle) + ")");
        }
        if (eUnanswered.compareTo(unanswered) > 0) {
            throw new ConfigException("flow_table.emergency.unanswered_timeout", ConfigDef.formatDuration(eUnanswered),
                    "must be at most flow_table.unanswered_timeout (" + ConfigDef.formatDuration(unanswered) + ")");
        }
        FlowTable flowTable = new FlowTable(v.getInt("flow_table.max_flows"), idle,
                v.getDuration("flow_table.active_timeout"), unanswered, v.getDuration("flow_table.linger"),
                high, low, eIdle, eUnanswered);

        Duration reload = v.getDuration("identity.inventory.reload_interval");
        if (!reload.isZero() && reload.toMillis() < 100) {
            throw new ConfigException("identity.inventory.reload_interval", ConfigDef.formatDuration(reload),
                    "must be 0s or at least 100ms");
        }
        Resolvers identity = new Resolvers(v.getBoolean("identity.docker.enabled"), v.getPath("identity.docker.socket"),
                v.getBoolean("identity.proc.enabled"), v.getPath("identity.proc.root"),
                v.getDuration("identity.proc.scan_interval"), v.getPath("identity.inventory.file"), reload,
                v.getDuration("identity.grace_period"), v.getInt("identity.max_pending"),
                v.getList("identity.container_networks"));

        Export export = new Export(v.getList("export.kafka.bootstrap_servers"), v.getString("export.topic"),
                v.getString("export.compression"), v.getPath("export.state_dir"), v.getPath("export.spool.dir"), v.getLong("export.spool.max_bytes"),
                v.getDuration("export.heartbeat_interval"),
                io.eastwatch.daemon.kafka.KafkaSecurity.from(v, "export.kafka"), v.getString("export.identity_topic"));

        Ops ops = new Ops(v.getBoolean("ops.enabled"), v.getString("ops.bind_address"), v.getInt("ops.port"));
        Output output = Output.valueOf(v.getString("output").toUpperCase(java.util.Locale.ROOT));
        return new AgentConfig(agent, capture, flowTable, identity, export, ops, output, v.describe());
    }

    /** The Markdown reference of every key ({@code docs/config-agent.md}). */
    public static String reference() {
        return DEFINITION.toMarkdown("eastwatch agent configuration",
                """
                The agent reads one YAML file (`./eastwatch agent --config FILE`). Nested mappings give the
                dotted names below: `capture: {snaplen: 128}` sets `capture.snaplen`. Every key is optional
                unless marked required. An unknown key, a value of the wrong type or out of range stops the
                agent at start with exit status 2 and a message naming the key. Durations are written
                `500ms`, `30s`, `5m`, `2h` or `1d` (a bare number is seconds); sizes `1048576`, `512KiB`,
                `64MiB` or `2GiB`. A default configuration for hosts is in `deploy/agent.yaml`.
                """);
    }

    private static String localHostName() {
        String env = System.getenv("HOSTNAME");
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return sanitize(name);
        } catch (UnknownHostException e) {
            return env != null && !env.isBlank() ? sanitize(env) : "unknown-host";
        }
    }

    private static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "-");
        return s.length() > 63 ? s.substring(0, 63) : s;
    }
}
