package io.eastwatch.sim.truth;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eastwatch.sim.cluster.Cluster;
import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.wire.Nic;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the inventory file of DESIGN.md: every container that lived during the capture, with the
 * time its address was its own ({@code started} .. {@code stopped}).
 */
public final class InventoryWriter {
    private InventoryWriter() {
    }

    public static void write(Cluster cluster, Path file) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("containers");
            for (Container c : cluster.containers()) {
                g.writeRaw('\n');
                g.writeStartObject();
                g.writeStringField("id", c.id());
                g.writeStringField("name", c.name());
                g.writeStringField("image", c.image());
                g.writeStringField("workload", c.workload().name());
                g.writeStringField("host", c.host().name());
                g.writeArrayFieldStart("ips");
                g.writeString(Nic.format(c.nic().ip()));
                g.writeEndArray();
                g.writeObjectFieldStart("labels");
                g.writeStringField("app", c.workload().shortName());
                g.writeStringField("namespace", c.workload().namespace());
                g.writeStringField("tier", c.workload().tier().name().toLowerCase(java.util.Locale.ROOT));
                g.writeEndObject();
                g.writeStringField("started", EventTime.iso(c.startUs()));
                if (c.stopUs() == Long.MAX_VALUE) {
                    g.writeNullField("stopped");
                } else {
                    g.writeStringField("stopped", EventTime.iso(c.stopUs()));
                }
                g.writeEndObject();
            }
            g.writeRaw('\n');
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }
}
