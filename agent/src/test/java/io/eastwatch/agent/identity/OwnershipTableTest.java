package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OwnershipTableTest {
    private static final long S = 1_000_000;

    private static ContainerIdentity c(String id) {
        return new ContainerIdentity(id, id, "img", "w/" + id, "h", "test");
    }

    @Test
    void theCaptureInterfaceDecidesBetweenTwoOwnersOfOneAddress() {
        // Two hosts' containers share 10.0.0.5 in one inventory; the veth the flow was seen on tells them apart.
        var t = new OwnershipTable(60 * S, 2 * S, 100);
        var a = c("a");
        var b = c("b");
        var ip = Addresses.of("10.0.0.5");
        t.open(ip, a, 10 * S);
        t.open(ip, b, 20 * S);
        assertEquals("b", t.lookup(ip, 30 * S, null).id(), "latest start wins without a hint");
        assertEquals("a", t.lookup(ip, 30 * S, a).id(), "the container on the capture interface wins");
        assertEquals("a", t.lookup(ip, 15 * S, b).id(), "a hint never resurrects an owner outside its time");
    }

    @Test
    void releasedIntervalsArePrunedAfterTheRetention() {
        var t = new OwnershipTable(60 * S, 0, 100);
        var ip = Addresses.of("10.0.0.5");
        t.open(ip, c("a"), 10 * S);
        t.close(ip, "a", 20 * S);
        t.prune(70 * S);
        assertEquals("a", t.lookup(ip, 15 * S, null).id());
        t.prune(81 * S);
        assertNull(t.lookup(ip, 15 * S, null));
    }

    @Test
    void whenFullTheOldestReleasedIntervalGoesFirstAndOpenOnesAreNeverDropped() {
        var t = new OwnershipTable(3600 * S, 0, 16);
        for (int i = 0; i < 16; i++) {
            var ip = Addresses.of("10.0.0." + i);
            t.open(ip, c("c" + i), i * S);
            if (i < 4) {
                t.close(ip, "c" + i, (100 + i) * S);
            }
        }
        assertTrue(t.open(Addresses.of("10.0.1.1"), c("new"), 200 * S));
        assertNull(t.lookup(Addresses.of("10.0.0.0"), 50 * S, null), "oldest released evicted");
        assertEquals("c1", t.lookup(Addresses.of("10.0.0.1"), 50 * S, null).id());
        for (int i = 1; i < 4; i++) {
            assertTrue(t.open(Addresses.of("10.0.2." + i), c("more" + i), 300 * S));
        }
        assertFalse(t.open(Addresses.of("10.0.3.1"), c("overflow"), 400 * S), "all 16 open: refused");
        assertEquals(1, t.overflow());
        assertEquals(16, t.openContainers());
    }
}
