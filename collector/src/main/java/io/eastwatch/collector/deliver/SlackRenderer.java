package io.eastwatch.collector.deliver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Slack incoming-webhook message: a headline line plus the summary, readable in a channel. */
final class SlackRenderer implements AlertRenderer {

    @Override
    public byte[] render(AlertView a) {
        String name = a.sourceText("name");
        String workload = a.sourceText("workload");
        String text = String.format(Locale.ROOT, "*eastwatch %s* `%s` on %s (%s): %s (alert %s, revision %d)",
                a.severity().toUpperCase(Locale.ROOT), a.detector(),
                name.isEmpty() ? a.sourceText("ip") : name, workload.isEmpty() ? "unknown workload" : workload,
                a.summary(), a.id(), a.revision());
        ObjectNode body = AlertView.JSON.createObjectNode();
        body.put("text", text);
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
