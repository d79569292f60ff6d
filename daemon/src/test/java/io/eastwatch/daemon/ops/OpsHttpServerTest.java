package io.eastwatch.daemon.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.DaemonMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The whole server over a real loopback socket, with the daemon's JVM and process meters. */
class OpsHttpServerTest {

    @Test
    void servesMetricsHealthAndErrorsOverTcp() throws Exception {
        try (DaemonMetrics metrics = new DaemonMetrics()) {
            HealthRoute health = new HealthRoute().register("capture", () -> HealthCheck.Result.up("ok"));
            OpsRoutes routes = new OpsRoutes().get("/metrics", new MetricsRoute(metrics.registry())).get("/healthz", health);
            try (OpsHttpServer server = new OpsHttpServer(new OpsHttpSettings("127.0.0.1", 0), routes,
                    metrics.registry(), "eastwatch.test")) {
                InetSocketAddress a = server.start();
                assertTrue(a.getAddress().isLoopbackAddress());
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                String base = "http://127.0.0.1:" + a.getPort();

                HttpResponse<String> m = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, m.statusCode());
                for (String name : new String[] {"jvm_memory_used_bytes", "jvm_threads_live_threads",
                        "process_uptime_seconds", "jvm_gc_", "process_cpu_usage"}) {
                    assertTrue(m.body().contains(name), name);
                }

                HttpResponse<String> h = client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, h.statusCode());
                assertTrue(h.body().contains("\"status\":\"UP\""), h.body());

                HttpResponse<String> nf = client.send(HttpRequest.newBuilder(URI.create(base + "/x")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, nf.statusCode());

                // the port is taken now: a second server must fail to start, not hang
                try (OpsHttpServer clash = new OpsHttpServer(new OpsHttpSettings("127.0.0.1", a.getPort()), routes,
                        metrics.registry(), "eastwatch.test2")) {
                    assertThrows(IOException.class, clash::start);
                }
            }
        }
    }
}
