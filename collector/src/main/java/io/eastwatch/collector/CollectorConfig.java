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
 *   identity_topic: eastwatch.identity     # agents' container announcements; "" = do not read
 *   destinations_topic: eastwatch.collector.destinations   # the group's destination view; "" = off
 *   approvals_topic: eastwatch.collector.approvals         # group-wide edge approvals; "" = this collector only
 *   instance_id: collector-1               # default: the host name
 *   commit_interval: 500ms
 *   processing_threads: 2                  # default: one per core, at most 8
 * detection:
 *   learning: 1h
 *   new_workload_grace: 10m
 *   window: 60s
 *   cluster_networks: [10.244.0.0/16]
 *   approved_edges:
 *     - {source: shop/web, peer: shop/db, port: 5432, protocol: tcp}
 *   security:                              # TLS / SASL to the brokers (docs/config-collector.md)
 *     security_protocol: sasl_ssl
 *     sasl: {mechanism: scram-sha-512, username: collector, password_file: /etc/eastwatch/kafka.pass}
 *     ssl: {truststore: /etc/eastwatch/kafka-ca.p12}
 * ops:
 *   listen: 127.0.0.1:9465                 # /metrics, /healthz, /readyz and the API; "off" disables
 *   api_tokens_file: /etc/eastwatch/api-tokens   # one bearer token per line; no tokens: no /api/v1
 *   max_alerts: 10000                      # alerts the API keeps in memory (newest revision each)
 * webhooks:
 *   - {name: soc, url: "https://soc.example/hooks/eastwatch", format: generic, min_severity: medium,
 *      secret_file: /etc/eastwatch/soc.secret}
 *   - {name: splunk, url: "https://splunk:8088/services/collector/event", format: splunk-hec,
 *      splunk_token_file: /etc/eastwatch/hec.token}
 * delivery:
 *   dead_letter_topic: eastwatch.alerts.deadletter
 *   group_prefix: eastwatch-delivery
 * </pre>
 * Secrets ({@code api_tokens}, {@code secret}, {@code splunk_token}, {@code password}) may be
 * given inline, as {@code *_file} (read at start, trailing newline dropped), never logged.
 */
public record CollectorConfig(IngestSettings ingest, CollectorSettings detection, String metricsListen,
                              io.eastwatch.daemon.kafka.KafkaSecurity security, java.util.List<String> apiTokens,
                              int maxAlerts, java.util.List<io.eastwatch.collector.deliver.WebhookTargetSettings> webhooks,
                              String deliveryDeadLetterTopic, String deliveryGroupPrefix, String identityTopic,
                              String destinationsTopic, String approvalsTopic) {

    public static final String DEFAULT_IDENTITY_TOPIC = "eastwatch.identity";
    public static final String DEFAULT_DESTINATIONS_TOPIC = "eastwatch.collector.destinations";
    public static final String DEFAULT_APPROVALS_TOPIC = "eastwatch.collector.approvals";

    public CollectorConfig(IngestSettings ingest, CollectorSettings detection, String metricsListen,
                           io.eastwatch.daemon.kafka.KafkaSecurity security, java.util.List<String> apiTokens,
                           int maxAlerts, java.util.List<io.eastwatch.collector.deliver.WebhookTargetSettings> webhooks,
                           String deliveryDeadLetterTopic, String deliveryGroupPrefix) {
        this(ingest, detection, metricsListen, security, apiTokens, maxAlerts, webhooks, deliveryDeadLetterTopic,
                deliveryGroupPrefix, DEFAULT_IDENTITY_TOPIC, DEFAULT_DESTINATIONS_TOPIC, DEFAULT_APPROVALS_TOPIC);
    }

    /** A configuration problem: the message names the key (exit status 2). */
    public static final class ConfigError extends Exception {
        ConfigError(String message) {
            super(message);
        }
    }

    static final Set<String> SECTIONS = Set.of("kafka", "detection", "ops", "webhooks", "delivery");
    static final Set<String> KAFKA = Set.of("bootstrap_servers", "group_id", "flows_topic", "alerts_topic",
            "dead_letter_topic", "state_topic", "identity_topic", "destinations_topic", "approvals_topic", "instance_id",
            "commit_interval", "processing_threads", "security");
    static final Set<String> OPS = Set.of("listen", "api_tokens", "api_tokens_file", "max_alerts");
    static final Set<String> DELIVERY = Set.of("dead_letter_topic", "group_prefix");
    static final Set<String> WEBHOOK = Set.of("name", "url", "format", "min_severity", "secret", "secret_file",
            "splunk_token", "splunk_token_file", "timeout", "max_attempts", "backoff_base", "backoff_max", "truststore",
            "truststore_password", "truststore_password_file");
    static final Set<String> DETECTION = Set.of("learning", "new_workload_grace", "window", "cluster_networks",
            "approved_edges");

    public static CollectorConfig load(Path file) throws ConfigError {
        return load(file, System::getenv);
    }

    /**
     * With {@code env} as the environment: the kafka.security secrets not in the file come from
     * {@code EASTWATCH_KAFKA_SECURITY_SASL_PASSWORD} and the like (a test passes a map's get).
     */
    static CollectorConfig load(Path file, java.util.function.Function<String, String> env) throws ConfigError {
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
        Map<String, Object> ops = map("ops", top.getOrDefault("ops", Map.of()), OPS);
        Map<String, Object> delivery = map("delivery", top.getOrDefault("delivery", Map.of()), DELIVERY);
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
                    d.dedupeToleranceMicros(), d.dedupeCapacity(),
                    kafkaInteger(kafka, "processing_threads", d.processingThreads(), 1, 256));
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
            String listen = text(ops, "listen", "127.0.0.1:9465");
            if (listen.equals("off")) {
                listen = null;
            } else if (!listen.matches("[^\\s:]+:\\d{1,5}|\\[[0-9a-fA-F:.]+\\]:\\d{1,5}")) {
                throw new ConfigError("ops.listen: " + listen + " (expected: address:port, e.g. 127.0.0.1:9465, or off)");
            }
            List<String> tokens = new ArrayList<>();
            Object inline = ops.get("api_tokens");
            if (inline != null) {
                if (!(inline instanceof List<?> l)) {
                    throw new ConfigError("ops.api_tokens: (hidden) (expected: a list of tokens)");
                }
                l.forEach(t -> tokens.add(String.valueOf(t)));
            }
            if (ops.get("api_tokens_file") != null) {
                Path f = Path.of(ops.get("api_tokens_file").toString());
                try {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (!line.isBlank() && !line.startsWith("#")) {
                            tokens.add(line.trim());
                        }
                    }
                } catch (IOException e) {
                    throw new ConfigError("ops.api_tokens_file: cannot read " + f + " (" + e.getClass().getSimpleName() + ")");
                }
            }
            for (String t : tokens) {
                if (t.length() < 16) {
                    throw new ConfigError("ops.api_tokens: a token of " + t.length() + " characters (expected: at least 16)");
                }
            }
            int maxAlerts = ops.get("max_alerts") == null ? 10_000 : integer("ops.max_alerts", ops.get("max_alerts"));
            if (maxAlerts < 1) {
                throw new ConfigError("ops.max_alerts: " + maxAlerts + " (expected: >= 1)");
            }
            io.eastwatch.daemon.kafka.KafkaSecurity security = security(kafka.get("security"), env,
                    file.toAbsolutePath().getParent());
            List<io.eastwatch.collector.deliver.WebhookTargetSettings> hooks = webhooks(top.getOrDefault("webhooks", List.of()));
            return new CollectorConfig(ingest, CollectorSettings.defaults().withBaseline(baseline), listen, security,
                    List.copyOf(tokens), maxAlerts, hooks,
                    text(delivery, "dead_letter_topic", "eastwatch.alerts.deadletter"),
                    text(delivery, "group_prefix", "eastwatch-delivery"),
                    optionalTopic("kafka.identity_topic", kafka.get("identity_topic"), DEFAULT_IDENTITY_TOPIC),
                    optionalTopic("kafka.destinations_topic", kafka.get("destinations_topic"), DEFAULT_DESTINATIONS_TOPIC),
                    optionalTopic("kafka.approvals_topic", kafka.get("approvals_topic"), DEFAULT_APPROVALS_TOPIC));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static String optionalTopic(String key, Object value, String fallback) throws ConfigError {
        if (value == null) {
            return fallback;
        }
        String t = String.valueOf(value);
        if (!t.matches("|[a-zA-Z0-9._-]{1,249}")) {
            throw new ConfigError(key + ": " + t + " (expected: a Kafka topic name, or \"\" for none)");
        }
        return t;
    }

    private static final io.eastwatch.daemon.config.ConfigDef SECURITY =
            io.eastwatch.daemon.kafka.KafkaSecurity.define(new io.eastwatch.daemon.config.ConfigDef(), "kafka.security");

    /** The kafka.security keys (the shared TLS / SASL keys of both daemons), for the reference check. */
    static java.util.List<io.eastwatch.daemon.config.ConfigKey> securityKeys() {
        return SECURITY.keys();
    }

    /**
     * kafka.security: the shared TLS / SASL keys of both daemons (KafkaSecurity), flattened and
     * validated by the same declarations as the agent's: a secret {@code k} may be {@code k_file}
     * (relative to the configuration file's directory) or the environment variable named in
     * docs/config-collector.md.
     */
    private static io.eastwatch.daemon.kafka.KafkaSecurity security(Object value,
            java.util.function.Function<String, String> env, Path baseDir) throws ConfigError {
        Map<String, String> flat = new java.util.LinkedHashMap<>();
        if (value != null) {
            flatten("kafka.security", value, flat);
        }
        try {
            return io.eastwatch.daemon.kafka.KafkaSecurity.from(SECURITY.parse(Map.of(), flat, env, baseDir), "kafka.security");
        } catch (io.eastwatch.daemon.config.ConfigException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object v, Map<String, String> out) throws ConfigError {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : ((Map<Object, Object>) m).entrySet()) {
                flatten(prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (v == null) {
            throw new ConfigError(prefix + ": empty (expected: a value)");
        } else {
            out.put(prefix, v.toString());
        }
    }

    private static String readSecret(String key, String file) throws ConfigError {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigError(key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static List<io.eastwatch.collector.deliver.WebhookTargetSettings> webhooks(Object value) throws ConfigError {
        if (!(value instanceof List<?> list)) {
            throw new ConfigError("webhooks: " + value + " (expected: a list of targets)");
        }
        List<io.eastwatch.collector.deliver.WebhookTargetSettings> out = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String key = "webhooks[" + i + "]";
            Map<String, Object> w = map(key, list.get(i), WEBHOOK);
            try {
                String name = text(w, "name", null);
                if (name == null) {
                    throw new ConfigError(key + ".name: missing (expected: a short unique name)");
                }
                if (!names.add(name)) {
                    throw new ConfigError(key + ".name: " + name + " (expected: unique among webhooks)");
                }
                if (w.get("url") == null) {
                    throw new ConfigError(key + ".url: missing");
                }
                String secret = w.get("secret_file") != null ? readSecret(key + ".secret_file", w.get("secret_file").toString())
                        : text(w, "secret", null);
                String token = w.get("splunk_token_file") != null
                        ? readSecret(key + ".splunk_token_file", w.get("splunk_token_file").toString())
                        : text(w, "splunk_token", null);
                out.add(new io.eastwatch.collector.deliver.WebhookTargetSettings(name,
                        java.net.URI.create(w.get("url").toString()),
                        io.eastwatch.collector.deliver.DeliveryFormat.parse(text(w, "format", "generic")),
                        text(w, "min_severity", "low"), secret, token,
                        duration(key + ".timeout", w.get("timeout"), Duration.ofSeconds(5)),
                        w.get("max_attempts") == null ? 6 : integer(key + ".max_attempts", w.get("max_attempts")),
                        duration(key + ".backoff_base", w.get("backoff_base"), Duration.ofMillis(500)),
                        duration(key + ".backoff_max", w.get("backoff_max"), Duration.ofSeconds(60)),
                        w.get("truststore") == null ? null : Path.of(w.get("truststore").toString()),
                        w.get("truststore_password_file") != null
                                ? readSecret(key + ".truststore_password_file", w.get("truststore_password_file").toString())
                                : text(w, "truststore_password", null)));
            } catch (IllegalArgumentException e) {
                throw new ConfigError(key + "." + e.getMessage());
            }
        }
        return out;
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

    private static int kafkaInteger(Map<String, Object> section, String key, int fallback, int min, int max)
            throws ConfigError {
        Object v = section.get(key);
        if (v == null) {
            return fallback;
        }
        int n = integer("kafka." + key, v);
        if (n < min || n > max) {
            throw new ConfigError("kafka." + key + ": " + v + " (expected: " + min + ".." + max + ")");
        }
        return n;
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
