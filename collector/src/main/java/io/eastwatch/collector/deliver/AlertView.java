package io.eastwatch.collector.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Locale;

/**
 * An alert as read back from the alerts topic: the exact JSON bytes (what the generic format
 * sends and signs) and the few fields delivery needs. Delivery works from the topic, the source
 * of truth, not from the detector's objects, so it can run in its own process and resume there.
 */
public final class AlertView {
    static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] raw;
    private final ObjectNode node;

    private AlertView(byte[] raw, ObjectNode node) {
        this.raw = raw;
        this.node = node;
    }

    /** Parses an alerts-topic value; a record that is not an alert throws with the reason. */
    public static AlertView parse(byte[] value) throws MalformedAlertException {
        if (value == null || value.length == 0) {
            throw new MalformedAlertException("empty record");
        }
        JsonNode n;
        try {
            n = JSON.readTree(value);
        } catch (IOException e) {
            throw new MalformedAlertException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(n instanceof ObjectNode obj)) {
            throw new MalformedAlertException("not a JSON object");
        }
        for (String field : new String[] {"id", "detector", "severity", "summary"}) {
            if (!obj.path(field).isTextual() || obj.path(field).asText().isEmpty()) {
                throw new MalformedAlertException("field " + field + " missing or not a string");
            }
        }
        try {
            severityRank(obj.path("severity").asText());
        } catch (IllegalArgumentException e) {
            throw new MalformedAlertException(e.getMessage());
        }
        return new AlertView(value, obj);
    }

    public byte[] raw() {
        return raw;
    }

    public ObjectNode json() {
        return node;
    }

    public String id() {
        return node.path("id").asText();
    }

    public String detector() {
        return node.path("detector").asText();
    }

    public String severity() {
        return node.path("severity").asText();
    }

    public double score() {
        return node.path("score").asDouble(0);
    }

    public String summary() {
        return node.path("summary").asText();
    }

    public int revision() {
        return node.path("revision").asInt(1);
    }

    public String sourceText(String field) {
        JsonNode v = node.path("source").path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    public static int severityRank(String severity) {
        switch (severity.toLowerCase(Locale.ROOT)) {
            case "info":
                return 0;
            case "low":
                return 1;
            case "medium":
                return 2;
            case "high":
                return 3;
            case "critical":
                return 4;
            default:
                throw new IllegalArgumentException("severity: " + severity + " (expected: low, medium, high or critical)");
        }
    }

    /** An alerts-topic record that cannot be delivered at all. */
    public static final class MalformedAlertException extends Exception {
        public MalformedAlertException(String message) {
            super(message);
        }
    }
}
