package io.eastwatch.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the Grafana dashboards under dashboards/ and lists every panel query. */
final class DashboardFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Query(String dashboard, String panel, String expr) {
    }

    static Path dir() {
        String root = System.getProperty("eastwatch.root");
        Path base = root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
        return base.resolve("dashboards");
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    static List<Query> queries() throws IOException {
        List<Query> out = new ArrayList<>();
        for (Path p : files()) {
            JsonNode d = read(p);
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    out.add(new Query(d.path("uid").asText(), panel.path("title").asText(), t.path("expr").asText()));
                }
            }
        }
        return out;
    }
}
