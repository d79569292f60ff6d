package io.eastwatch.collector.alert;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Alerts as JSON lines ({@code --alerts-out}): one object per line, every revision, flushed at once
 * so a reader tailing the file sees an alert as soon as it is raised.
 */
public final class JsonLinesAlertSink implements AlertSink, AutoCloseable {

    private final BufferedWriter out;

    public JsonLinesAlertSink(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    @Override
    public synchronized void publish(Alert alert) {
        try {
            out.write(AlertJson.toJson(alert));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing alert " + alert.id(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
