package io.eastwatch.collector;

import io.eastwatch.collector.baseline.BaselineSettings;
import io.eastwatch.collector.ingest.IngestSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The collector's YAML configuration, validated into settings records. Every error names the key.
 *
 * <pre>
 * kafka:
 *   bootstrap_servers: localhost:9092      # required
 *   group_id: eastwatch-collector
 *   flows_topic: eastwatch.flows
 *   alerts_topic: eastwatch.alerts
 *   dead_letter_topic: eastwatch.flows.dlq
 *   state_topic: eastwatch.collector.state
 *   instance_id: collector-1               # default: the host name
 *   commit_interval: 500ms
 * detection:
 *   learning: 1h
 *   new_workload_grace: 10m
 *   window: 60s
 *   cluster_networks: [10.244.0.0/16]
 *   approved_edges:
 *     - {source: shop/web, peer: shop/db, port: 5432, protocol: tcp}
 * metrics:
 *   listen: 127.0.0.1:9465                 # Prometheus /metrics; omit to disable
 * </pre>
 */
public record CollectorConfig(IngestSettings ingest, CollectorSettings detection, String metricsListen) {

    /** A configuration problem: the message names the key (exit status 2). */
    public static final class ConfigError extends Exception {
        ConfigError(String message) {
            super(message);
        }
    }

    private static final Set<String> SECTIONS = Set.of("kafka", "detection", "metrics");
    private static final Set<String> KAFKA = Set.of("bootstrap_servers", "group_id", "flows_topic", "alerts_topic",
            "dead_letter_topic", "state_topic", "instance_id", "commit_interval");
    private static final Set<String> DETECTION = Set.of("learning", "new_workload_grace", "window", "cluster_networks",
            "approved_edges");
    private static final Set<String> METRICS = Set.of("listen");

    public static CollectorConfig load(Path file) throws ConfigError {
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (IOException e) {
            throw new ConfigError("--config: cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigError("--config: " + file + " is not valid YAML: " + e.getMessage());
        }
        Map<String, Object> top = map("", root == null ? Map.of() : root, SECTIONS);
        Map<String, Object> kafka = map("kafka", top.getOrDefault("kafka", Map.of()), KAFKA);
        Map<String, Object> det = map("detection", top.getOrDefault("detection", Map.of()), DETECTION);
        Map<String, Object> metrics = map("metrics", top.getOrDefault("metrics", Map.of()), METRICS);
        try {
            Object servers = kafka.get("bootstrap_servers");
            if (servers == null) {
                throw new ConfigError("kafka.bootstrap_servers: missing (expected: host:port[,host:port])");
            }
            IngestSettings d = IngestSettings.defaults(servers.toString(), hostName());
            IngestSettings ingest = new IngestSettings(d.bootstrapServers(),
                    text(kafka, "group_id", d.groupId()), text(kafka, "flows_topic", d.flowsTopic()),
                    text(kafka, "alerts_topic", d.alertsTopic()), text(kafka, "dead_letter_topic", d.deadLetterTopic()),
                    text(kafka, "state_topic", d.stateTopic()), text(kafka, "instance_id", d.instanceId()),
                    duration("kafka.commit_interval", kafka.get("commit_interval"), Duration.ofMillis(d.commitIntervalMillis())).toMillis(),
                    d.dedupeToleranceMicros(), d.dedupeCapacity());
            BaselineSettings b = BaselineSettings.defaults();
            long learning = micros("detection.learning", det.get("learning"), b.learningMicros());
            long grace = micros("detection.new_workload_grace", det.get("new_workload_grace"), b.newWorkloadGraceMicros());
            long window = micros("detection.window", det.get("window"), b.windowMicros());
            List<String> networks = new ArrayList<>();
            Object nets = det.getOrDefault("cluster_networks", List.of());
            if (!(nets instanceof List<?> list)) {
                throw new ConfigError("detection.cluster_networks: " + nets + " (expected: a list of CIDRs)");
            }
            for (Object n : list) {
                networks.add(String.valueOf(n));
            }
            List<BaselineSettings.ApprovedEdge> approved = approvedEdges(det.getOrDefault("approved_edges", List.of()));
            BaselineSettings baseline = new BaselineSettings(learning, grace, window, b.maxWorkloads(),
                    b.maxEdgesPerWorkload(), b.maxServedPorts(), b.maxLatenessMicros(), b.maxContainers(),
                    Math.max(b.containerIdleMicros(), window), approved, networks);
            Object listen = metrics.get("listen");
            return new CollectorConfig(ingest, CollectorSettings.defaults().withBaseline(baseline),
                    listen == null ? null : listen.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static List<BaselineSettings.ApprovedEdge> approvedEdges(Object value) throws ConfigError {
        if (!(value instanceof List<?> list)) {
            throw new ConfigError("detection.approved_edges: " + value + " (expected: a list of {source, peer, port, protocol})");
        }
        List<BaselineSettings.ApprovedEdge> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String key = "detection.approved_edges[" + i + "]";
            Map<String, Object> e = map(key, list.get(i), Set.of("source", "peer", "port", "protocol"));
            int port = e.get("port") == null ? 0 : integer(key + ".port", e.get("port"));
            int protocol = protocol(key + ".protocol", e.get("protocol"));
            try {
                out.add(new BaselineSettings.ApprovedEdge(String.valueOf(e.get("source")), String.valueOf(e.get("peer")),
                        port, protocol));
            } catch (IllegalArgumentException ex) {
                throw new ConfigError(key + "." + ex.getMessage());
            }
        }
        return out;
    }

    private static int protocol(String key, Object v) throws ConfigError {
        if (v == null) {
            return 0;
        }
        return switch (v.toString().toLowerCase(Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "any" -> 0;
            default -> integer(key, v);
        };
    }

    private static int integer(String key, Object v) throws ConfigError {
        try {
            return Integer.parseInt(v.toString());
        } catch (NumberFormatException e) {
            throw new ConfigError(key + ": " + v + " (expected: an integer)");
        }
    }

    private static String text(Map<String, Object> m, String key, String fallback) {
        Object v = m.get(key);
        return v == null ? fallback : v.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String key, Object v, Set<String> allowed) throws ConfigError {
        if (!(v instanceof Map<?, ?>)) {
            throw new ConfigError((key.isEmpty() ? "(top level)" : key) + ": " + v + " (expected: a mapping)");
        }
        Map<String, Object> m = (Map<String, Object>) v;
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new ConfigError((key.isEmpty() ? "" : key + ".") + k + ": unknown key (expected one of: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return m;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    static Duration duration(String key, Object v, Duration fallback) throws ConfigError {
        if (v == null) {
            return fallback;
        }
        String s = v.toString().trim();
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException e) {
            throw new ConfigError(key + ": " + s + " (expected: a duration such as 500ms, 30s, 10m, 1h or PT1H)");
        }
    }

    private static long micros(String key, Object v, long fallbackMicros) throws ConfigError {
        return duration(key, v, Duration.ofNanos(fallbackMicros * 1000)).toNanos() / 1000;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "collector";
        }
    }
}
