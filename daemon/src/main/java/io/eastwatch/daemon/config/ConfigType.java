package io.eastwatch.daemon.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value types a configuration key can have, each with one parser that accepts the forms a
 * YAML author naturally writes (a number or a quoted number, {@code 30s}, {@code 64MiB}) and
 * rejects everything else with a message that says what was expected.
 */
public enum ConfigType {
    BOOLEAN("boolean") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof Boolean b) {
                return b;
            }
            if (raw instanceof String s) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                if (t.equals("true")) {
                    return Boolean.TRUE;
                }
                if (t.equals("false")) {
                    return Boolean.FALSE;
                }
            }
            throw expected(key, raw, "must be true or false");
        }
    },
    STRING("string") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof String s) {
                return s;
            }
            if (raw instanceof Number || raw instanceof Boolean) {
                return String.valueOf(raw);
            }
            throw expected(key, raw, "must be a string");
        }
    },
    /** Like STRING, but masked in logs and in {@code toString}; see {@link Secret}. */
    SECRET("secret string") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof Secret s) {
                return s;
            }
            return new Secret((String) STRING.parse(key, raw));
        }
    },
    INT("int") {
        @Override
        Object parse(String key, Object raw) {
            long v = (Long) LONG.parse(key, raw);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw expected(key, raw, "must be a 32-bit integer");
            }
            return (int) v;
        }
    },
    LONG("long") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
                return ((Number) raw).longValue();
            }
            if (raw instanceof String s) {
                try {
                    return Long.parseLong(s.trim());
                } catch (NumberFormatException e) {
                    throw expected(key, raw, "must be an integer");
                }
            }
            throw expected(key, raw, "must be an integer");
        }
    },
    DOUBLE("double") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof Number n) {
                return n.doubleValue();
            }
            if (raw instanceof String s) {
                try {
                    double d = Double.parseDouble(s.trim());
                    if (Double.isFinite(d)) {
                        return d;
                    }
                } catch (NumberFormatException e) {
                    // fall through to the uniform message below
                }
            }
            throw expected(key, raw, "must be a number");
        }
    },
    /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; a bare integer is seconds. */
    DURATION("duration") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof Duration d) {
                return d;
            }
            if (raw instanceof Integer || raw instanceof Long) {
                return Duration.ofSeconds(((Number) raw).longValue());
            }
            if (raw instanceof String s) {
                Matcher m = DURATION_FORM.matcher(s.trim().toLowerCase(Locale.ROOT));
                if (m.matches()) {
                    try {
                        long n = Long.parseLong(m.group(1));
                        String unit = m.group(2) == null ? "s" : m.group(2);
                        return switch (unit) {
                            case "ms" -> Duration.ofMillis(n);
                            case "s" -> Duration.ofSeconds(n);
                            case "m" -> Duration.ofMinutes(n);
                            case "h" -> Duration.ofHours(n);
                            default -> Duration.ofDays(n);
                        };
                    } catch (NumberFormatException | ArithmeticException e) {
                        throw expected(key, raw, "is too large");
                    }
                }
            }
            throw expected(key, raw, "must be a duration such as 500ms, 30s, 5m, 2h or 1d");
        }
    },
    /** Bytes: a bare integer, or with a unit {@code KiB MiB GiB TiB} (also {@code k m g t}, binary). */
    SIZE("size") {
        @Override
        Object parse(String key, Object raw) {
            if (raw instanceof Integer || raw instanceof Long) {
                return ((Number) raw).longValue();
            }
            if (raw instanceof String s) {
                Matcher m = SIZE_FORM.matcher(s.trim().toLowerCase(Locale.ROOT));
                if (m.matches()) {
                    try {
                        long n = Long.parseLong(m.group(1));
                        String unit = m.group(2) == null ? "" : m.group(2);
                        int shift = switch (unit.isEmpty() ? ' ' : unit.charAt(0)) {
                            case 'k' -> 10;
                            case 'm' -> 20;
                            case 'g' -> 30;
                            case 't' -> 40;
                            default -> 0;
                        };
                        if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
                            throw expected(key, raw, "is too large");
                        }
                        return n << shift;
                    } catch (NumberFormatException e) {
                        throw expected(key, raw, "is too large");
                    }
                }
            }
            throw expected(key, raw, "must be a size in bytes such as 1048576, 512KiB, 64MiB or 2GiB");
        }
    },
    /** A YAML sequence of scalars, or one comma-separated string. */
    LIST("list") {
        @Override
        Object parse(String key, Object raw) {
            List<String> out = new ArrayList<>();
            if (raw instanceof List<?> items) {
                for (int i = 0; i < items.size(); i++) {
                    Object item = items.get(i);
                    if (item instanceof Map || item instanceof List || item == null) {
                        throw expected(key, raw, "item " + i + " must be a plain value, not "
                                + (item == null ? "null" : item instanceof Map ? "a mapping" : "a list"));
                    }
                    out.add(String.valueOf(item).trim());
                }
            } else if (raw instanceof String s) {
                for (String part : s.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            } else {
                throw expected(key, raw, "must be a list");
            }
            return Collections.unmodifiableList(out);
        }
    };

    private static final Pattern DURATION_FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE_FORM = Pattern.compile("(\\d+)\\s*(kib|mib|gib|tib|kb|mb|gb|tb|k|m|g|t|b)?");

    private final String docName;

    ConfigType(String docName) {
        this.docName = docName;
    }

    /** The name of the type in the generated reference. */
    public String docName() {
        return docName;
    }

    /** Converts a YAML value (or a default) to this type's Java value, or throws naming the key. */
    abstract Object parse(String key, Object raw);

    private static ConfigException expected(String key, Object raw, String problem) {
        return new ConfigException(key, raw, problem);
    }
}
