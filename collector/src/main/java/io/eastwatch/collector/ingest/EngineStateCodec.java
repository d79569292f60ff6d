package io.eastwatch.collector.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eastwatch.collector.alert.AlertJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** A partition's snapshot as gzipped JSON (the state classes are plain field holders). */
final class EngineStateCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(AlertJson.module())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private EngineStateCodec() {
    }

    static byte[] encode(PartitionSnapshot s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Written on the consume thread at every commit and read only on restore: the fastest deflate
        // level, as a somewhat larger record costs far less than a slower consume loop.
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            MAPPER.writeValue(gz, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static PartitionSnapshot decode(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return MAPPER.readValue(in, PartitionSnapshot.class);
        }
    }
}
