package io.eastwatch.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated values of a {@link ConfigDef}, read through typed getters by the one loader
 * that builds a daemon's configuration records; not passed around beyond it.
 */
public final class ConfigValues {

    private final ConfigDef def;
    private final Map<String, Object> values;

    ConfigValues(ConfigDef def, Map<String, Object> values) {
        this.def = def;
        this.values = values;
    }

    private Object get(String key, ConfigType... types) {
        ConfigKey k = def.key(key);
        for (ConfigType t : types) {
            if (k.type() == t) {
                return values.get(key);
            }
        }
        throw new IllegalArgumentException("key: " + key + " (expected: a key of type " + List.of(types) + ", is " + k.type() + ")");
    }

    public boolean isSet(String key) {
        def.key(key);
        return values.get(key) != null;
    }

    public boolean getBoolean(String key) {
        return (Boolean) get(key, ConfigType.BOOLEAN);
    }

    public String getString(String key) {
        return (String) get(key, ConfigType.STRING);
    }

    public Secret getSecret(String key) {
        Secret s = (Secret) get(key, ConfigType.SECRET);
        return s == null ? new Secret(null) : s;
    }

    public int getInt(String key) {
        return (Integer) get(key, ConfigType.INT);
    }

    public long getLong(String key) {
        return (Long) get(key, ConfigType.LONG, ConfigType.SIZE);
    }

    public double getDouble(String key) {
        return (Double) get(key, ConfigType.DOUBLE);
    }

    public Duration getDuration(String key) {
        return (Duration) get(key, ConfigType.DURATION);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(String key) {
        List<String> l = (List<String>) get(key, ConfigType.LIST);
        return l == null ? List.of() : l;
    }

    /** An optional path: null when unset. */
    public Path getPath(String key) {
        String s = getString(key);
        return s == null || s.isBlank() ? null : Path.of(s);
    }

    /** {@code key = value} lines for every key, secrets masked; log them once at start. */
    public List<String> describe() {
        return ConfigDef.describe(def, values);
    }
}
