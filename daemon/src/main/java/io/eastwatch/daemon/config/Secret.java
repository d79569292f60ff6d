package io.eastwatch.daemon.config;

/**
 * A configuration value that must never reach a log line: {@link #toString()} is masked, so an
 * accidental string concatenation of a settings record prints {@code [hidden]}.
 */
public final class Secret {

    public static final String MASK = "[hidden]";

    private final String value;

    public Secret(String value) {
        this.value = value;
    }

    /** The clear value, for handing to the component that needs it (a Kafka SASL config, ...). */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value == null || value.isEmpty();
    }

    @Override
    public String toString() {
        return isEmpty() ? "" : MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && java.util.Objects.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(value);
    }
}
