package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InventoryResolverTest {
    @TempDir
    Path dir;

    static final String REUSED_IP = """
            {"containers": [
              {"id": "3759aa1d00000000000000000000000000000000000000000000000000000001", "name": "web-00-3759aa1d",
               "image": "registry.local/shop/web-00:1.4.2", "workload": "shop/web-00", "host": "node-05",
               "ips": ["10.244.5.57"], "labels": {"app": "web-00"},
               "started": "2026-01-08T18:58:56Z", "stopped": "2026-01-08T19:10:00Z"},
              {"id": "9a1b2c3d00000000000000000000000000000000000000000000000000000002", "name": "cart-7d9f8b6c5d-x2x4q",
               "image": "registry.local/shop/cart:2.3.1", "host": "node-05", "ips": ["10.244.5.57", "fd00::57"],
               "labels": {"io.kubernetes.pod.namespace": "shop", "io.kubernetes.pod.name": "cart-7d9f8b6c5d-x2x4q"},
               "started": "2026-01-08T19:12:30Z", "stopped": null}
            ]}
            """;

    static long micros(String instant) {
        Instant t = Instant.parse(instant);
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    private Path write(String json) throws Exception {
        Path f = dir.resolve("inventory.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void anIpBelongsToEachOwnerOnlyWhileItRan() throws Exception {
        var r = new InventoryResolver(InventorySettings.of(write(REUSED_IP)), new SimpleMeterRegistry());
        var ip = Addresses.of("10.244.5.57");
        assertEquals("web-00-3759aa1d", r.lookup(ip, micros("2026-01-08T19:05:00Z"), null).name());
        assertEquals("shop/web-00", r.lookup(ip, micros("2026-01-08T19:09:59.999Z"), null).workload());
        assertNull(r.lookup(ip, micros("2026-01-08T19:11:00Z"), null), "between the two owners nobody holds it");
        assertNull(r.lookup(ip, micros("2026-01-08T18:50:00Z"), null), "before the first owner started");
        var cart = r.lookup(ip, micros("2026-01-08T19:12:31Z"), null);
        assertEquals("cart-7d9f8b6c5d-x2x4q", cart.name());
        assertEquals("shop/cart", cart.workload(), "workload derived from Kubernetes labels when the file has none");
        assertEquals("node-05", cart.endpoint().getHost());
        assertEquals("inventory", cart.resolver());
        assertEquals("cart-7d9f8b6c5d-x2x4q", r.lookup(Addresses.of("fd00::57"), micros("2030-01-01T00:00:00Z"), null).name());
        assertEquals(1, r.containersKnown(), "one container still running");
    }

    @Test
    void anIpReusedAtOnceGoesToTheNewOwner() throws Exception {
        String json = """
                {"containers": [
                  {"id": "a", "ips": ["10.0.0.5"], "image": "a/a:1", "started": "2026-01-01T00:00:00Z", "stopped": "2026-01-01T00:10:00Z"},
                  {"id": "b", "ips": ["10.0.0.5"], "image": "b/b:1", "started": "2026-01-01T00:10:00Z", "stopped": null}]}
                """;
        var r = new InventoryResolver(InventorySettings.of(write(json)), new SimpleMeterRegistry());
        assertEquals("b", r.lookup(Addresses.of("10.0.0.5"), micros("2026-01-01T00:10:00.5Z"), null).id(),
                "the owner at that instant beats the previous owner within the clock slack");
        assertEquals("a", r.lookup(Addresses.of("10.0.0.5"), micros("2026-01-01T00:09:59.5Z"), null).id());
    }

    @Test
    void reloadsWhenTheFileChangesAndKeepsTheLastGoodVersionOnABadOne() throws Exception {
        Path f = write(REUSED_IP);
        var registry = new SimpleMeterRegistry();
        var r = new InventoryResolver(new InventorySettings(f, Duration.ofMillis(100), ResolverLimits.DEFAULTS), registry);
        assertFalse(r.reloadIfChanged(), "unchanged file");
        Files.writeString(f, REUSED_IP.replace("10.244.5.57\", \"fd00::57", "10.244.5.58"));
        assertTrue(r.reloadIfChanged());
        long t = micros("2026-01-08T19:20:00Z");
        assertEquals("cart-7d9f8b6c5d-x2x4q", r.lookup(Addresses.of("10.244.5.58"), t, null).name());
        assertNull(r.lookup(Addresses.of("10.244.5.57"), t, null));

        Files.writeString(f, "{\"containers\": [{\"id\": 7}]}   ");
        assertFalse(r.reloadIfChanged());
        assertEquals(1.0, registry.counter("eastwatch.agent.identity.errors", "resolver", "inventory", "reason", "bad_inventory").count());
        assertEquals("cart-7d9f8b6c5d-x2x4q", r.lookup(Addresses.of("10.244.5.58"), t, null).name(), "last good version kept");
        assertFalse(r.reloadIfChanged(), "a bad version is reported once");

        r.start();   // the watcher thread picks up the next good version by itself
        Files.writeString(f, REUSED_IP.replace("10.244.5.57\", \"fd00::57", "10.244.5.59"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (r.lookup(Addresses.of("10.244.5.59"), t, null) == null) {
            assertTrue(System.nanoTime() < deadline, "watcher did not reload");
            Thread.sleep(20);
        }
        r.close();
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("{\"containers\": [ {\"id\": \"a\", \"ips\": [] }, ",
                        "$: not valid JSON at line 1"),
                Arguments.of("[]",
                        "$: expected an object"),
                Arguments.of("{\"pods\": []}",
                        "$.containers: expected an array"),
                Arguments.of("{\"containers\": [{\"id\": \"a\", \"ips\": []}, {\"ips\": []}]}",
                        "$.containers[1].id: required"),
                Arguments.of("{\"containers\": [{\"id\": \"a\", \"ips\": [\"10.0.0.1\", \"10.0.0.x\"]}]}",
                        "$.containers[0].ips[1]: \"10.0.0.x\" is not an IP address"),
                Arguments.of("{\"containers\": [{\"id\": \"a\"}]}",
                        "$.containers[0].ips: required"),
                Arguments.of("{\"containers\": [{\"id\": \"a\", \"ips\": [], \"started\": \"yesterday\"}]}",
                        "$.containers[0].started: \"yesterday\" is not an RFC 3339"),
                Arguments.of("{\"containers\": [{\"id\": \"a\", \"ips\": [], \"started\": \"2026-01-02T00:00:00Z\", \"stopped\": \"2026-01-01T00:00:00Z\"}]}",
                        "$.containers[0].stopped: before started"),
                Arguments.of("{\"containers\": [{\"id\": \"a\", \"ips\": [], \"labels\": {\"app\": 3}}]}",
                        "$.containers[0].labels.app: expected a string"),
                Arguments.of("{\"containers\": [{\"id\": \"a\", \"ips\": [], \"name\": [\"x\"]}]}",
                        "$.containers[0].name: expected a string"),
                Arguments.of("{\"containers\": [\"a\"]}",
                        "$.containers[0]: expected an object"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badFiles")
    void aBadFileIsRejectedWithTheFileAndTheJsonPath(String json, String expected) throws Exception {
        Path f = write(json);
        var e = assertThrows(InventoryException.class, () -> new InventoryResolver(InventorySettings.of(f), new SimpleMeterRegistry()));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path f = dir.resolve("absent.json");
        var e = assertThrows(InventoryException.class, () -> new InventoryResolver(InventorySettings.of(f), new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
