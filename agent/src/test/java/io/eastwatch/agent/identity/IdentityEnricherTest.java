package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enricher with a real (inventory) resolver whose file changes during the test. */
class IdentityEnricherTest {
    private static final long S = 1_000_000;
    private static final long T0 = InventoryResolverTest.micros("2026-01-08T19:15:00Z");

    @TempDir
    Path dir;
    Path file;
    InventoryResolver inventory;
    SimpleMeterRegistry registry;
    final List<FlowRecord.Builder> out = new ArrayList<>();
    final List<Long> watermarks = new ArrayList<>();
    int flushes;

    final FlowSink sink = new FlowSink() {
        @Override
        public void accept(FlowRecord.Builder flow) {
            out.add(flow);
        }

        @Override
        public void advance(long watermarkMicros) {
            watermarks.add(watermarkMicros);
        }

        @Override
        public void flush() {
            flushes++;
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("inventory.json");
        Files.writeString(file, InventoryResolverTest.REUSED_IP);
        registry = new SimpleMeterRegistry();
        inventory = new InventoryResolver(InventorySettings.of(file), registry);
    }

    private IdentityEnricher enricher(int maxPending) {
        var settings = new IdentityEnricherSettings(Duration.ofSeconds(2), maxPending, List.of("10.244.0.0/16"), "node-05");
        return new IdentityEnricher(settings, List.of(inventory), new HostAddresses(List.of("10.0.0.1"), false, 1000), sink, registry);
    }

    private static FlowRecord.Builder flow(String src, String dst, long first, long last) {
        return FlowRecord.newBuilder().setSrcAddr(Addresses.of(src)).setDstAddr(Addresses.of(dst))
                .setFirstTsUs(first).setLastTsUs(last).setProtocol(6).setSrcPort(40000).setDstPort(80);
    }

    private double endpoints(String kind, String resolver) {
        return registry.counter("eastwatch.agent.identity.endpoints", "kind", kind, "resolver", resolver).count();
    }

    @Test
    void knownContainersHostAndExternalPassAtOnce() {
        var e = enricher(100);
        e.accept(flow("10.244.5.57", "10.0.0.1", T0, T0 + S));
        e.accept(flow("10.0.0.1", "8.8.8.8", T0, T0 + S));
        assertEquals(2, out.size());
        var first = out.get(0);
        assertEquals(EndpointKind.CONTAINER, first.getSrc().getKind());
        assertEquals("cart-7d9f8b6c5d-x2x4q", first.getSrc().getName());
        assertEquals("shop/cart", first.getSrc().getWorkload());
        assertEquals("registry.local/shop/cart:2.3.1", first.getSrc().getImage());
        assertEquals("inventory", first.getSrc().getResolver());
        assertEquals(EndpointKind.HOST, first.getDst().getKind());
        assertEquals("node-05", first.getDst().getHost());
        assertEquals(EndpointKind.EXTERNAL, out.get(1).getDst().getKind());
        assertEquals(1.0, endpoints("container", "inventory"));
        assertEquals(2.0, endpoints("host", "none"));
        assertEquals(1.0, endpoints("external", "none"));
    }

    @Test
    void aFlowIsAttributedWithTheOwnerAtItsOwnTime() {
        var e = enricher(100);
        long before = InventoryResolverTest.micros("2026-01-08T19:05:00Z");
        e.accept(flow("10.244.5.57", "10.0.0.1", before, before + S));
        e.accept(flow("10.244.5.57", "10.0.0.1", T0, T0 + S));
        assertEquals("shop/web-00", out.get(0).getSrc().getWorkload());
        assertEquals("shop/cart", out.get(1).getSrc().getWorkload());
    }

    @Test
    void aContainerLearnedWithinTheGracePeriodIsResolved() throws Exception {
        var e = enricher(100);
        e.accept(flow("10.244.5.57", "10.244.7.7", T0, T0 + S));
        assertEquals(0, out.size(), "unknown address in a container network waits");
        assertEquals(1.0, registry.counter("eastwatch.agent.identity.flows.delayed").count());
        e.advance(T0 + 2 * S);
        assertEquals(0, out.size());
        assertEquals(List.of(T0 + S), watermarks.subList(watermarks.size() - 1, watermarks.size()),
                "the watermark passed on never runs ahead of a held flow's last time");

        Files.writeString(file, InventoryResolverTest.REUSED_IP.replace("]}\n", ",\n"
                + "{\"id\": \"new1\", \"name\": \"db-1\", \"image\": \"postgres:16\", \"ips\": [\"10.244.7.7\"],"
                + " \"started\": \"2026-01-08T19:14:59Z\"}]}\n"));
        assertTrue(inventory.reloadIfChanged());
        e.advance(T0 + 2 * S + 1);
        assertEquals(1, out.size());
        assertEquals("postgres", out.get(0).getDst().getWorkload());
        assertEquals(EndpointKind.CONTAINER, out.get(0).getDst().getKind());
        assertEquals(1.0, registry.counter("eastwatch.agent.identity.flows.resolved.after.wait").count());
        assertEquals(T0 + 2 * S + 1, watermarks.get(watermarks.size() - 1));
    }

    @Test
    void anUnknownContainerIsSentUnresolvedAfterTheGracePeriodNeverDropped() {
        var e = enricher(100);
        e.accept(flow("10.244.9.9", "10.244.5.57", T0, T0 + S));
        e.accept(flow("10.0.0.1", "8.8.4.4", T0 + 2 * S, T0 + 2 * S));   // event time moves on, not yet past the grace
        assertEquals(1, out.size());
        e.accept(flow("10.0.0.1", "8.8.4.4", T0 + 3 * S + 1, T0 + 3 * S + 1));
        assertEquals(3, out.size());
        var late = out.get(1);
        assertEquals(EndpointKind.UNRESOLVED, late.getSrc().getKind());
        assertEquals("cart-7d9f8b6c5d-x2x4q", late.getDst().getName(), "the known side keeps its identity");
        assertEquals(1.0, endpoints("unresolved", "none"));
    }

    @Test
    void aFullQueueSendsTheOldestEarlyAndFlushSendsTheRest() {
        var e = enricher(2);
        for (int i = 1; i <= 5; i++) {
            e.accept(flow("10.244.9." + i, "10.0.0.1", T0, T0));
        }
        assertEquals(3, out.size());
        assertEquals(3.0, registry.counter("eastwatch.agent.identity.pending.overflow").count());
        assertEquals("10.244.9.1", Addresses.format(out.get(0).getSrcAddr()), "oldest first");
        e.flush();
        assertEquals(5, out.size(), "nothing dropped");
        assertEquals(1, flushes);
        for (var f : out) {
            assertEquals(EndpointKind.UNRESOLVED, f.getSrc().getKind());
            assertEquals(EndpointKind.HOST, f.getDst().getKind());
        }
    }

    @Test
    void badSettingsAreRejectedByName() {
        var ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new IdentityEnricherSettings(Duration.ofSeconds(-1), 10, List.of(), "h"));
        assertTrue(ex.getMessage().startsWith("grace: "), ex.getMessage());
        ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new IdentityEnricherSettings(Duration.ofSeconds(1), 10, List.of("10.0.0.0/33"), "h"));
        assertTrue(ex.getMessage().startsWith("network: 10.0.0.0/33"), ex.getMessage());
        ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new IdentityEnricherSettings(Duration.ofSeconds(1), 0, List.of(), "h"));
        assertTrue(ex.getMessage().startsWith("maxPending: 0"), ex.getMessage());
    }
}
