package io.eastwatch.agent.identity;

import io.eastwatch.testkit.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The /proc resolver against the lab's real containers, with no Docker API at all. */
class ProcContainerResolverLabTest {

    @BeforeAll
    static void lab() {
        Lab.ensureUp();
    }

    @Test
    void attributesEveryLabContainerLikeTheProcMap() throws Exception {
        List<Lab.Row> truth = Lab.procmap();
        var registry = new SimpleMeterRegistry();
        var settings = new IdentitySettings(false, null, true, ProcResolverSettings.defaults("lab-host"), false, null,
                IdentityEnricherSettings.defaults("lab-host"));
        List<ContainerResolver> resolvers = IdentityResolvers.create(settings, registry);
        assertEquals(1, resolvers.size(), "Docker API switched off: /proc only");
        try (var proc = (ProcContainerResolver) resolvers.get(0)) {
            proc.scan();
            long now = System.currentTimeMillis() * 1000;
            assertTrue(proc.containersKnown() >= truth.size(), "known " + proc.containersKnown() + " < " + truth.size());
            for (Lab.Row row : truth) {
                for (String ip : row.ips()) {
                    ContainerIdentity c = proc.lookup(Addresses.of(ip), now, null);
                    assertNotNull(c, row.name() + " " + ip + " not attributed");
                    assertTrue(c.id().startsWith(row.idPrefix()), row.name() + ": " + c);
                    assertEquals(row.name(), c.name());
                    String role = row.name().replaceAll("^lab-(bridge-)?([a-z]+)(-\\d+)?$", "$2");
                    assertEquals("lab/" + role, c.workload(), row.name());
                    assertEquals("proc", c.resolver());
                    assertEquals("lab-host", c.endpoint().getHost());
                }
                assertEquals(row.idPrefix(), proc.byInterface(row.hostVeth(), now).id().substring(0, 12),
                        "host veth " + row.hostVeth() + " of " + row.name());
            }
            assertTrue(proc.inContainerNetwork(Addresses.of("172.30.9.9")), "lab-net's prefix learned from fib_trie");
            assertTrue(proc.inContainerNetwork(Addresses.of("172.17.3.3")), "docker0's prefix learned from fib_trie");
            assertFalse(proc.inContainerNetwork(Addresses.of("8.8.8.8")));
            assertNull(proc.lookup(Addresses.of("172.30.0.1"), now, null), "the bridge gateway is the host, not a container");
            assertEquals((double) proc.containersKnown(), registry.get("eastwatch.agent.identity.containers").tag("resolver", "proc")
                    .gauge().value());
        }
    }

    @Test
    void theLabsInventoryFileAttributesTheSameContainers() throws Exception {
        try (var inventory = new InventoryResolver(InventorySettings.of(Lab.STATE.resolve("inventory.json")), new SimpleMeterRegistry())) {
            long now = System.currentTimeMillis() * 1000;
            for (Lab.Row row : Lab.procmap()) {
                ContainerIdentity c = inventory.lookup(Addresses.of(row.ips().get(0)), now, null);
                assertNotNull(c, row.name());
                assertEquals(row.name(), c.name());
                assertTrue(c.id().startsWith(row.idPrefix()));
                assertEquals("inventory", c.resolver());
            }
        }
    }
}
