package io.eastwatch.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus (Debian's package, /usr/bin/prometheus) on loopback scraping the given
 * targets every second, for the dashboard tests. Stopped by its PID.
 */
final class PrometheusProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    PrometheusProcess(Path dir, List<String> agentTargets, List<String> collectorTargets) throws IOException {
        Path binary = Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("/usr/bin/prometheus missing: run scripts/install-deps.sh (Debian package prometheus)");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                + job("eastwatch-agent", agentTargets) + job("eastwatch-collector", collectorTargets));
        process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    private static String job(String name, List<String> targets) {
        StringBuilder sb = new StringBuilder("  - job_name: ").append(name).append("\n    static_configs:\n      - targets: [");
        for (int i = 0; i < targets.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(targets.get(i)).append('"');
        }
        return sb.append("]\n").toString();
    }

    /** Waits until every target has been scraped successfully at least once. */
    void awaitTargetsUp(int expected, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + process.exitValue());
            }
            try {
                JsonNode r = get("/api/v1/targets");
                int up = 0;
                for (JsonNode t : r.path("data").path("activeTargets")) {
                    if (t.path("health").asText().equals("up")) {
                        up++;
                    }
                }
                if (up >= expected) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("prometheus targets not up within " + max);
            }
            Thread.sleep(200);
        }
    }

    /** Runs an instant query; returns the result array. */
    JsonNode query(String expr) throws Exception {
        JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        if (!r.path("status").asText().equals("success")) {
            throw new AssertionError("query failed: " + expr + ": " + r);
        }
        return r.path("data").path("result");
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(resp.body());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
