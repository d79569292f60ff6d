package io.eastwatch.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import io.eastwatch.flow.v1.EdgeApproval;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The group's approvals as read from the topic: the change log, revocations, bounds, garbage counted. */
class GroupApprovalsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final GroupApprovals approvals = new GroupApprovals("eastwatch.collector.approvals", "c1", 2,
            Map.of("bootstrap.servers", "127.0.0.1:1"), registry);
    static final ApprovedEdge DB = new ApprovedEdge("shop/web", "shop/db", 5432, 6);
    static final ApprovedEdge EXT = new ApprovedEdge("shop/api", "external", 0, 0);
    static final ApprovedEdge CACHE = new ApprovedEdge("shop/api", "shop/cache", 6379, 6);

    static byte[] record(String source, String peer, int port, int protocol) {
        return EdgeApproval.newBuilder().setSourceWorkload(source).setPeer(peer).setPort(port).setProtocol(protocol)
                .setCollector("c2").build().toByteArray();
    }

    void approve(ApprovedEdge e) {
        approvals.apply(GroupApprovals.key(e), record(e.sourceWorkload(), e.peer(), e.port(), e.protocol()));
    }

    void revoke(ApprovedEdge e) {
        approvals.apply(GroupApprovals.key(e), null);
    }

    double count(String name) {
        return registry.get(name).counter().count();
    }

    double invalid(String reason) {
        var c = registry.find("eastwatch.collector.approvals.invalid").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    static GroupApprovals.Change approved(ApprovedEdge e) {
        return new GroupApprovals.Change(e, true);
    }

    static GroupApprovals.Change revoked(ApprovedEdge e) {
        return new GroupApprovals.Change(e, false);
    }

    @Test
    void approvalsAccumulateInOrderOnceEachUpToTheLimit() {
        approve(DB);
        GroupApprovals.Log first = approvals.log();
        approve(DB);   // the same edge posted twice
        approve(EXT);
        approve(CACHE);   // beyond the limit of 2
        assertArrayEquals(new ApprovedEdge[] {DB, EXT}, approvals.edges());
        assertArrayEquals(new GroupApprovals.Change[] {approved(DB), approved(EXT)}, approvals.log().changes());
        assertEquals(first.epoch(), approvals.log().epoch(), "approvals only extend the log");
        assertEquals(first.changes()[0], approvals.log().changes()[0], "earlier entries never move");
        assertEquals(1.0, count("eastwatch.collector.approvals.overflow"));
        assertEquals(2.0, count("eastwatch.collector.approvals.received"));
        assertEquals(2.0, registry.get("eastwatch.collector.approvals.edges").gauge().value());
    }

    @Test
    void aTombstoneRevokesAndStartsAnEpochOfTheNetState() {
        approve(DB);
        approve(EXT);
        long epoch = approvals.log().epoch();
        revoke(DB);
        assertFalse(approvals.approved(DB));
        assertTrue(approvals.approved(EXT));
        assertArrayEquals(new ApprovedEdge[] {EXT}, approvals.edges());
        assertNotEquals(epoch, approvals.log().epoch(), "every partition applies the net state from its start");
        assertArrayEquals(new GroupApprovals.Change[] {approved(EXT), revoked(DB)}, approvals.log().changes());
        assertEquals(1.0, registry.get("eastwatch.collector.approvals.edges").gauge().value());
        assertEquals(1.0, count("eastwatch.collector.approvals.revoked"));

        GroupApprovals.Log afterRevoke = approvals.log();
        revoke(DB);   // read twice (the topic re-read from an earlier offset)
        assertSame(afterRevoke, approvals.log());
        assertEquals(1.0, count("eastwatch.collector.approvals.revoked"));

        approve(DB);   // approved again: appended after its revocation, in the same epoch
        assertTrue(approvals.approved(DB));
        assertEquals(afterRevoke.epoch(), approvals.log().epoch());
        assertArrayEquals(new GroupApprovals.Change[] {approved(EXT), revoked(DB), approved(DB)},
                approvals.log().changes());
        assertEquals(3.0, count("eastwatch.collector.approvals.received"));
        revoke(EXT);
        assertArrayEquals(new GroupApprovals.Change[] {approved(DB), revoked(EXT)}, approvals.log().changes(),
                "the approval made again is no longer remembered as revoked");
    }

    @Test
    void aTombstoneWhoseApprovalWasCompactedAwayStillRevokesAndRevocationsAreBounded() {
        revoke(CACHE);   // a collector starting after compaction reads only the tombstone
        assertArrayEquals(new GroupApprovals.Change[] {revoked(CACHE)}, approvals.log().changes(),
                "a partition restored from a snapshot older than the revocation still loses the approval");
        revoke(DB);
        revoke(EXT);   // beyond the limit of 2 remembered: the oldest goes
        assertArrayEquals(new GroupApprovals.Change[] {revoked(DB), revoked(EXT)}, approvals.log().changes());
        assertEquals(1.0, count("eastwatch.collector.approvals.revoked.overflow"));
        assertEquals(3.0, count("eastwatch.collector.approvals.revoked"));
        assertEquals(0, approvals.edges().length);
    }

    @Test
    void garbageIsCountedAndIgnored() {
        approvals.apply(GroupApprovals.key(DB), new byte[] {0x0a, (byte) 0xff, 0x01});
        approvals.apply(GroupApprovals.key(DB), record("", "shop/db", 5432, 6));
        approvals.apply(GroupApprovals.key(DB), record("shop/web", "shop/db", 70_000, 6));
        approvals.apply(null, null);
        approvals.apply("shop/web|shop/db|x|6".getBytes(StandardCharsets.UTF_8), null);
        approvals.apply("a|b|c|5432|6".getBytes(StandardCharsets.UTF_8), null);   // which '|' splits the names?
        approvals.apply("shop/web|shop/db|5432|6|".getBytes(StandardCharsets.UTF_8), null);
        assertEquals(0, approvals.edges().length);
        assertEquals(0, approvals.log().changes().length);
        assertEquals(1.0, invalid("decode"));
        assertEquals(2.0, invalid("edge"));
        assertEquals(4.0, invalid("tombstone-key"));
        assertEquals(0.0, count("eastwatch.collector.approvals.revoked"));
        approvals.close();
    }
}
