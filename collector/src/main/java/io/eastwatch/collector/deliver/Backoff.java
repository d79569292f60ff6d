package io.eastwatch.collector.deliver;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (delay drawn uniformly from [0, min(max, base * 2^n)]):
 * receivers recovering from an outage are not hit by every collector at the same instant.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;

    Backoff(Duration base, Duration max) {
        this.baseMillis = Math.max(1, base.toMillis());
        this.maxMillis = Math.max(baseMillis, max.toMillis());
    }

    /** Upper bound of the delay before retry number {@code retry} (1 = the first retry). */
    long ceilingMillis(int retry) {
        int shift = Math.min(30, Math.max(0, retry - 1));
        long c = baseMillis << shift;
        return c <= 0 || c > maxMillis ? maxMillis : c;
    }

    long delayMillis(int retry) {
        long ceiling = ceilingMillis(retry);
        // never zero: a receiver that just failed gets at least half the base delay
        return Math.max(baseMillis / 2, ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
