package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import io.eastwatch.flow.v1.EdgeApproval;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The group's approvals as read from the topic: append-only, bounded, garbage counted. */
class GroupApprovalsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final GroupApprovals approvals = new GroupApprovals("eastwatch.collector.approvals", "c1", 2,
            Map.of("bootstrap.servers", "127.0.0.1:1"), registry);

    static byte[] record(String source, String peer, int port, int protocol) {
        return EdgeApproval.newBuilder().setSourceWorkload(source).setPeer(peer).setPort(port).setProtocol(protocol)
                .setCollector("c2").build().toByteArray();
    }

    double invalid(String reason) {
        var c = registry.find("eastwatch.collector.approvals.invalid").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void approvalsAccumulateInOrderOnceEachUpToTheLimit() {
        approvals.apply(record("shop/web", "shop/db", 5432, 6));
        ApprovedEdge[] first = approvals.edges();
        approvals.apply(record("shop/web", "shop/db", 5432, 6));   // the same edge posted twice
        approvals.apply(record("shop/api", "external", 0, 0));
        approvals.apply(record("shop/api", "shop/cache", 6379, 6));   // beyond the limit of 2
        assertArrayEquals(new ApprovedEdge[] {new ApprovedEdge("shop/web", "shop/db", 5432, 6),
                new ApprovedEdge("shop/api", "external", 0, 0)}, approvals.edges());
        assertEquals(first[0], approvals.edges()[0], "earlier entries never move");
        assertEquals(1.0, registry.get("eastwatch.collector.approvals.overflow").counter().count());
        assertEquals(2.0, registry.get("eastwatch.collector.approvals.received").counter().count());
        assertEquals(2.0, registry.get("eastwatch.collector.approvals.edges").gauge().value());
    }

    @Test
    void garbageAndTombstonesAreCountedAndIgnored() {
        approvals.apply(new byte[] {0x0a, (byte) 0xff, 0x01});
        approvals.apply(record("", "shop/db", 5432, 6));
        approvals.apply(record("shop/web", "shop/db", 70_000, 6));
        approvals.apply(null);
        assertEquals(0, approvals.edges().length);
        assertEquals(1.0, invalid("decode"));
        assertEquals(2.0, invalid("edge"));
        assertEquals(1.0, invalid("tombstone"));
        approvals.close();
    }
}
