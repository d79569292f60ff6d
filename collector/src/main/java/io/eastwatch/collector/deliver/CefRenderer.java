package io.eastwatch.collector.deliver;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * One syslog message (RFC 5424 header) carrying an ArcSight CEF:0 record. Header fields escape
 * '|' and '\', extension values escape '=' and '\' and newlines, as the CEF spec requires. The
 * transport adds the octet-counting frame (RFC 6587) so messages survive newlines in summaries.
 */
final class CefRenderer implements AlertRenderer {

    @Override
    public byte[] render(AlertView a) {
        int cefSeverity = switch (AlertView.severityRank(a.severity())) {
            case 0 -> 1;
            case 1 -> 3;
            case 2 -> 5;
            case 3 -> 8;
            default -> 10;
        };
        StringBuilder cef = new StringBuilder(512);
        cef.append("CEF:0|eastwatch|eastwatch|0.1|").append(header(a.detector())).append('|')
                .append(header(a.summary())).append('|').append(cefSeverity).append('|');
        ext(cef, "externalId", a.id());
        ext(cef, "cs1Label", "workload");
        ext(cef, "cs1", a.sourceText("workload"));
        ext(cef, "cs2Label", "revision");
        ext(cef, "cs2", Integer.toString(a.revision()));
        ext(cef, "cs3Label", "mitre");
        StringBuilder mitre = new StringBuilder();
        a.json().path("mitre").forEach(t -> mitre.append(mitre.length() == 0 ? "" : ",").append(t.asText()));
        ext(cef, "cs3", mitre.toString());
        ext(cef, "src", a.sourceText("ip"));
        ext(cef, "shost", a.sourceText("name"));
        ext(cef, "dvchost", a.sourceText("host"));
        ext(cef, "cnt", Integer.toString(a.json().path("targets").path("count").asInt(0)));
        try {
            ext(cef, "rt", Long.toString(Instant.parse(a.json().path("detected_at").asText()).toEpochMilli()));
        } catch (DateTimeParseException e) {
            // no detection time: the SIEM uses its receipt time
        }
        ext(cef, "msg", a.summary());
        String host = a.sourceText("host").isEmpty() ? "-" : a.sourceText("host").replace(' ', '_');
        // <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG ; facility local4 (20), severity warning (4)
        String line = String.format(Locale.ROOT, "<%d>1 %s %s eastwatch - alert - %s", 20 * 8 + 4,
                a.json().path("detected_at").asText("-"), host, cef.toString().trim());
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace('\n', ' ').replace('\r', ' ');
    }

    private static void ext(StringBuilder sb, String key, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        sb.append(key).append('=').append(value.replace("\\", "\\\\").replace("=", "\\=")
                .replace("\r", "\\r").replace("\n", "\\n")).append(' ');
    }
}
