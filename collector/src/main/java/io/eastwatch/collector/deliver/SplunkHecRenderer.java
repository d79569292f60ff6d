package io.eastwatch.collector.deliver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Splunk HTTP Event Collector event: {"time": epoch seconds of detection, "sourcetype":
 * "eastwatch:alert", "source": "eastwatch", "event": the alert}. The token goes in the
 * Authorization header ("Splunk TOKEN"), set by the HTTP transport.
 */
final class SplunkHecRenderer implements AlertRenderer {

    @Override
    public byte[] render(AlertView a) {
        ObjectNode body = AlertView.JSON.createObjectNode();
        try {
            Instant t = Instant.parse(a.json().path("detected_at").asText());
            body.put("time", t.getEpochSecond() + t.getNano() / 1e9);
        } catch (DateTimeParseException e) {
            // no event time in the alert: Splunk then stamps the event with its receipt time
        }
        body.put("source", "eastwatch");
        body.put("sourcetype", "eastwatch:alert");
        String host = a.sourceText("host");
        if (!host.isEmpty()) {
            body.put("host", host);
        }
        body.set("event", a.json());
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
