package io.eastwatch.agent.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where ../shared/pcaps is: the eastwatch.shared property set by the parent pom, else ../shared. */
final class SharedCaptures {

    private SharedCaptures() {
    }

    static Path root() {
        String prop = System.getProperty("eastwatch.shared");
        Path shared = prop != null ? Paths.get(prop) : Paths.get("..", "shared");
        Path pcaps = shared.resolve("pcaps");
        if (!Files.isDirectory(pcaps)) {
            Path fallback = Paths.get("..", "..", "shared", "pcaps");
            if (Files.isDirectory(fallback)) {
                return fallback;
            }
            throw new IllegalStateException("shared captures missing: " + pcaps.toAbsolutePath()
                    + " (set -Deastwatch.shared)");
        }
        return pcaps;
    }
}
