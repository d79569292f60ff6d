package io.eastwatch.launcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.collector.detect.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabVerdictTest {

    private static final Instant ATTACK = Instant.parse("2026-11-25T06:00:00Z");
    private static final Set<String> LAB = Set.of("ewlab-client-005", "ewlab-client-008", "ewlab-db-004");

    private static Alert alert(String id, String detector, String name, Alert.Kind kind, List<Alert.Stage> stages) {
        return new Alert(id, detector, kind, Severity.HIGH, 0.9, ATTACK, ATTACK,
                new Alert.Source("c" + id, name, "ewlab/client", "ewlab/client:1", "vm", "172.28.0.6"),
                null, null, List.of("T1046"), detector + " by " + name, 1, stages, null);
    }

    private static LabVerdict.Arrival at(Alert a, long secondsAfterAttack) {
        return new LabVerdict.Arrival(a, ATTACK.plusSeconds(secondsAfterAttack));
    }

    @Test
    void attackerNamedAfterTheAttackIsDetectedWithTimeToAlertAndEveryStage() {
        Alert scan = alert("1", "port-scan", "ewlab-client-005", Alert.Kind.DETECTION, List.of());
        Alert escalated = alert("1", "port-scan", "ewlab-client-005", Alert.Kind.DETECTION, List.of(
                new Alert.Stage("stage-1", "brute-force", 1, ATTACK, ATTACK, Severity.CRITICAL, 0.9, List.of("T1110"), "s", null)));
        LabVerdict v = LabVerdict.judge("ewlab-client-005", ATTACK, LAB, List.of(at(scan, 3), at(escalated, 9)));
        assertTrue(v.detected());
        assertTrue(v.clean());
        assertEquals(Duration.ofSeconds(3), v.timeToAlert());
        assertEquals(Set.of("port-scan", "brute-force"), v.detectors());
        assertTrue(v.beforeAttack().isEmpty());
    }

    @Test
    void anotherContainerNamedIsAFalseFlagEvenWhenTheAttackerIsCaught() {
        LabVerdict v = LabVerdict.judge("ewlab-client-005", ATTACK, LAB, List.of(
                at(alert("1", "port-scan", "ewlab-client-005", Alert.Kind.DETECTION, List.of()), 2),
                at(alert("2", "brute-force", "ewlab-client-008", Alert.Kind.DETECTION, List.of()), 4),
                at(alert("3", "new-lateral-edge", null, Alert.Kind.DETECTION, List.of()), 5)));
        assertTrue(v.detected());
        assertFalse(v.clean());
        assertEquals(Set.of("ewlab-client-008", "unnamed 172.28.0.6 (not a lab container)"), v.falselyFlagged());
    }

    @Test
    void anAlertBeforeTheAttackDoesNotCountAsDetection() {
        LabVerdict v = LabVerdict.judge("ewlab-client-005", ATTACK, LAB, List.of(
                at(alert("1", "replica-outlier", "ewlab-client-005", Alert.Kind.DETECTION, List.of()), -10)));
        assertFalse(v.detected());
        assertNull(v.timeToAlert());
        assertEquals(1, v.beforeAttack().size());
    }

    @Test
    void healthAlertsAreReportedApartNotAsFlags() {
        LabVerdict v = LabVerdict.judge("ewlab-client-005", ATTACK, LAB, List.of(
                at(alert("h", "capture-drops", null, Alert.Kind.HEALTH, List.of()), 1),
                at(alert("1", "port-scan", "ewlab-client-005", Alert.Kind.DETECTION, List.of()), 2)));
        assertTrue(v.clean());
        assertEquals(List.of("capture-drops by null"), v.healthAlerts());
    }
}
