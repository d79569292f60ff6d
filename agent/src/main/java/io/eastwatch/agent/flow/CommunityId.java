package io.eastwatch.agent.flow;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Community ID v1 flow hash (corelight/community-id-spec), the identifier Zeek, Suricata,
 * Wireshark and Elastic compute for a flow so that records from different tools join on one string.
 *
 * <p>The idea: SHA-1 over {@code seed . addrA . addrB . proto . 0 . portA . portB} in network byte
 * order, where the endpoints are ordered so that the numerically smaller (address, port) comes
 * first, which makes both directions of a flow hash alike; the result is "1:" + base64. ICMP has no
 * ports: its type and the type of the matching reply (echo 8 / reply 0, ...) stand in for them, so
 * request and reply hash alike; a message without a reply type (an error, a redirect) uses
 * (type, code) and is hashed as sent, without reordering. Protocols without ports hash the
 * addresses and protocol only. Seed 0, as every tool uses by default.
 *
 * <p>One instance per thread: it reuses its digest and buffer.
 */
public final class CommunityId {

    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int SCTP = 132;
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;

    private final MessageDigest sha1;
    private final byte[] buf = new byte[2 + 16 + 16 + 2 + 4];

    public CommunityId() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-1 (java.security.MessageDigest javadoc).
            throw new IllegalStateException("SHA-1 missing from this Java runtime", e);
        }
    }

    /**
     * @param v6        whether the addresses are IPv6 (16 bytes) rather than IPv4 (low 32 bits of lo)
     * @param srcPort   TCP/UDP/SCTP source port (ignored for other protocols)
     * @param icmpType  ICMP/ICMPv6 type of the source's message (used only for ICMP)
     */
    public String compute(boolean v6, long srcHi, long srcLo, long dstHi, long dstLo, int protocol,
                          int srcPort, int dstPort, int icmpType, int icmpCode) {
        boolean ports;
        boolean oneWay = false;
        int sp = srcPort;
        int dp = dstPort;
        if (protocol == TCP || protocol == UDP || protocol == SCTP) {
            ports = true;
        } else if (protocol == ICMP || protocol == ICMPV6) {
            ports = true;
            int counterpart = protocol == ICMP ? icmpCounterpart(icmpType) : icmp6Counterpart(icmpType);
            sp = icmpType;
            if (counterpart >= 0) {
                dp = counterpart;
            } else {
                dp = icmpCode;
                oneWay = true;
            }
        } else {
            ports = false;
            sp = 0;
            dp = 0;
        }
        boolean swap = !oneWay && compareEndpoint(srcHi, srcLo, sp, dstHi, dstLo, dp, v6) > 0;
        int n = 0;
        buf[n++] = 0;
        buf[n++] = 0;
        if (swap) {
            n = putAddr(buf, n, v6, dstHi, dstLo);
            n = putAddr(buf, n, v6, srcHi, srcLo);
        } else {
            n = putAddr(buf, n, v6, srcHi, srcLo);
            n = putAddr(buf, n, v6, dstHi, dstLo);
        }
        buf[n++] = (byte) protocol;
        buf[n++] = 0;
        if (ports) {
            int first = swap ? dp : sp;
            int second = swap ? sp : dp;
            buf[n++] = (byte) (first >>> 8);
            buf[n++] = (byte) first;
            buf[n++] = (byte) (second >>> 8);
            buf[n++] = (byte) second;
        }
        sha1.update(buf, 0, n);
        return "1:" + Base64.getEncoder().encodeToString(sha1.digest());
    }

    /** Orders (address, port) endpoints as unsigned big-endian byte strings, as the spec does. */
    private static int compareEndpoint(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, boolean v6) {
        int c;
        if (v6) {
            c = Long.compareUnsigned(aHi, bHi);
            if (c == 0) {
                c = Long.compareUnsigned(aLo, bLo);
            }
        } else {
            c = Long.compare(aLo & 0xffffffffL, bLo & 0xffffffffL);
        }
        return c != 0 ? c : Integer.compare(aPort & 0xffff, bPort & 0xffff);
    }

    private static int putAddr(byte[] out, int n, boolean v6, long hi, long lo) {
        if (v6) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[n++] = (byte) (hi >>> shift);
            }
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[n++] = (byte) (lo >>> shift);
            }
        } else {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out[n++] = (byte) (lo >>> shift);
            }
        }
        return n;
    }

    /** ICMPv4 request/reply pairs as Zeek pairs them; -1 for a message without a counterpart. */
    static int icmpCounterpart(int type) {
        return switch (type) {
            case 8 -> 0;
            case 0 -> 8;
            case 13 -> 14;
            case 14 -> 13;
            case 15 -> 16;
            case 16 -> 15;
            case 10 -> 9;
            case 9 -> 10;
            case 17 -> 18;
            case 18 -> 17;
            default -> -1;
        };
    }

    /** ICMPv6 request/reply pairs (echo, MLD, router and neighbour discovery, WRU, HAAD); -1 if none. */
    static int icmp6Counterpart(int type) {
        return switch (type) {
            case 128 -> 129;
            case 129 -> 128;
            case 130 -> 131;
            case 131 -> 130;
            case 133 -> 134;
            case 134 -> 133;
            case 135 -> 136;
            case 136 -> 135;
            case 139 -> 140;
            case 140 -> 139;
            case 144 -> 145;
            case 145 -> 144;
            default -> -1;
        };
    }
}
