package io.eastwatch.collector.api;

import java.util.Locale;
import java.util.Map;

/**
 * An analyst's approval of an edge (source workload -> target workload on port/protocol), the
 * feedback loop for a legitimate new dependency: once approved, the edge stops alerting.
 */
public record Approval(String sourceWorkload, String targetWorkload, int port, String protocol, String reason,
                       String approvedBy) {

    public Approval {
        require("source_workload", sourceWorkload);
        require("target_workload", targetWorkload);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535, 0 for ICMP)");
        }
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("icmp")) {
            throw new IllegalArgumentException("protocol: " + protocol + " (expected: tcp, udp or icmp)");
        }
        reason = reason == null ? "" : reason;
        approvedBy = approvedBy == null ? "" : approvedBy;
    }

    private static void require(String field, String v) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(field + ": missing (expected: a workload name)");
        }
        if (v.length() > 253) {
            throw new IllegalArgumentException(field + ": " + v.length() + " characters (expected: at most 253)");
        }
    }

    public Map<String, Object> toJson() {
        return Map.of("source_workload", sourceWorkload, "target_workload", targetWorkload, "port", port,
                "protocol", protocol, "reason", reason, "approved_by", approvedBy);
    }

    /** "source -> target port 5432/tcp", for messages. */
    public String describe() {
        return sourceWorkload + " -> " + targetWorkload + " port " + port + "/" + protocol;
    }

    /** What a revocation found. */
    public enum Revocation {
        /** The approval is revoked (or, with the approvals topic, the revocation is on it). */
        REVOKED,
        /** No approval of this edge made through the API is known. */
        NOT_APPROVED,
        /** The configuration (detection.approved_edges) approves this edge: the API cannot take that back. */
        CONFIGURED
    }

    /** Receives approvals and revocations (the detection engine): applies them and makes them durable. */
    public interface Sink {
        void approve(Approval approval) throws Exception;

        /**
         * Revokes an approval made through the API, identified by its edge ({@code reason} and
         * {@code approvedBy} of {@code edge} are not used).
         *
         * @param revokedBy who asked, and {@code reason} why: for the log, may be empty
         */
        Revocation revoke(Approval edge, String revokedBy, String reason) throws Exception;
    }
}
