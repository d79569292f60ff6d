package io.eastwatch.collector.detect;

import java.util.Locale;

/** How urgently a SOC analyst should look. Ordered: compareTo says which is worse. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Severity lower(int steps) {
        return values()[Math.max(0, ordinal() - steps)];
    }

    public Severity raise(int steps) {
        return values()[Math.min(values().length - 1, ordinal() + steps)];
    }

    public static Severity parse(String s) {
        for (Severity v : values()) {
            if (v.json().equalsIgnoreCase(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("severity: " + s + " (expected: low, medium, high or critical)");
    }
}
