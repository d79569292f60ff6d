package io.eastwatch.daemon.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Every configuration key of one daemon, declared once with its type, default, validator and
 * documentation, after Kafka's {@code ConfigDef}. The same declarations validate a YAML file,
 * render the effective configuration for the start-up log (secrets masked) and generate the
 * Markdown reference, so code, checks and docs cannot disagree.
 *
 * <p>YAML nesting maps onto dotted names: {@code capture: {snaplen: 128}} is the key
 * {@code capture.snaplen}; writing {@code capture.snaplen: 128} at the top level is the same key.
 * Unknown keys are errors, not warnings: a misspelt key silently ignored is a setting the
 * operator believes is in force.
 *
 * <p>A {@link ConfigType#SECRET} key {@code k} can also be given as {@code k_file} (a path whose
 * content, without the trailing newline, is the value; fits systemd credentials and Kubernetes
 * secret volumes) or, when neither is in the file, through the environment variable
 * {@code EASTWATCH_K} (upper case, dots and dashes as underscores).
 */
public final class ConfigDef {

    /** Default marker of a key that must be set. */
    public static final Object REQUIRED = new Object() {
        @Override
        public String toString() {
            return "(required)";
        }
    };

    /** Suffix of the key that reads a secret from a file. */
    public static final String FILE_SUFFIX = "_file";

    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();

    /**
     * Declares a key. The default is given in the type's Java form or as text the type parses
     * ({@code "30s"}, {@code "64MiB"}); it is validated now, so a bad default fails at class load.
     */
    public ConfigDef define(String name, ConfigType type, Object defaultValue, ConfigValidator validator, String doc) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
        if (keys.containsKey(name)) {
            throw new IllegalArgumentException("name: " + name + " (expected: declared once)");
        }
        for (String existing : keys.keySet()) {
            if (existing.startsWith(name + ".") || name.startsWith(existing + ".")) {
                throw new IllegalArgumentException("name: " + name + " (expected: not a prefix of or prefixed by " + existing + ")");
            }
        }
        Object parsed = defaultValue;
        if (defaultValue != null && defaultValue != REQUIRED) {
            parsed = type.parse(name, defaultValue);
            if (validator != null) {
                validator.check(name, parsed);
            }
        }
        keys.put(name, new ConfigKey(name, type, parsed, validator, doc));
        return this;
    }

    public ConfigDef define(String name, ConfigType type, Object defaultValue, String doc) {
        return define(name, type, defaultValue, null, doc);
    }

    /** The declared keys, in declaration order. */
    public List<ConfigKey> keys() {
        return List.copyOf(keys.values());
    }

    public ConfigKey key(String name) {
        ConfigKey k = keys.get(name);
        if (k == null) {
            throw new IllegalArgumentException("name: " + name + " (expected: a declared key)");
        }
        return k;
    }

    /** Loads and validates a YAML file, then applies {@code overrides} (command-line options). */
    public ConfigValues load(Path file, Map<String, String> overrides) {
        Map<String, Object> root;
        try (InputStream in = Files.newInputStream(file)) {
            root = parseYaml(in, file.toString());
        } catch (IOException e) {
            throw new ConfigException(null, "Cannot read configuration file " + file + ": " + e, e);
        }
        return parse(root, overrides, System::getenv, file.toAbsolutePath().getParent());
    }

    /** Validates the defaults plus {@code overrides}, without a file. */
    public ConfigValues defaults(Map<String, String> overrides) {
        return parse(Map.of(), overrides, System::getenv, null);
    }

    /**
     * Validates a YAML document already parsed into maps.
     *
     * @param env      environment lookup (a test passes a map's {@code get})
     * @param baseDir  directory relative {@code *_file} paths are resolved against; null: the
     *                 working directory
     */
    public ConfigValues parse(Map<String, Object> root, Map<String, String> overrides,
                              Function<String, String> env, Path baseDir) {
        Map<String, Object> flat = new TreeMap<>();
        flatten("", root, flat);
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            checkKnown(o.getKey());
            flat.put(o.getKey(), o.getValue());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey k : keys.values()) {
            Object raw = flat.get(k.name());
            boolean present = flat.containsKey(k.name());
            if (k.secret()) {
                String fileKey = k.name() + FILE_SUFFIX;
                if (flat.containsKey(fileKey)) {
                    if (present) {
                        throw new ConfigException(k.name(), "Configuration " + k.name() + " and " + fileKey
                                + " are both set: set only one");
                    }
                    raw = readSecretFile(fileKey, flat.get(fileKey), baseDir);
                    present = true;
                } else if (!present) {
                    String fromEnv = env.apply(envName(k.name()));
                    if (fromEnv != null) {
                        raw = fromEnv;
                        present = true;
                    }
                }
            }
            Object value;
            if (!present) {
                if (k.required()) {
                    throw new ConfigException(k.name(), "Missing required configuration " + k.name()
                            + ": " + k.doc());
                }
                value = k.defaultValue();
            } else if (raw == null) {
                if (k.defaultValue() != null && k.defaultValue() != REQUIRED) {
                    throw new ConfigException(k.name(), null, "must not be empty (remove the key to use the default "
                            + renderValue(k, k.defaultValue()) + ")");
                }
                if (k.required()) {
                    throw new ConfigException(k.name(), null, "must be set");
                }
                value = null;
            } else {
                value = k.type().parse(k.name(), raw);
            }
            if (value != null && k.validator() != null) {
                k.validator().check(k.name(), value);
            }
            values.put(k.name(), value);
        }
        return new ConfigValues(this, values);
    }

    /** Environment variable that carries secret {@code key}: {@code EASTWATCH_EXPORT_KAFKA_SASL_PASSWORD}. */
    public static String envName(String key) {
        return "EASTWATCH_" + key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private void flatten(String prefix, Map<?, ?> node, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : node.entrySet()) {
            if (!(e.getKey() instanceof String name) || name.isBlank()) {
                throw new ConfigException(prefix + e.getKey(), "Invalid configuration key " + prefix + e.getKey()
                        + ": keys must be non-empty strings");
            }
            String path = prefix + name;
            if (e.getValue() instanceof Map<?, ?> child && !keys.containsKey(path)) {
                if (!isPrefix(path)) {
                    checkKnown(path);
                }
                flatten(path + ".", child, out);
                continue;
            }
            checkKnown(path);
            if (out.containsKey(path)) {
                throw new ConfigException(path, "Configuration " + path + " is set twice");
            }
            out.put(path, e.getValue());
        }
    }

    private boolean isPrefix(String path) {
        for (String k : keys.keySet()) {
            if (k.startsWith(path + ".")) {
                return true;
            }
        }
        return false;
    }

    private void checkKnown(String path) {
        if (keys.containsKey(path)) {
            return;
        }
        if (path.endsWith(FILE_SUFFIX)) {
            ConfigKey base = keys.get(path.substring(0, path.length() - FILE_SUFFIX.length()));
            if (base != null && base.secret()) {
                return;
            }
        }
        String hint = nearest(path);
        throw new ConfigException(path, "Unknown configuration key " + path
                + (hint == null ? "" : " (did you mean " + hint + "?)"));
    }

    private String nearest(String path) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : keys.keySet()) {
            int d = editDistance(path, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, path.length() / 4) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String readSecretFile(String fileKey, Object rawPath, Path baseDir) {
        if (!(rawPath instanceof String p) || p.isBlank()) {
            throw new ConfigException(fileKey, rawPath, "must be a file path");
        }
        Path path = Path.of(p);
        if (!path.isAbsolute() && baseDir != null) {
            path = baseDir.resolve(path);
        }
        try {
            String s = Files.readString(path, StandardCharsets.UTF_8);
            return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new ConfigException(fileKey, p, "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /** Parses one YAML document into maps; an empty document is an empty configuration. */
    public static Map<String, Object> parseYaml(InputStream in, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(4 * 1024 * 1024);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        Object doc;
        try {
            doc = yaml.load(in);
        } catch (MarkedYAMLException e) {
            throw new ConfigException(null, "Configuration file " + source + " is not valid YAML: "
                    + e.getProblem() + " " + e.getProblemMark().toString().trim());
        } catch (YAMLException e) {
            throw new ConfigException(null, "Configuration file " + source + " is not valid YAML: " + e.getMessage());
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ConfigException(null, "Configuration file " + source + " must be a YAML mapping of keys to values");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) map;
        return m;
    }

    /** Renders a value the way a user writes it in YAML (durations as 30s, sizes as 64MiB). */
    static String renderValue(ConfigKey k, Object v) {
        if (v == null) {
            return "";
        }
        if (v == REQUIRED) {
            return "(required)";
        }
        if (k.secret()) {
            return v.toString();
        }
        if (v instanceof Duration d) {
            return formatDuration(d);
        }
        if (k.type() == ConfigType.SIZE) {
            return formatSize((Long) v);
        }
        if (v instanceof List<?> l) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }

    public static String formatSize(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /**
     * The configuration reference in Markdown: one section per top-level group, one entry per
     * key with its type, default, valid values and documentation.
     */
    public String toMarkdown(String title, String intro) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        sb.append("<!-- Generated from the key declarations; do not edit by hand. -->\n\n");
        sb.append(intro.strip()).append("\n");
        String section = null;
        for (ConfigKey k : keys.values()) {
            int dot = k.name().indexOf('.');
            String s = dot < 0 ? "(top level)" : k.name().substring(0, dot);
            if (!s.equals(section)) {
                section = s;
                sb.append("\n## ").append(s).append("\n");
            }
            sb.append("\n### `").append(k.name()).append("`\n\n");
            sb.append(k.doc().strip()).append("\n\n");
            sb.append("- Type: ").append(k.type().docName()).append("\n");
            if (k.required()) {
                sb.append("- Required\n");
            } else {
                String d = renderValue(k, k.defaultValue());
                sb.append("- Default: ").append(d.isEmpty() ? "(unset)" : "`" + d + "`").append("\n");
            }
            if (k.validator() != null) {
                sb.append("- Valid values: ").append(k.validator().describe()).append("\n");
            }
            if (k.secret()) {
                sb.append("- Secret: masked in logs; may also be given as `").append(k.name()).append(FILE_SUFFIX)
                        .append("` (path to a file holding it) or the environment variable `")
                        .append(envName(k.name())).append("`\n");
            }
        }
        return sb.toString();
    }

    /** Lines {@code key = value} of every key, secrets masked, for the start-up log. */
    static List<String> describe(ConfigDef def, Map<String, Object> values) {
        List<String> lines = new ArrayList<>();
        for (ConfigKey k : def.keys.values()) {
            lines.add(k.name() + " = " + renderValue(k, values.get(k.name())));
        }
        return Collections.unmodifiableList(lines);
    }
}
