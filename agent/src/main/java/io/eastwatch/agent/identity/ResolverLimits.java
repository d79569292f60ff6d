package io.eastwatch.agent.identity;

import java.time.Duration;

/**
 * Bounds on what a resolver remembers.
 *
 * @param retention   how long an address stays attributable to a container after it stopped:
 *                    longer lets flows reported late (long flows, slow export) keep their owner,
 *                    and costs memory for every container that came and went in that time
 * @param clockSlack  tolerance between the runtime's clock and capture timestamps when no owner
 *                    strictly covers a flow's time: larger attributes a flow that raced a start,
 *                    but may attribute a reused address to its previous owner for that long
 * @param maxIntervals cap on remembered (address or interface, container, time) intervals: higher
 *                    holds more churn, about 200 bytes each; when full the oldest stopped go first
 */
public record ResolverLimits(Duration retention, Duration clockSlack, int maxIntervals) {
    public static final ResolverLimits DEFAULTS = new ResolverLimits(Duration.ofMinutes(10), Duration.ofSeconds(2), 200_000);

    public ResolverLimits {
        if (retention == null || retention.isNegative()) {
            throw new IllegalArgumentException("retention: " + retention + " (expected: >= 0)");
        }
        if (clockSlack == null || clockSlack.isNegative() || clockSlack.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("clockSlack: " + clockSlack + " (expected: 0 to 1 minute)");
        }
        if (maxIntervals < 16) {
            throw new IllegalArgumentException("maxIntervals: " + maxIntervals + " (expected: >= 16)");
        }
    }
}
