package io.eastwatch.collector.deliver;

import java.time.Instant;

/**
 * An alert one target could not take: rejected (4xx), malformed, or retries exhausted. Kept on
 * the dead-letter topic (with the original alert as value) and in a bounded in-memory list for
 * the API.
 */
public record DeadLetter(String target, String alertId, int revision, String deliveryId, String reason,
                         int status, int attempts, Instant at, String alertJson) {
}
