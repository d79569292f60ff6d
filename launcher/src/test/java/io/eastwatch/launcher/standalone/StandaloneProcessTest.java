package io.eastwatch.launcher.standalone;

import io.eastwatch.testkit.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eastwatch standalone} as a process on the lab's interfaces: the banner says where the API,
 * metrics and alert log are, the API answers with the printed token, and SIGTERM (what Ctrl-C and
 * systemd send) stops it with every flow record judged.
 */
class StandaloneProcessTest {

    private static final Pattern API = Pattern.compile("alerts API\\s+(http://\\S+)");
    private static final Pattern TOKEN = Pattern.compile("API token\\s+(\\S+)");

    @TempDir
    Path dir;

    @Test
    void printsWhereEverythingIsAndStopsOnSigtermWithEveryFlowJudged() throws Exception {
        Lab.ensureUp();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stdout = dir.resolve("stdout.log");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.eastwatch.launcher.Main", "standalone", "--learn", "5s", "--interfaces", Lab.hostVeth("lab-web-001"), "--api-port", "0", "--agent-metrics-port",
                "0", "--data-dir", dir.resolve("data").toString(), "--duration", "5m")
                .redirectOutput(stdout.toFile()).redirectError(dir.resolve("stderr.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(stdout).contains("Learning normal traffic") && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String text = Files.readString(stdout);
            Matcher api = API.matcher(text);
            Matcher token = TOKEN.matcher(text);
            assertTrue(api.find() && token.find(), "banner: " + text + "\nstderr: " + stderr());
            assertTrue(text.contains("alert log") && text.contains(dir.resolve("data").resolve("alerts.jsonl").toString())
                    && text.contains("/metrics") && text.contains("capturing"), text);

            HttpResponse<String> r1 = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.group(1)))
                    .header("Authorization", "Bearer " + token.group(1)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r1.statusCode(), r1.body());

            Thread.sleep(2000); // some lab traffic through the pipeline
            p.destroy(); // SIGTERM
        } finally {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        List<String> lines = Files.readAllLines(stdout);
        String all = String.join("\n", lines);
        assertEquals(143, p.exitValue(), "exit on SIGTERM: " + all + "\nstderr: " + stderr());
        assertTrue(all.contains("stopping") && Pattern.compile("stopped; \\d+ alert\\(s\\) in .*; all \\d+ flow records judged")
                .matcher(all).find(), all + "\nstderr: " + stderr());
        assertTrue(Files.exists(dir.resolve("data").resolve("alerts.jsonl")), "the alert log exists");
    }

    private String stderr() throws java.io.IOException {
        return Files.readString(dir.resolve("stderr.log"));
    }
}
