package io.eastwatch.collector.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eastwatch.collector.coverage.Coverage;
import io.eastwatch.collector.detect.Severity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AlertJsonTest {

    static Alert sample() {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("unanswered", 31);
        ev.put("rejected", 6);
        ev.put("baseline_peers", 4);
        return new Alert("5d0c1f7e-1", "port-scan", Alert.Kind.DETECTION, Severity.HIGH, 0.97,
                Instant.parse("2026-01-08T19:14:17.929Z"), Instant.parse("2026-01-08T19:14:18.210Z"),
                new Alert.Source("3759aa1d", "web-00-3759aa1d", "shop/web-00", "registry.local/shop/web-00:1.4.2",
                        "node-05", "10.244.5.57"),
                new Alert.Targets(37, List.of(new Alert.Target("10.244.40.32", 22, null))), ev, List.of("T1046"),
                "shop/web-00 replica web-00-3759aa1d probed 37 addresses on port 22 in 1.2 s.", 1,
                List.of(new Alert.Stage("8f1b5a52-2", "port-scan", 1, Instant.parse("2026-01-08T19:14:17.929Z"),
                        Instant.parse("2026-01-08T19:14:18.210Z"), Severity.HIGH, 0.97, List.of("T1046"),
                        "shop/web-00 replica web-00-3759aa1d probed 37 addresses on port 22 in 1.2 s.", ev)),
                new Coverage("ok", 0, 0, 0, 0));
    }

    @Test
    void carriesExactlyTheContractFieldNames() throws Exception {
        JsonNode n = new ObjectMapper().readTree(AlertJson.toJson(sample()));
        Set<String> names = new TreeSet<>();
        n.fieldNames().forEachRemaining(names::add);
        assertTrue(names.containsAll(Set.of("id", "detector", "severity", "score", "first_seen", "detected_at", "source",
                "targets", "evidence", "mitre", "summary")), names.toString());
        assertEquals("high", n.get("severity").asText());
        assertEquals("2026-01-08T19:14:17.929Z", n.get("first_seen").asText());
        assertEquals("2026-01-08T19:14:18.210Z", n.get("detected_at").asText());
        assertEquals("3759aa1d", n.get("source").get("container_id").asText());
        assertEquals("10.244.5.57", n.get("source").get("ip").asText());
        assertEquals(37, n.get("targets").get("count").asInt());
        JsonNode target = n.get("targets").get("sample").get(0);
        assertEquals(22, target.get("port").asInt());
        assertTrue(target.has("workload") && target.get("workload").isNull());
        assertEquals(31, n.get("evidence").get("unanswered").asInt());
        assertEquals("T1046", n.get("mitre").get(0).asText());
        assertEquals("detection", n.get("kind").asText());
        assertEquals(1, n.get("revision").asInt());
        JsonNode stage = n.get("stages").get(0);
        assertEquals("8f1b5a52-2", stage.get("id").asText());
        assertEquals("port-scan", stage.get("detector").asText());
        assertEquals(1, stage.get("revision").asInt());
        assertEquals("2026-01-08T19:14:17.929Z", stage.get("first_seen").asText());
        assertEquals("high", stage.get("severity").asText());
    }

    @Test
    void roundTrips() {
        Alert a = sample();
        Alert back = AlertJson.parse(AlertJson.toJson(a));
        assertEquals(a.id(), back.id());
        assertEquals(a.severity(), back.severity());
        assertEquals(a.firstSeen(), back.firstSeen());
        assertEquals(a.source(), back.source());
        assertEquals(a.targets(), back.targets());
        assertEquals(a.stages(), back.stages());
        assertEquals(AlertJson.toJson(a), AlertJson.toJson(back));
    }
}
