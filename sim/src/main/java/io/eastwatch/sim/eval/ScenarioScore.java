package io.eastwatch.sim.eval;

import java.time.Duration;
import java.util.List;

/**
 * How one simulated scenario went.
 *
 * @param detected        an alert named the rogue container after the attack started
 * @param detectors       detectors (and incident stages) of the alerts naming the rogue
 * @param expectedKind    one of them is among the scenario's expected detector kinds
 * @param timeToDetect    event time from the attack's first packet to the first alert naming the rogue; null if missed
 * @param falsePositives  detection alerts (distinct ids) naming any other container, plus an alert on the
 *                        rogue raised before its attack began
 * @param falsePositiveSamples a few of them, as "detector: summary"
 * @param healthAlerts    alerts about eastwatch's own coverage (not detections; reported, not scored)
 */
public record ScenarioScore(String scenario, String attacker, boolean detected, List<String> detectors,
        boolean expectedKind, Duration timeToDetect, int falsePositives, List<String> falsePositiveSamples,
        int healthAlerts, long packets, long flows, Duration replayTime) {
}
