package io.eastwatch.agent.flow;

import java.time.Duration;

/**
 * Limits and timeouts of the {@link FlowTable}. All timeouts are measured in event time (packet
 * timestamps), so a replayed capture expires flows exactly as the live capture did.
 *
 * @param maxFlows                   most flows tracked at once. Raising it costs about 150 bytes
 *                                   of heap per flow once reached; lowering it makes a scan or a
 *                                   busy host evict flows early (exported as END_EVICTED, counted).
 * @param idleTimeout                a flow whose both sides spoke and that saw no packet for this
 *                                   long ends (END_IDLE). Longer keeps quiet long-lived connections
 *                                   (pools, keep-alives) in one record but holds memory longer;
 *                                   shorter splits them into several records.
 * @param activeTimeout              a flow alive this long since its last report sends an INTERIM
 *                                   report (cumulative counters). Shorter makes long flows visible
 *                                   sooner at the price of more records.
 * @param unansweredTimeout          a flow whose responder never spoke ends after this much silence
 *                                   (END_UNANSWERED_TIMEOUT). This is what makes a scan visible within
 *                                   seconds; too short and a slow server's first answer starts a new
 *                                   flow (a SYN retransmission comes after 1 s, so keep it above that).
 * @param linger                     a closed flow (FIN both ways, RST, ICMP error) is held this long so
 *                                   its last ACK or retransmitted RST is counted in it. Longer delays
 *                                   the export; shorter may leave a stray last packet as a new flow.
 * @param emergencyHighWater         fraction of {@code maxFlows} at which emergency mode starts.
 * @param emergencyLowWater          fraction at which it stops again (below the high water mark, so
 *                                   the mode does not flap).
 * @param emergencyIdleTimeout       idle timeout while in emergency mode: shorter frees the table
 *                                   faster but splits more quiet flows.
 * @param emergencyUnansweredTimeout unanswered-attempt timeout in emergency mode: a scan's attempts
 *                                   leave the table sooner; a slow answer may start a new flow.
 */
public record FlowTableSettings(
        int maxFlows,
        Duration idleTimeout,
        Duration activeTimeout,
        Duration unansweredTimeout,
        Duration linger,
        double emergencyHighWater,
        double emergencyLowWater,
        Duration emergencyIdleTimeout,
        Duration emergencyUnansweredTimeout) {

    /** Upper bound on {@code maxFlows}: keeps the index (twice as long) within one Java array. */
    public static final int MAX_FLOWS_LIMIT = 1 << 29;

    public FlowTableSettings {
        if (maxFlows < 1 || maxFlows > MAX_FLOWS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxFlows: " + maxFlows + " (expected: 1.." + MAX_FLOWS_LIMIT + ")");
        }
        positive("idleTimeout", idleTimeout);
        positive("activeTimeout", activeTimeout);
        positive("unansweredTimeout", unansweredTimeout);
        positive("linger", linger);
        positive("emergencyIdleTimeout", emergencyIdleTimeout);
        positive("emergencyUnansweredTimeout", emergencyUnansweredTimeout);
        if (!(emergencyHighWater > 0 && emergencyHighWater <= 1)) {
            throw new IllegalArgumentException(
                    "emergencyHighWater: " + emergencyHighWater + " (expected: > 0 and <= 1)");
        }
        if (!(emergencyLowWater >= 0 && emergencyLowWater < emergencyHighWater)) {
            throw new IllegalArgumentException("emergencyLowWater: " + emergencyLowWater
                    + " (expected: >= 0 and < emergencyHighWater " + emergencyHighWater + ")");
        }
        if (emergencyIdleTimeout.compareTo(idleTimeout) > 0) {
            throw new IllegalArgumentException("emergencyIdleTimeout: " + emergencyIdleTimeout
                    + " (expected: <= idleTimeout " + idleTimeout + ")");
        }
        if (emergencyUnansweredTimeout.compareTo(unansweredTimeout) > 0) {
            throw new IllegalArgumentException("emergencyUnansweredTimeout: " + emergencyUnansweredTimeout
                    + " (expected: <= unansweredTimeout " + unansweredTimeout + ")");
        }
    }

    /** 250,000 flows, idle 60 s, active 120 s, unanswered 3 s, linger 1 s; emergency at 90 % until 70 %. */
    public static FlowTableSettings defaults() {
        return new FlowTableSettings(
                250_000,
                Duration.ofSeconds(60),
                Duration.ofSeconds(120),
                Duration.ofSeconds(3),
                Duration.ofSeconds(1),
                0.9,
                0.7,
                Duration.ofSeconds(10),
                Duration.ofSeconds(1));
    }

    /** A copy with another {@code maxFlows}. */
    public FlowTableSettings withMaxFlows(int value) {
        return new FlowTableSettings(value, idleTimeout, activeTimeout, unansweredTimeout, linger,
                emergencyHighWater, emergencyLowWater, emergencyIdleTimeout, emergencyUnansweredTimeout);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        if (value.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: <= 365 days)");
        }
    }

    static long micros(Duration d) {
        return d.getSeconds() * 1_000_000L + d.getNano() / 1_000;
    }
}
