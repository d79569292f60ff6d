package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerTableTest {
    private static final long S = 1_000_000;

    @Test
    void theHostSideVethTellsApartTwoContainersWithOneAddress() {
        // Two bridges with overlapping subnets on one host: 10.88.0.2 exists twice, behind different veths.
        var table = new ContainerTable(ResolverLimits.DEFAULTS);
        var a = new ContainerIdentity("a", "a-1", "r/a:1", "r/a", "h", "test");
        var b = new ContainerIdentity("b", "b-1", "r/b:1", "r/b", "h", "test");
        var ip = Addresses.of("10.88.0.2");
        table.attach(a, Set.of(ip), Set.of("vethaaaa"), 10 * S);
        table.attach(b, Set.of(ip), Set.of("vethbbbb"), 20 * S);
        assertEquals("a", table.lookup(ip, 30 * S, "vethaaaa").id());
        assertEquals("b", table.lookup(ip, 30 * S, "vethbbbb").id());
        assertEquals("b", table.lookup(ip, 30 * S, "br-other").id(), "a bridge names no container: the latest owner");
        assertEquals("a", table.byInterface("vethaaaa", 30 * S).id());
    }

    @Test
    void reattachingWithFewerAddressesReleasesTheDroppedOnesAtThatTime() {
        var table = new ContainerTable(ResolverLimits.DEFAULTS);
        var c = new ContainerIdentity("c", "c-1", "r/c:1", "r/c", "h", "test");
        var one = Addresses.of("172.30.0.9");
        var two = Addresses.of("172.31.0.9");
        table.attach(c, Set.of(one, two), Set.of("veth1", "veth2"), 10 * S);
        table.attach(c, Set.of(one), Set.of("veth1"), 50 * S);   // disconnected from the second network
        assertEquals("c", table.lookup(two, 40 * S, null).id());
        assertNull(table.lookup(two, 60 * S, null));
        assertNull(table.byInterface("veth2", 60 * S));
        assertEquals("c", table.lookup(one, 60 * S, null).id());
        table.release("c", 70 * S);
        assertNull(table.lookup(one, 80 * S, null));
        assertEquals(0, table.containersKnown());
        table.attach(c, List.of(), List.of(), 90 * S);
        assertEquals(0, table.containersKnown(), "a container without addresses owns nothing");
    }

    @Test
    void heldListsTheAddressesContainersHoldNowAndNothingElse() {
        var table = new ContainerTable(ResolverLimits.DEFAULTS);
        var a = new ContainerIdentity("a", "a-1", "r/a:1", "r/a", "h", "test");
        var b = new ContainerIdentity("b", "b-1", "r/b:1", "r/b", "h", "test");
        table.attach(a, Set.of(Addresses.of("10.1.0.2")), Set.of("vetha"), 10 * S);
        table.attach(b, Set.of(Addresses.of("10.1.0.3"), Addresses.of("fd00::3")), Set.of("vethb"), 20 * S);
        table.release("a", 30 * S);
        var held = table.held(100);
        assertEquals(Set.of(Addresses.of("10.1.0.3"), Addresses.of("fd00::3")),
                Set.copyOf(held.stream().map(HeldAddress::address).toList()), "released and interface keys are not listed");
        assertEquals(20 * S, held.get(0).sinceMicros());
        assertEquals("b", held.get(0).container().id());
        assertEquals(1, table.held(1).size(), "bounded");
    }
}
