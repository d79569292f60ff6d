package io.eastwatch.launcher.lab;

import io.eastwatch.collector.alert.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a lab run proved: was the attacking container named, how long after the attack began, and
 * was any other lab container named too. Judged on the container NAME in the alert's source, since
 * that is what a SOC analyst acts on; a health alert (a blind spot of eastwatch itself) names no
 * container and is reported apart.
 *
 * @param attacker        the container that ran the attacks
 * @param attackStart     wall-clock time the first attack began
 * @param firstAlert      the first revision naming the attacker that arrived after attackStart, or null
 * @param firstAlertAt    when it arrived (wall clock)
 * @param detectors       every detector (alert and escalation stages) that named the attacker
 * @param falselyFlagged  every other source a detection alert named, at any time (lab containers by name)
 * @param beforeAttack    detection alerts that arrived before the attack began (any container)
 * @param healthAlerts    health alerts (eastwatch's own coverage), by summary
 */
record LabVerdict(String attacker, Instant attackStart, Alert firstAlert, Instant firstAlertAt,
                  Set<String> detectors, Set<String> falselyFlagged, List<Alert> beforeAttack,
                  List<String> healthAlerts) {

    /** One alert revision as it arrived. */
    record Arrival(Alert alert, Instant at) {
    }

    boolean detected() {
        return firstAlert != null;
    }

    /** Attack start to the first alert naming the attacker. */
    Duration timeToAlert() {
        return firstAlert == null ? null : Duration.between(attackStart, firstAlertAt);
    }

    boolean clean() {
        return detected() && falselyFlagged.isEmpty();
    }

    /**
     * @param labContainers the names of every container the lab started
     * @param arrivals      every alert revision in arrival order
     */
    static LabVerdict judge(String attacker, Instant attackStart, Set<String> labContainers, List<Arrival> arrivals) {
        Alert first = null;
        Instant firstAt = null;
        Set<String> detectors = new TreeSet<>();
        Set<String> falsely = new TreeSet<>();
        Map<String, Alert> before = new LinkedHashMap<>();
        List<String> health = new ArrayList<>();
        for (Arrival a : arrivals) {
            Alert alert = a.alert();
            if (alert.kind() == Alert.Kind.HEALTH) {
                if (!health.contains(alert.summary())) {
                    health.add(alert.summary());
                }
                continue;
            }
            String name = alert.source().name();
            if (attackStart == null || a.at().isBefore(attackStart)) {
                before.put(alert.id(), alert);
            }
            if (attacker.equals(name)) {
                detectors.add(alert.detector());
                for (Alert.Stage s : alert.stages()) {
                    detectors.add(s.detector());
                }
                if (first == null && attackStart != null && !a.at().isBefore(attackStart)) {
                    first = alert;
                    firstAt = a.at();
                }
            } else {
                // a lab container, or anything else the capture saw: either way not the attacker
                falsely.add(name != null && labContainers.contains(name) ? name
                        : (name != null ? name : "unnamed " + alert.source().ip()) + " (not a lab container)");
            }
        }
        return new LabVerdict(attacker, attackStart, first, firstAt, detectors, falsely,
                List.copyOf(before.values()), health);
    }
}
