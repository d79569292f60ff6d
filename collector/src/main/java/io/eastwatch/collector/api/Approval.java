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

    /** Receives approvals (the detection engine): applies them and makes them durable. */
    public interface Sink {
        void approve(Approval approval) throws Exception;
    }
}
