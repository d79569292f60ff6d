package io.eastwatch.daemon.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks one parsed value. A failing check throws {@link ConfigException} whose message reads
 * {@code Invalid value X for configuration Y: <problem>}; {@link #describe()} feeds the "valid
 * values" column of the generated reference, so the doc and the check cannot drift apart.
 */
public interface ConfigValidator {

    /** @param value already converted to the key's {@link ConfigType}; never null */
    void check(String key, Object value);

    /** Human description of what passes, e.g. {@code [1,...,65535]}. */
    String describe();

    /** Integers, longs, sizes and doubles within {@code [min, max]} (either bound may be null). */
    static ConfigValidator range(Number min, Number max) {
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                double v = ((Number) value).doubleValue();
                if (min != null && v < min.doubleValue()) {
                    throw new ConfigException(key, value, "must be at least " + min);
                }
                if (max != null && v > max.doubleValue()) {
                    throw new ConfigException(key, value, "must be no more than " + max);
                }
            }

            @Override
            public String describe() {
                return "[" + (min == null ? "..." : min) + ",...," + (max == null ? "..." : max) + "]";
            }
        };
    }

    static ConfigValidator atLeast(Number min) {
        return range(min, null);
    }

    /** Durations within {@code [min, max]} (max may be null). */
    static ConfigValidator durationRange(Duration min, Duration max) {
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                Duration d = (Duration) value;
                if (d.compareTo(min) < 0) {
                    throw new ConfigException(key, value, "must be at least " + ConfigDef.formatDuration(min));
                }
                if (max != null && d.compareTo(max) > 0) {
                    throw new ConfigException(key, value, "must be no more than " + ConfigDef.formatDuration(max));
                }
            }

            @Override
            public String describe() {
                return "[" + ConfigDef.formatDuration(min) + ",...," + (max == null ? "..." : ConfigDef.formatDuration(max)) + "]";
            }
        };
    }

    /** An integer that is a power of two (ring sizes). */
    static ConfigValidator powerOfTwo() {
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                long v = ((Number) value).longValue();
                if (v <= 0 || Long.bitCount(v) != 1) {
                    throw new ConfigException(key, value, "must be a power of two");
                }
            }

            @Override
            public String describe() {
                return "a power of two";
            }
        };
    }

    /** A string out of a fixed, case-sensitive set. */
    static ConfigValidator oneOf(String... allowed) {
        List<String> set = List.of(allowed);
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                if (!set.contains(value)) {
                    throw new ConfigException(key, value, "must be one of " + set);
                }
            }

            @Override
            public String describe() {
                return String.join(", ", set);
            }
        };
    }

    /** A string that is not blank. */
    static ConfigValidator nonEmpty() {
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                String s = value instanceof Secret secret ? secret.reveal() : String.valueOf(value);
                if (value instanceof List<?> l ? l.isEmpty() : s == null || s.isBlank()) {
                    throw new ConfigException(key, value, "must not be empty");
                }
            }

            @Override
            public String describe() {
                return "non-empty";
            }
        };
    }

    /** A string matching {@code regex} entirely; {@code what} says it in words for the message. */
    static ConfigValidator matching(String regex, String what) {
        Pattern p = Pattern.compile(regex);
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                if (!p.matcher(String.valueOf(value)).matches()) {
                    throw new ConfigException(key, value, "must be " + what);
                }
            }

            @Override
            public String describe() {
                return what;
            }
        };
    }

    /**
     * A literal IPv4 or IPv6 address (no name resolution: a daemon must not depend on DNS to
     * start, and a bind address given as a name is ambiguous).
     */
    static ConfigValidator ipAddress() {
        Pattern literal = Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                String s = String.valueOf(value);
                if (!literal.matcher(s).matches()) {
                    throw new ConfigException(key, value, "must be a literal IPv4 or IPv6 address");
                }
                try {
                    InetAddress.getByName(s);
                } catch (UnknownHostException e) {
                    throw new ConfigException(key, value, "must be a literal IPv4 or IPv6 address");
                }
            }

            @Override
            public String describe() {
                return "IPv4 or IPv6 address";
            }
        };
    }

    /** Every element of a list passes {@code each}. */
    static ConfigValidator eachItem(ConfigValidator each) {
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                for (Object item : (List<?>) value) {
                    each.check(key, item);
                }
            }

            @Override
            public String describe() {
                return "each: " + each.describe();
            }
        };
    }

    /** Both validators pass. */
    default ConfigValidator and(ConfigValidator other) {
        ConfigValidator self = this;
        return new ConfigValidator() {
            @Override
            public void check(String key, Object value) {
                self.check(key, value);
                other.check(key, value);
            }

            @Override
            public String describe() {
                return self.describe() + "; " + other.describe();
            }
        };
    }
}
