package io.eastwatch.collector.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * OCSF 1.1 Detection Finding (class_uid 2004, category 2 "Findings"): the first revision of an
 * alert is activity 1 (Create), later revisions activity 2 (Update) of the same finding uid. The
 * whole eastwatch alert rides along in {@code unmapped} so nothing is lost in translation.
 */
final class OcsfRenderer implements AlertRenderer {
    static final String OCSF_VERSION = "1.1.0";

    @Override
    public byte[] render(AlertView a) {
        ObjectNode f = AlertView.JSON.createObjectNode();
        int activity = a.revision() <= 1 ? 1 : 2;
        f.put("class_uid", 2004);
        f.put("class_name", "Detection Finding");
        f.put("category_uid", 2);
        f.put("category_name", "Findings");
        f.put("activity_id", activity);
        f.put("activity_name", activity == 1 ? "Create" : "Update");
        f.put("type_uid", 2004 * 100 + activity);
        f.put("severity_id", severityId(a.severity()));
        f.put("severity", capitalize(a.severity()));
        f.put("status_id", 1);
        f.put("status", "New");
        f.put("message", a.summary());
        long detected = epochMillis(a.json().path("detected_at"));
        if (detected >= 0) {
            f.put("time", detected);
        }
        f.put("confidence_score", (int) Math.round(Math.max(0, Math.min(1, a.score())) * 100));

        ObjectNode info = f.putObject("finding_info");
        info.put("uid", a.id());
        info.put("title", "eastwatch " + a.detector());
        info.put("desc", a.summary());
        long first = epochMillis(a.json().path("first_seen"));
        if (first >= 0) {
            info.put("first_seen_time", first);
        }
        if (detected >= 0) {
            info.put("last_seen_time", detected);
        }
        info.putArray("types").add(a.detector());
        ObjectNode analytic = info.putObject("analytic");
        analytic.put("name", a.detector());
        analytic.put("type_id", 5); // "Statistical": baselines and sequential tests
        analytic.put("type", "Statistical");
        ArrayNode attacks = info.putArray("attacks");
        for (JsonNode t : a.json().path("mitre")) {
            ObjectNode attack = attacks.addObject();
            attack.putObject("technique").put("uid", t.asText());
            attack.put("version", "14");
        }

        ObjectNode meta = f.putObject("metadata");
        meta.put("version", OCSF_VERSION);
        ObjectNode product = meta.putObject("product");
        product.put("name", "eastwatch");
        product.put("vendor_name", "eastwatch");
        meta.put("uid", a.id() + "#" + a.revision());

        ObjectNode src = f.putArray("resources").addObject();
        src.put("type", "container");
        src.put("uid", a.sourceText("container_id"));
        src.put("name", a.sourceText("name"));
        src.putObject("labels_map").put("workload", a.sourceText("workload"));
        ObjectNode endpoint = f.putObject("src_endpoint");
        if (!a.sourceText("ip").isEmpty()) {
            endpoint.put("ip", a.sourceText("ip"));
        }
        if (!a.sourceText("host").isEmpty()) {
            endpoint.put("hostname", a.sourceText("host"));
        }
        ObjectNode container = endpoint.putObject("container");
        container.put("uid", a.sourceText("container_id"));
        container.put("name", a.sourceText("name"));
        container.putObject("image").put("name", a.sourceText("image"));

        f.set("unmapped", a.json());
        return f.toString().getBytes(StandardCharsets.UTF_8);
    }

    static int severityId(String severity) {
        return switch (AlertView.severityRank(severity)) {
            case 0 -> 1;
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 4;
            default -> 5;
        };
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static long epochMillis(JsonNode n) {
        if (!n.isTextual()) {
            return -1;
        }
        try {
            return Instant.parse(n.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
