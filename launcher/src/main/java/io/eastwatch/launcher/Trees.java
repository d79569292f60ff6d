package io.eastwatch.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes the work directories the launcher's commands create (embedded Kafka's logs, captures). */
public final class Trees {

    private static final Logger LOG = LoggerFactory.getLogger(Trees.class);

    private Trees() {
    }

    /**
     * Deletes {@code root} and everything under it; what cannot be deleted is logged (prefixed with
     * {@code who}) and left, never thrown: a leftover temporary file must not fail a finished run.
     */
    public static void delete(Path root, String who) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("{}: cannot delete {}: {}", who, p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("{}: cannot clean up {}: {}", who, root, e.getMessage());
        }
    }
}
