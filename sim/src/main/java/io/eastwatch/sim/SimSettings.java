package io.eastwatch.sim;

import io.eastwatch.sim.attack.Scenario;
import java.time.Duration;
import java.util.Objects;

/**
 * One simulation run.
 *
 * @param containers containers alive at the start of the capture (approximate: workloads come whole);
 *                   more containers mean a bigger, slower capture (about 25 kB of pcap per container-minute)
 * @param hosts      container hosts, each with a /22 of pod addresses; fewer hosts pack more containers per block
 * @param scenario   the attack, or {@link Scenario#NONE}
 * @param seed       the same seed gives the same cluster, the same normal traffic (whatever the
 *                   scenario) and the same bytes
 * @param duration   length of the capture in event time
 * @param learn      the learning period at its start: no attack in it; churn happens in and after it
 * @param attackAt   offset of the attack's first packet from the capture start (after {@code learn})
 */
public record SimSettings(int containers, int hosts, Scenario scenario, long seed, Duration duration, Duration learn,
        Duration attackAt) {

    public static final Duration DEFAULT_DURATION = Duration.ofMinutes(12);
    public static final Duration DEFAULT_LEARN = Duration.ofMinutes(5);
    public static final Duration DEFAULT_ATTACK_AT = Duration.ofMinutes(7);

    public SimSettings {
        Objects.requireNonNull(scenario, "scenario");
        if (containers < 50 || containers > 100_000) {
            throw new IllegalArgumentException("containers: " + containers + " (expected: 50..100000)");
        }
        if (hosts < 1 || hosts > 200) {
            throw new IllegalArgumentException("hosts: " + hosts + " (expected: 1..200)");
        }
        if (duration.compareTo(Duration.ofMinutes(2)) < 0 || duration.compareTo(Duration.ofHours(6)) > 0) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: 2 min .. 6 h)");
        }
        if (learn.isNegative() || learn.compareTo(duration) >= 0) {
            throw new IllegalArgumentException("learn: " + learn + " (expected: 0 .. duration " + duration + ")");
        }
        if (attackAt.compareTo(learn) < 0 || attackAt.plusMinutes(5).compareTo(duration) > 0) {
            throw new IllegalArgumentException("attackAt: " + attackAt + " (expected: >= learn " + learn
                    + " and at least 5 min before the end of " + duration + ")");
        }
    }

    public static SimSettings defaults(int containers, int hosts, Scenario scenario, long seed) {
        return new SimSettings(containers, hosts, scenario, seed, DEFAULT_DURATION, DEFAULT_LEARN, DEFAULT_ATTACK_AT);
    }
}
