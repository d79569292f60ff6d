package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.HeldAddress;
import io.eastwatch.flow.v1.HostContainers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class FleetDirectoryTest {
    private static final long S = 1_000_000;
    private static final ByteString IP = ByteString.copyFrom(new byte[] {10, 0, 2, 7});
    private static final Endpoint UNRESOLVED = Endpoint.newBuilder().setKind(EndpointKind.UNRESOLVED).build();

    private static Endpoint container(String id, String workload) {
        return Endpoint.newBuilder().setKind(EndpointKind.CONTAINER).setContainerId(id).setName(id)
                .setWorkload(workload).setResolver("docker").build();
    }

    private static HostContainers set(String agent, long at, Object... held) {
        HostContainers.Builder b = HostContainers.newBuilder().setAgentId(agent).setHost(agent).setTakenAtUs(at);
        for (int i = 0; i < held.length; i += 3) {
            b.addAddresses(HeldAddress.newBuilder().setAddr((ByteString) held[i]).setOwner((Endpoint) held[i + 1])
                    .setSinceUs((Long) held[i + 2]));
        }
        return b.build();
    }

    private static FlowRecord toIp(String agent, long ts) {
        return FlowRecord.newBuilder().setAgentId(agent).setFirstTsUs(ts).setLastTsUs(ts)
                .setSrcAddr(ByteString.copyFrom(new byte[] {10, 0, 1, 5})).setDstAddr(IP)
                .setSrc(container("api-1", "shop/api")).setDst(UNRESOLVED).build();
    }

    @Test
    void anAddressReusedByAnotherContainerIsNamedByItsOwnerAtTheFlowsTime() {
        var d = new FleetDirectory(1000, 3600 * S, new SimpleMeterRegistry());
        d.apply(set("b", 100 * S, IP, container("db-1", "shop/db"), 90 * S));
        d.apply(set("b", 200 * S));                                           // db-1 stopped
        d.apply(set("b", 300 * S, IP, container("cache-1", "shop/cache"), 290 * S));   // the IP reused
        assertEquals("db-1", d.enrich(toIp("a", 150 * S)).getDst().getContainerId());
        assertEquals("cache-1", d.enrich(toIp("a", 295 * S)).getDst().getContainerId());
        FlowRecord between = toIp("a", 250 * S);
        assertSame(between, d.enrich(between), "nobody held it between the two: stays unresolved");
        FlowRecord own = toIp("b", 150 * S);
        assertSame(own, d.enrich(own), "an agent's own announcement never overrides its own report");
    }

    @Test
    void releasedOwnershipsAreForgottenAfterTheRetentionAndTheDirectoryIsBounded() {
        var registry = new SimpleMeterRegistry();
        var d = new FleetDirectory(2, 60 * S, registry);
        d.apply(set("b", 100 * S, IP, container("db-1", "shop/db"), 90 * S));
        d.apply(set("b", 110 * S));
        d.apply(set("b", 500 * S));                                           // retention passed: pruned
        FlowRecord late = toIp("a", 105 * S);
        assertSame(late, d.enrich(late));
        ByteString[] ips = {ByteString.copyFrom(new byte[] {10, 0, 3, 1}), ByteString.copyFrom(new byte[] {10, 0, 3, 2}),
            ByteString.copyFrom(new byte[] {10, 0, 3, 3})};
        d.apply(set("c", 600 * S, ips[0], container("x", "w"), 0L, ips[1], container("y", "w"), 0L, ips[2], container("z", "w"), 0L));
        assertEquals(1.0, registry.counter("eastwatch.collector.fleet.overflow").count());
    }

    @Test
    void theSourceOnAnotherAnnouncingHostMeansThatHostReportsTheFlow() {
        var d = new FleetDirectory(1000, 3600 * S, new SimpleMeterRegistry());
        d.apply(set("a", 100 * S, ByteString.copyFrom(new byte[] {10, 0, 1, 5}), container("api-1", "shop/api"), 90 * S));
        FlowRecord copyOnB = toIp("b", 150 * S).toBuilder().setSrc(UNRESOLVED).setDst(container("db-1", "shop/db")).build();
        assertNull(d.enrich(copyOnB));
    }

    @Test
    void malformedAnnouncementsAreCountedAndIgnored() {
        var registry = new SimpleMeterRegistry();
        var d = new FleetDirectory(1000, 3600 * S, registry);
        d.apply(set("", 100 * S, IP, container("db-1", "shop/db"), 90 * S));
        d.apply(set("b", 100 * S, ByteString.copyFrom(new byte[] {10, 0, 2}), container("db-1", "shop/db"), 90 * S));
        assertEquals(2.0, registry.counter("eastwatch.collector.fleet.announcements.rejected").count());
        FlowRecord f = toIp("a", 150 * S);
        assertSame(f, d.enrich(f));
    }

    @Test
    void badSettingsAreRefused() {
        assertEquals("maxIntervals: 0 (expected: > 0)",
                assertThrows(IllegalArgumentException.class, () -> new FleetDirectory(0, 0, null)).getMessage());
    }
}
