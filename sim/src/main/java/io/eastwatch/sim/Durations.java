package io.eastwatch.sim;

import java.time.Duration;

/** Durations as people type them: {@code 90s}, {@code 6m}, {@code 1h}, {@code 500ms}, or ISO-8601 ({@code PT6M}). */
public final class Durations {
    private Durations() {
    }

    public static Duration parse(String key, String v) {
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: a duration such as 90s, 6m, 1h or PT6M)");
        }
    }
}
