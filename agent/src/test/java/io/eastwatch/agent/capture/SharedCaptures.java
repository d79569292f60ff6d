package io.eastwatch.agent.capture;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared/pcaps (system property {@code eastwatch.shared}); fails when it is missing. */
public final class SharedCaptures {
    private SharedCaptures() {
    }

    public static Path pcaps() {
        String prop = System.getProperty("eastwatch.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "shared");
        Path dir = shared.resolve("pcaps");
        if (!Files.isDirectory(dir)) {
            // Fall back to the repository layout: <root>/../shared.
            String root = System.getProperty("eastwatch.root");
            if (root != null) {
                dir = Path.of(root).resolve("../shared/pcaps").normalize();
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("shared captures missing: " + dir.toAbsolutePath()
                    + " (set -Deastwatch.shared=<dir holding pcaps/>)");
        }
        return dir;
    }
}
