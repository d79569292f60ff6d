package io.eastwatch.sim.eval;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.launcher.ReplayCommand;
import io.eastwatch.sim.truth.EventTime;
import io.eastwatch.sim.truth.GroundTruth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compares a replay's alerts with a simulated run's ground truth. */
public final class Scoring {
    private static final int SAMPLES = 5;

    private Scoring() {
    }

    public static ScenarioScore score(GroundTruth truth, ReplayCommand.Result replay) {
        GroundTruth.Attacker rogue = truth.attacker();
        Instant attackStart = truth.attackStart() == null ? null : Instant.parse(truth.attackStart());
        Set<String> detectors = new LinkedHashSet<>();
        Instant firstHit = null;
        Map<String, Alert> falsePositives = new LinkedHashMap<>();
        int health = 0;
        Set<String> healthIds = new LinkedHashSet<>();
        for (Alert a : replay.revisions()) {
            if (a.kind() != Alert.Kind.DETECTION) {
                if (healthIds.add(a.id())) {
                    health++;
                }
                continue;
            }
            boolean onRogue = rogue != null && names(a, rogue);
            if (onRogue && !a.detectedAt().isBefore(attackStart)) {
                detectors.add(a.detector());
                for (Alert.Stage s : a.stages()) {
                    detectors.add(s.detector());
                }
                if (firstHit == null || a.detectedAt().isBefore(firstHit)) {
                    firstHit = a.detectedAt();
                }
            } else {
                // Another container, or the rogue flagged while it was still behaving normally.
                falsePositives.putIfAbsent(a.id(), a);
            }
        }
        boolean expected = false;
        for (String d : detectors) {
            expected |= truth.expectedDetectors().contains(d);
        }
        List<String> samples = new ArrayList<>();
        for (Alert a : falsePositives.values()) {
            if (samples.size() == SAMPLES) {
                break;
            }
            samples.add(a.detector() + " [" + a.severity().json() + "] " + a.summary());
        }
        return new ScenarioScore(truth.scenario(), rogue == null ? null : rogue.name(), firstHit != null,
                List.copyOf(detectors), expected,
                firstHit == null ? null : Duration.between(attackStart, firstHit),
                falsePositives.size(), samples, health, replay.packets(), replay.flowsConsumed(), replay.elapsed());
    }

    private static boolean names(Alert a, GroundTruth.Attacker rogue) {
        Alert.Source s = a.source();
        return rogue.containerId().equals(s.containerId()) || rogue.name().equals(s.name());
    }

    static String iso(long us) {
        return EventTime.iso(us);
    }
}
