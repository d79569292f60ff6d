package io.eastwatch.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eastwatch.collector.deliver.AlertView;
import io.eastwatch.daemon.ops.OpsHttpServer;
import io.eastwatch.daemon.ops.OpsHttpSettings;
import io.eastwatch.daemon.ops.OpsRoutes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API over a real socket: auth, filters, paging, approvals, errors. */
class ApiRoutesTest {
    private static final String TOKEN = "test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Approval> approved = new ArrayList<>();
    private final List<String> revokedBy = new ArrayList<>();
    /** The approvals the API talks to: what was posted, and one edge the configuration approves. */
    private final Approval.Sink approvals = new Approval.Sink() {
        @Override
        public void approve(Approval a) {
            approved.add(a);
        }

        @Override
        public Approval.Revocation revoke(Approval edge, String by, String reason) {
            if (edge.sourceWorkload().equals("shop/web") && edge.targetWorkload().equals("kube-system/dns")) {
                return Approval.Revocation.CONFIGURED;
            }
            boolean removed = approved.removeIf(a -> a.sourceWorkload().equals(edge.sourceWorkload())
                    && a.targetWorkload().equals(edge.targetWorkload()) && a.port() == edge.port()
                    && a.protocol().equals(edge.protocol()));
            if (removed) {
                revokedBy.add(by + ": " + reason);
            }
            return removed ? Approval.Revocation.REVOKED : Approval.Revocation.NOT_APPROVED;
        }
    };
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private OpsHttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        AlertIndex index = new AlertIndex(1000);
        String[][] alerts = {
            {"a1", "port-scan", "high", "shop/web", "2026-01-08T19:14:18Z"},
            {"a2", "brute-force", "critical", "shop/api", "2026-01-08T19:20:00Z"},
            {"a3", "new-lateral-edge", "medium", "shop/web", "2026-01-08T19:30:00Z"},
            {"a4", "port-scan", "low", "batch/etl", "2026-01-08T19:40:00Z"},
        };
        for (String[] a : alerts) {
            index.accept(AlertView.parse(("{\"id\":\"" + a[0] + "\",\"detector\":\"" + a[1] + "\",\"severity\":\"" + a[2]
                    + "\",\"summary\":\"s\",\"detected_at\":\"" + a[4] + "\",\"source\":{\"workload\":\"" + a[3]
                    + "\"},\"revision\":1}").getBytes(StandardCharsets.UTF_8)));
        }
        // a newer revision replaces the older one
        index.accept(AlertView.parse(("{\"id\":\"a1\",\"detector\":\"port-scan\",\"severity\":\"critical\",\"summary\":\"s2\","
                + "\"detected_at\":\"2026-01-08T19:14:18Z\",\"source\":{\"workload\":\"shop/web\"},\"revision\":2}")
                .getBytes(StandardCharsets.UTF_8)));
        BaselineView baseline = new BaselineView() {
            @Override
            public List<WorkloadSummary> workloads() {
                return List.of(new WorkloadSummary("shop/web", "monitoring", 3, 1, "2026-01-08T19:00:00Z"));
            }

            @Override
            public Optional<List<EdgeSummary>> baseline(String workload) {
                return workload.equals("shop/web")
                        ? Optional.of(List.of(new EdgeSummary("shop/db", 5432, "tcp", 10, 2000, "a", "b", false)))
                        : Optional.empty();
            }
        };
        OpsRoutes routes = new OpsRoutes();
        ApiRoutes.register(routes, List.of(TOKEN), index, null, baseline, approvals, registry);
        server = new OpsHttpServer(new OpsHttpSettings("127.0.0.1", 0), routes, registry, "eastwatch.collector");
        InetSocketAddress addr = server.start();
        base = "http://127.0.0.1:" + addr.getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String body, String token, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/baseline/approvals"))
                .method("DELETE", HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String body) throws Exception {
        return delete(body, TOKEN, "application/json");
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("error").asText();
    }

    @Test
    void authIsRequiredAndEnforced() throws Exception {
        assertEquals(401, get("/api/v1/alerts", null).statusCode());
        assertEquals(401, get("/api/v1/alerts", "wrong-token-0123456789").statusCode());
        assertEquals(401, get("/api/v1/alerts/a1", null).statusCode());
        assertEquals(401, get("/api/v1/workloads", null).statusCode());
        HttpResponse<String> r = get("/api/v1/alerts", TOKEN);
        assertEquals(200, r.statusCode());
        assertEquals(4.0, registry.get("eastwatch.collector.api.auth.failures").counter().count(), 0.0);
    }

    @Test
    void filtersAndPaging() throws Exception {
        JsonNode all = JSON.readTree(get("/api/v1/alerts", TOKEN).body());
        assertEquals(4, all.path("total").asInt());
        assertEquals("a4", all.path("items").get(0).path("id").asText(), "newest first");
        assertEquals(2, all.path("items").get(3).path("revision").asInt(), "newest revision held");

        JsonNode high = JSON.readTree(get("/api/v1/alerts?severity=high", TOKEN).body());
        assertEquals(2, high.path("total").asInt(), "a1 (now critical) and a2");
        JsonNode web = JSON.readTree(get("/api/v1/alerts?workload=shop/web&detector=port-scan", TOKEN).body());
        assertEquals(1, web.path("total").asInt());
        JsonNode window = JSON.readTree(get("/api/v1/alerts?since=2026-01-08T19:15:00Z&until=2026-01-08T19:35:00Z", TOKEN).body());
        assertEquals(2, window.path("total").asInt());

        JsonNode p1 = JSON.readTree(get("/api/v1/alerts?limit=3", TOKEN).body());
        assertEquals(3, p1.path("items").size());
        assertEquals(3, p1.path("next_offset").asInt());
        JsonNode p2 = JSON.readTree(get("/api/v1/alerts?limit=3&offset=3", TOKEN).body());
        assertEquals(1, p2.path("items").size());
        assertTrue(p2.path("next_offset").isNull());

        assertEquals("a2", JSON.readTree(get("/api/v1/alerts/a2", TOKEN).body()).path("id").asText());
        assertEquals(404, get("/api/v1/alerts/nope", TOKEN).statusCode());
    }

    @Test
    void badParametersAreNamed() throws Exception {
        HttpResponse<String> r = get("/api/v1/alerts?limit=0", TOKEN);
        assertEquals(400, r.statusCode());
        assertTrue(JSON.readTree(r.body()).path("error").asText().startsWith("limit: 0"), r.body());
        r = get("/api/v1/alerts?since=yesterday", TOKEN);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("since: yesterday"), r.body());
        r = get("/api/v1/alerts?colour=red", TOKEN);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("unknown parameter colour"), r.body());
        r = get("/api/v1/alerts?severity=urgent", TOKEN);
        assertEquals(400, r.statusCode());
    }

    @Test
    void workloadsAndBaseline() throws Exception {
        JsonNode w = JSON.readTree(get("/api/v1/workloads", TOKEN).body());
        assertEquals("shop/web", w.path("items").get(0).path("workload").asText());
        JsonNode b = JSON.readTree(get("/api/v1/workloads/shop/web/baseline", TOKEN).body());
        assertEquals(5432, b.path("edges").get(0).path("port").asInt());
        assertEquals(200, get("/api/v1/workloads/shop%2Fweb/baseline", TOKEN).statusCode());
        assertEquals(404, get("/api/v1/workloads/none/baseline", TOKEN).statusCode());
        assertEquals(404, get("/api/v1/workloads/shop/web", TOKEN).statusCode());
    }

    @Test
    void approvalsAreValidatedAndApplied() throws Exception {
        HttpResponse<String> r = post("/api/v1/baseline/approvals",
                "{\"source_workload\":\"shop/web\",\"target_workload\":\"shop/db\",\"port\":5432,\"reason\":\"new dependency\"}");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(1, approved.size());
        assertEquals("tcp", approved.get(0).protocol());

        r = post("/api/v1/baseline/approvals", "{\"source_workload\":\"shop/web\",\"port\":5432}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("target_workload: missing"), r.body());
        r = post("/api/v1/baseline/approvals", "{\"source_workload\":\"a\",\"target_workload\":\"b\",\"port\":70000}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("port: 70000"), r.body());
        r = post("/api/v1/baseline/approvals", "not json");
        assertEquals(400, r.statusCode());
        r = post("/api/v1/baseline/approvals", "{\"source_workload\":\"a\",\"target_workload\":\"b\",\"port\":1,\"x\":1}");
        assertTrue(r.body().contains("unknown field x"), r.body());
        r = post("/api/v1/baseline/approvals", "{\"pad\":\"" + "x".repeat(200_000) + "\"}");
        assertEquals(413, r.statusCode(), "oversized bodies are refused");
        assertEquals(1, approved.size(), "nothing else was approved");
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/baseline/approvals"))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void revocationsAreAuthorizedValidatedAndAnswered() throws Exception {
        String edge = "{\"source_workload\":\"shop/web\",\"target_workload\":\"shop/db\",\"port\":5432";
        assertEquals(201, post("/api/v1/baseline/approvals", edge + ",\"approved_by\":\"ana\"}").statusCode());

        assertEquals(401, delete(edge + "}", null, "application/json").statusCode());
        assertEquals(401, delete(edge + "}", "wrong-token-0123456789", "application/json").statusCode());
        assertEquals(1, approved.size(), "an unauthorized revocation changes nothing");

        HttpResponse<String> r = delete("{\"source_workload\":\"shop/web\",\"port\":5432}");
        assertEquals(400, r.statusCode());
        assertTrue(error(r).startsWith("target_workload: missing"), r.body());
        r = delete("{\"source_workload\":\"shop/web\",\"target_workload\":\"shop/db\"}");
        assertEquals(400, r.statusCode());
        assertTrue(error(r).startsWith("port: missing"), r.body());
        r = delete(edge + ",\"protocol\":\"sctp\"}");
        assertEquals(400, r.statusCode());
        assertTrue(error(r).startsWith("protocol: sctp"), r.body());
        r = delete(edge + ",\"approved_by\":\"ana\"}");
        assertEquals(400, r.statusCode(), "the POST body's approver is not a revocation's field");
        assertTrue(error(r).startsWith("unknown field approved_by"), r.body());
        r = delete(edge + ",\"revoked_by\":7}");
        assertEquals(400, r.statusCode());
        assertTrue(error(r).startsWith("revoked_by: not a string"), r.body());
        assertEquals(400, delete("[1]").statusCode());
        assertEquals(415, delete(edge + "}", TOKEN, "text/plain").statusCode());
        assertEquals(1, approved.size(), "no bad request revoked anything");

        r = delete("{\"source_workload\":\"shop/web\",\"target_workload\":\"kube-system/dns\",\"port\":53,"
                + "\"protocol\":\"udp\"}");
        assertEquals(409, r.statusCode(), r.body());
        assertEquals("shop/web -> kube-system/dns port 53/udp is approved by configuration (detection.approved_edges):"
                + " the API cannot revoke it; remove it from detection.approved_edges and restart the collectors", error(r));

        r = delete(edge + ",\"protocol\":\"udp\"}");
        assertEquals(404, r.statusCode(), "an approval of 5432/tcp is not one of 5432/udp");
        assertEquals("no approval of shop/web -> shop/db port 5432/udp made through the API", error(r));

        r = delete(edge + ",\"revoked_by\":\"ana\",\"reason\":\"approved by mistake\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.path("revoked").asBoolean());
        assertEquals("tcp", body.path("protocol").asText());
        assertEquals("ana", body.path("revoked_by").asText());
        assertEquals(List.of("ana: approved by mistake"), revokedBy);
        assertEquals(0, approved.size());
        assertEquals(404, delete(edge + "}").statusCode(), "revoked once, then gone");
    }
}
