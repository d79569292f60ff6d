package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a real process capturing live on loopback: /healthz and /metrics answer, SIGTERM
 * stops it gracefully and the flows of our own HTTP requests are flushed on the way out.
 */
class AgentDaemonProcessTest {

    @Test
    void liveAgentServesOpsAndFlushesFlowsOnSigterm(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("agent.yaml");
        Files.writeString(cfg, """
                agent: {id: test-agent, shutdown_timeout: 10s}
                capture: {interfaces: [lo], auto_discover: false, bpf_filter: "tcp port %d"}
                identity: {docker: {enabled: false}, proc: {enabled: false}}
                ops: {bind_address: 127.0.0.1, port: %d}
                output: json
                """.formatted(port, port));
        Path out = dir.resolve("out.jsonl");
        Path err = dir.resolve("err.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agent = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "agent", "--config", cfg.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
            JsonNode body = null;
            int status = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // ready once the ops server answers and the capture has opened lo
            while (System.nanoTime() < deadline && agent.isAlive()
                    && (body == null || !body.at("/checks/capture/detail").asText().equals("running, 1 interfaces"))) {
                try {
                    HttpResponse<String> h = client.send(HttpRequest.newBuilder(health).build(),
                            HttpResponse.BodyHandlers.ofString());
                    status = h.statusCode();
                    body = new ObjectMapper().readTree(h.body());
                } catch (java.io.IOException notYet) {
                    body = null;
                }
                Thread.sleep(200);
            }
            assertTrue(body != null, "ops server never answered; stderr:\n" + Files.readString(err));
            assertEquals("running, 1 interfaces", body.at("/checks/capture/detail").asText(), body.toString());
            assertEquals(200, status, body.toString());
            assertEquals("UP", body.at("/checks/flow_table/status").asText(), body.toString());

            // a fresh connection, so the capture sees its handshake
            String scrape;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                scrape = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(scrape.startsWith("HTTP/1.1 200 OK"), scrape.lines().findFirst().orElse(""));
            assertTrue(scrape.contains("jvm_memory_used_bytes"));
            assertTrue(scrape.contains("eastwatch_agent_"), "agent meters are exported");
            // let the capture thread take our packets before stopping it
            Thread.sleep(1000);
        } finally {
            agent.destroy(); // SIGTERM
        }
        assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "agent did not stop within 30 s");
        String log = Files.readString(err);
        assertEquals(143, agent.exitValue(), log);
        assertTrue(log.contains("shutdown: flush flow table done"), log);
        assertTrue(log.contains("agent stopped cleanly"), log);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        boolean sawOurs = false;
        for (String l : lines) {
            JsonNode f = new ObjectMapper().readTree(l);
            assertEquals("test-agent", f.get("agentId").asText());
            sawOurs |= f.path("dstPort").asInt() == port && "ESTABLISHED".equals(f.path("outcome").asText());
        }
        assertTrue(sawOurs, "no established flow to the ops port in:\n" + String.join("\n", lines) + "\n" + log);
        assertTrue(new File(out.toString()).length() > 0);
    }
}
