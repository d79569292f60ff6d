package io.eastwatch.collector.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eastwatch.collector.deliver.DeadLetter;
import io.eastwatch.collector.deliver.DeadLetterStore;
import io.eastwatch.daemon.ops.OpsResponse;
import io.eastwatch.daemon.ops.OpsRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The collector's HTTP API, added to the ops server's routes, every route behind bearer-token auth:
 * <pre>
 * GET  /api/v1/alerts                      since, until, severity (minimum), detector, workload, limit, offset
 * GET  /api/v1/alerts/{id}
 * GET  /api/v1/workloads
 * GET  /api/v1/workloads/{workload}/baseline   (workload names contain '/': shop/web, or %2F-encoded)
 * POST   /api/v1/baseline/approvals        {"source_workload","target_workload","port","protocol","reason","approved_by"}
 * DELETE /api/v1/baseline/approvals        {"source_workload","target_workload","port","protocol","reason","revoked_by"}
 * GET  /api/v1/deadletters
 * </pre>
 * Errors are JSON with the reason; bodies above the ops server's limit are refused with 413.
 */
public final class ApiRoutes {
    static final String PREFIX = "/api/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiRoutes() {
    }

    /**
     * Registers the API. {@code baseline} and {@code approvals} may be null when this process runs
     * no detection engine (then those routes answer 503).
     */
    public static void register(OpsRoutes routes, List<String> tokens, AlertIndex alerts, DeadLetterStore deadLetters,
                                BaselineView baseline, Approval.Sink approvals, MeterRegistry registry) {
        BearerTokenAuth auth = new BearerTokenAuth(tokens, registry);
        routes.get(PREFIX + "/alerts", auth.protect((req, uri) -> listAlerts(alerts, uri)));
        routes.addPrefix(PREFIX + "/alerts/", auth.protect((req, uri) -> {
            String id = decode(uri.path().substring((PREFIX + "/alerts/").length()));
            return alerts.get(id).map(a -> OpsResponse.json(HttpResponseStatus.OK, a))
                    .orElseGet(() -> OpsResponse.error(HttpResponseStatus.NOT_FOUND, "no alert " + id, uri.path()));
        }), HttpMethod.GET);
        routes.get(PREFIX + "/workloads", auth.protect((req, uri) -> baseline == null
                ? unavailable(uri) : OpsResponse.json(HttpResponseStatus.OK, Map.of("items", baseline.workloads()))));
        routes.addPrefix(PREFIX + "/workloads/", auth.protect((req, uri) -> workloadBaseline(baseline, uri)),
                HttpMethod.GET);
        routes.add(PREFIX + "/baseline/approvals", auth.protect((req, uri) -> HttpMethod.DELETE.equals(req.method())
                ? revoke(approvals, req, uri) : approve(approvals, req, uri)), HttpMethod.POST, HttpMethod.DELETE);
        routes.get(PREFIX + "/deadletters", auth.protect((req, uri) -> {
            if (deadLetters == null) {
                return OpsResponse.json(HttpResponseStatus.OK, Map.of("items", List.of(), "total", 0));
            }
            List<Map<String, Object>> items = new ArrayList<>();
            for (DeadLetter d : deadLetters.recent()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("target", d.target());
                m.put("alert_id", d.alertId());
                m.put("revision", d.revision());
                m.put("delivery_id", d.deliveryId());
                m.put("reason", d.reason());
                m.put("status", d.status());
                m.put("attempts", d.attempts());
                m.put("at", d.at().toString());
                items.add(m);
            }
            return OpsResponse.json(HttpResponseStatus.OK, Map.of("items", items, "total", deadLetters.total()));
        }));
    }

    private static OpsResponse listAlerts(AlertIndex alerts, QueryStringDecoder uri) {
        AlertQuery q;
        try {
            q = AlertQuery.parse(uri.parameters());
        } catch (IllegalArgumentException e) {
            return OpsResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), uri.path());
        }
        AlertIndex.Page page = alerts.query(q);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items());
        body.put("total", page.total());
        body.put("limit", q.limit());
        body.put("offset", q.offset());
        body.put("next_offset", page.nextOffset());
        return OpsResponse.json(HttpResponseStatus.OK, body);
    }

    private static OpsResponse workloadBaseline(BaselineView baseline, QueryStringDecoder uri) {
        if (baseline == null) {
            return unavailable(uri);
        }
        String rest = uri.path().substring((PREFIX + "/workloads/").length());
        if (!rest.endsWith("/baseline") || rest.length() == "/baseline".length()) {
            return OpsResponse.error(HttpResponseStatus.NOT_FOUND,
                    "not found (expected: /api/v1/workloads/{workload}/baseline)", uri.path());
        }
        String workload = decode(rest.substring(0, rest.length() - "/baseline".length()));
        Optional<List<BaselineView.EdgeSummary>> edges = baseline.baseline(workload);
        if (edges.isEmpty()) {
            return OpsResponse.error(HttpResponseStatus.NOT_FOUND, "unknown workload " + workload, uri.path());
        }
        return OpsResponse.json(HttpResponseStatus.OK, Map.of("workload", workload, "edges", edges.get()));
    }

    private static OpsResponse approve(Approval.Sink sink, FullHttpRequest req, QueryStringDecoder uri) throws Exception {
        if (sink == null) {
            return unavailable(uri);
        }
        Body body = body(req, uri, List.of("source_workload", "target_workload", "port", "protocol", "reason", "approved_by"));
        if (body.error != null) {
            return body.error;
        }
        JsonNode n = body.json;
        Approval a;
        try {
            a = new Approval(text(n, "source_workload"), text(n, "target_workload"), n.path("port").asInt(),
                    text(n, "protocol"), text(n, "reason"), text(n, "approved_by"));
        } catch (IllegalArgumentException e) {
            return OpsResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), uri.path());
        }
        sink.approve(a);
        return OpsResponse.json(HttpResponseStatus.CREATED, a.toJson());
    }

    /**
     * Revokes an approval made through the API. The edge is named by the same fields as the approval's
     * (a body, as for POST); a configuration approval is refused with 409, an edge with no approval 404.
     */
    private static OpsResponse revoke(Approval.Sink sink, FullHttpRequest req, QueryStringDecoder uri) throws Exception {
        if (sink == null) {
            return unavailable(uri);
        }
        Body body = body(req, uri, List.of("source_workload", "target_workload", "port", "protocol", "reason", "revoked_by"));
        if (body.error != null) {
            return body.error;
        }
        JsonNode n = body.json;
        Approval edge;
        String reason;
        String revokedBy;
        try {
            reason = text(n, "reason");
            revokedBy = text(n, "revoked_by");
            edge = new Approval(text(n, "source_workload"), text(n, "target_workload"), n.path("port").asInt(),
                    text(n, "protocol"), "", "");
        } catch (IllegalArgumentException e) {
            return OpsResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), uri.path());
        }
        reason = reason == null ? "" : reason;
        revokedBy = revokedBy == null ? "" : revokedBy;
        return switch (sink.revoke(edge, revokedBy, reason)) {
            case REVOKED -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("source_workload", edge.sourceWorkload());
                m.put("target_workload", edge.targetWorkload());
                m.put("port", edge.port());
                m.put("protocol", edge.protocol());
                m.put("revoked", true);
                m.put("reason", reason);
                m.put("revoked_by", revokedBy);
                yield OpsResponse.json(HttpResponseStatus.OK, m);
            }
            case NOT_APPROVED -> OpsResponse.error(HttpResponseStatus.NOT_FOUND,
                    "no approval of " + edge.describe() + " made through the API", uri.path());
            case CONFIGURED -> OpsResponse.error(HttpResponseStatus.CONFLICT, edge.describe()
                    + " is approved by configuration (detection.approved_edges): the API cannot revoke it;"
                    + " remove it from detection.approved_edges and restart the collectors", uri.path());
        };
    }

    /** A request's JSON object, or the error to answer. */
    private record Body(JsonNode json, OpsResponse error) {
    }

    /** The JSON object body with only {@code known} fields and an integer port, or the 415 / 400 to answer. */
    private static Body body(FullHttpRequest req, QueryStringDecoder uri, List<String> known) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return new Body(null, OpsResponse.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "content type " + (type.isEmpty() ? "missing" : type) + " (expected: application/json)", uri.path()));
        }
        JsonNode n;
        try (ByteBufInputStream in = new ByteBufInputStream(req.content().duplicate())) {
            n = JSON.readTree((java.io.InputStream) in);
        } catch (IOException e) {
            return new Body(null, OpsResponse.error(HttpResponseStatus.BAD_REQUEST, "body is not JSON", uri.path()));
        }
        if (n == null || !n.isObject()) {
            return new Body(null, OpsResponse.error(HttpResponseStatus.BAD_REQUEST, "body is not a JSON object", uri.path()));
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                return new Body(null, OpsResponse.error(HttpResponseStatus.BAD_REQUEST,
                        "unknown field " + f + " (expected: " + known + ")", uri.path()));
            }
        }
        if (!n.path("port").canConvertToInt() || !n.path("port").isIntegralNumber()) {
            return new Body(null, OpsResponse.error(HttpResponseStatus.BAD_REQUEST, "port: missing or not an integer",
                    uri.path()));
        }
        return new Body(n, null);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + ": not a string");
        }
        return v.asText();
    }

    private static OpsResponse unavailable(QueryStringDecoder uri) {
        return OpsResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "no detection engine in this process", uri.path());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
