package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Grafana is not packaged here, so the dashboards are checked structurally: fixed uids, unique
 * panel ids, every panel on the provisioned datasource with at least one query and a description
 * (what it shows, what to do when it looks wrong), a sane grid; the queries themselves run against
 * a real Prometheus in {@link DashboardQueriesTest}.
 */
class DashboardStructureTest {
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Set<String> UNBOUNDED = Set.of("agent", "agent_id", "ip", "address", "addr", "port", "container",
            "src", "dst", "peer");

    @Test
    void dashboardsAreWellFormed() throws Exception {
        List<Path> files = DashboardFiles.files();
        assertEquals(4, files.size(), "SOC overview, agent health, pipeline, collector group: " + files);
        Set<String> uids = new HashSet<>();
        String provisioning = Files.readString(DashboardFiles.dir().resolve("provisioning/datasources/eastwatch.yaml"));
        for (Path f : files) {
            JsonNode d = DashboardFiles.read(f);
            String uid = d.path("uid").asText();
            assertTrue(uid.startsWith("eastwatch-"), f + ": fixed uid, got " + uid);
            assertTrue(uids.add(uid), "uid unique: " + uid);
            assertFalse(d.path("title").asText().isEmpty(), f + ": title");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.path("panels")) {
                String where = f.getFileName() + " panel " + p.path("title").asText();
                assertTrue(ids.add(p.path("id").asInt()), where + ": unique id");
                String ds = p.path("datasource").path("uid").asText();
                assertTrue(provisioning.contains("uid: " + ds), where + ": datasource " + ds + " is provisioned");
                assertTrue(p.path("targets").size() > 0, where + ": has a query");
                assertFalse(p.path("description").asText().isBlank(), where + ": description for the operator");
                for (JsonNode t : p.path("targets")) {
                    assertFalse(t.path("expr").asText().isBlank(), where + ": empty expr");
                    assertTrue(t.path("expr").asText().contains("eastwatch_"), where + ": queries eastwatch metrics");
                    Matcher by = GROUPING.matcher(t.path("expr").asText());
                    while (by.find()) {
                        for (String label : by.group(1).split(",")) {
                            assertFalse(UNBOUNDED.contains(label.strip()), where + ": grouped by " + label.strip()
                                    + ", a per-agent or per-address series (panels aggregate; tags are bounded)");
                        }
                    }
                }
                JsonNode g = p.path("gridPos");
                assertTrue(g.path("w").asInt() > 0 && g.path("w").asInt() + g.path("x").asInt() <= 24, where + ": grid width");
                assertTrue(g.path("h").asInt() > 0, where + ": grid height");
            }
        }
    }
}
