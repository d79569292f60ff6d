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
import org.junit.jupiter.api.Test;

/**
 * Grafana is not packaged here, so the dashboards are checked structurally: fixed uids, unique
 * panel ids, every panel on the provisioned datasource with at least one query, a sane grid; the
 * queries themselves run against a real Prometheus in {@link DashboardQueriesTest}.
 */
class DashboardStructureTest {

    @Test
    void dashboardsAreWellFormed() throws Exception {
        List<Path> files = DashboardFiles.files();
        assertEquals(3, files.size(), "SOC overview, agent health, pipeline: " + files);
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
                for (JsonNode t : p.path("targets")) {
                    assertFalse(t.path("expr").asText().isBlank(), where + ": empty expr");
                    assertTrue(t.path("expr").asText().contains("eastwatch_"), where + ": queries eastwatch metrics");
                }
                JsonNode g = p.path("gridPos");
                assertTrue(g.path("w").asInt() > 0 && g.path("w").asInt() + g.path("x").asInt() <= 24, where + ": grid width");
                assertTrue(g.path("h").asInt() > 0, where + ": grid height");
            }
        }
    }
}
