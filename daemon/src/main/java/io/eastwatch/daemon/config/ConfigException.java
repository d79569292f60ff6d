package io.eastwatch.daemon.config;

/**
 * A configuration value is missing, malformed or out of range. Permanent: retrying with the same
 * configuration cannot help, so daemons exit with status 2 and print {@link #getMessage()}, which
 * always names the key (dotted path for nested YAML keys).
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, Object value, String problem) {
        super("Invalid value " + render(value) + " for configuration " + key + ": " + problem);
        this.key = key;
    }

    /** For problems that are not about one value (an unknown key, an unreadable file). */
    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    public ConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The key the problem is about; {@code null} when the whole file is unreadable. */
    public String key() {
        return key;
    }

    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        String s = String.valueOf(value);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
