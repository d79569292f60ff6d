package io.eastwatch.collector.ingest;

import io.eastwatch.flow.v1.FlowRecord;

/**
 * Rejects flow records that decode but make no sense, so they go to the dead letter instead of
 * poisoning a baseline. Returns a reason from a small fixed set (a metric tag), or null if valid.
 */
final class RecordValidator {

    /**
     * Timestamps at or before the epoch, or after 2200, are corrupt. Early times are not: anonymised
     * public captures are often shifted to 1970, and replaying them is a forensic use case.
     */
    private static final long MIN_TS_US = 1L;
    private static final long MAX_TS_US = 7_258_118_400_000_000L;
    /** A single flow report spanning more than 30 days is corrupt. */
    private static final long MAX_SPAN_US = 30L * 86_400_000_000L;

    private RecordValidator() {
    }

    static String problem(FlowRecord r) {
        if (r.getAgentId().isEmpty()) {
            return "no-agent";
        }
        if (r.getFirstTsUs() < MIN_TS_US || r.getFirstTsUs() > MAX_TS_US || r.getLastTsUs() < r.getFirstTsUs()
                || r.getLastTsUs() - r.getFirstTsUs() > MAX_SPAN_US) {
            return "timestamps";
        }
        int srcLen = r.getSrcAddr().size();
        int dstLen = r.getDstAddr().size();
        if (srcLen != 4 && srcLen != 16 || dstLen != srcLen) {
            return "address";
        }
        if (r.getSrcPort() > 65_535 || r.getDstPort() > 65_535 || r.getIcmpType() > 255 || r.getIcmpCode() > 255) {
            return "port";
        }
        if (r.getProtocol() > 255 || r.getProtocol() == 0 && r.getDstPort() == 0 && r.getSrcPort() == 0 && r.getIcmpType() == 0
                && r.getPacketsFwd() == 0) {
            return "protocol";
        }
        if (r.getPacketsFwd() < 0 || r.getPacketsRev() < 0 || r.getBytesFwd() < 0 || r.getBytesRev() < 0
                || r.getBytesFwd() < r.getPacketsFwd() * 20 && r.getPacketsFwd() > 0 && r.getBytesFwd() > 0
                || r.getPacketsFwd() + r.getPacketsRev() == 0) {
            return "counters";
        }
        return null;
    }
}
