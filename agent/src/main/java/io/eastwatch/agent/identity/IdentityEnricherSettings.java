package io.eastwatch.agent.identity;

import java.time.Duration;
import java.util.List;

/**
 * @param grace             event time a flow with an unknown container endpoint waits for a
 *                          resolver to learn it (a container that just started) before it is sent
 *                          marked unresolved: longer resolves slower runtimes, and delays those
 *                          flows and holds them in memory that much longer
 * @param maxPending        flows held at once while they wait: higher rides out a burst of new
 *                          containers, about 1 KB each; when full the oldest is sent unresolved
 * @param containerNetworks prefixes known to hold containers besides those the resolvers learn
 *                          (CIDR): an unknown address inside one waits for its container, an
 *                          address outside all of them and not the host's is external at once
 * @param hostName          the host named on HOST endpoints
 */
public record IdentityEnricherSettings(Duration grace, int maxPending, List<String> containerNetworks, String hostName) {
    public IdentityEnricherSettings {
        if (grace == null || grace.isNegative() || grace.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("grace: " + grace + " (expected: 0 to 5 minutes)");
        }
        if (maxPending < 1 || maxPending > 10_000_000) {
            throw new IllegalArgumentException("maxPending: " + maxPending + " (expected: 1 to 10000000)");
        }
        containerNetworks = List.copyOf(containerNetworks == null ? List.of() : containerNetworks);
        for (String n : containerNetworks) {
            Cidr.parse(n);
        }
        if (hostName == null) {
            throw new IllegalArgumentException("hostName: null (expected: this host's name)");
        }
    }

    public static IdentityEnricherSettings defaults(String hostName) {
        return new IdentityEnricherSettings(Duration.ofSeconds(2), 50_000, List.of(), hostName);
    }
}
