package io.eastwatch.collector;

import io.eastwatch.collector.api.Approval;
import io.eastwatch.collector.baseline.BaselineSettings.ApprovedEdge;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's approvals and revocations, onto the collector's engines. An approval the configuration
 * makes (detection.approved_edges, exactly or by a wildcard that covers the edge) is not the API's to
 * revoke: revoking an API approval of the same edge would change nothing, so it is refused as well.
 */
public final class CollectorApprovals implements Approval.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorApprovals.class);

    private final CollectorApp app;
    private final List<ApprovedEdge> configured;

    /** @param configured the configuration's approvals (the collector's {@code baseline().approvedEdges()}) */
    public CollectorApprovals(CollectorApp app, List<ApprovedEdge> configured) {
        this.app = Objects.requireNonNull(app, "app");
        this.configured = List.copyOf(configured);
    }

    static ApprovedEdge edge(Approval a) {
        int protocol = switch (a.protocol()) {
            case "udp" -> 17;
            case "icmp" -> 1;
            default -> 6;
        };
        return new ApprovedEdge(a.sourceWorkload(), a.targetWorkload(), a.port(), protocol);
    }

    @Override
    public void approve(Approval approval) {
        app.approve(edge(approval));
    }

    @Override
    public Approval.Revocation revoke(Approval a, String revokedBy, String reason) {
        ApprovedEdge e = edge(a);
        for (ApprovedEdge c : configured) {
            if (c.matches(e.sourceWorkload(), e.peer(), e.port(), e.protocol())) {
                return Approval.Revocation.CONFIGURED;
            }
        }
        if (!app.revoke(e)) {
            return Approval.Revocation.NOT_APPROVED;
        }
        // the audit line: who took the approval back and why (the topic's tombstone carries neither)
        LOG.info("edge approval revoked through the API: {} by {}: {}", a.describe(),
                revokedBy.isEmpty() ? "(not named)" : revokedBy, reason.isEmpty() ? "(no reason given)" : reason);
        return Approval.Revocation.REVOKED;
    }
}
