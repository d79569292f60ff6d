package io.eastwatch.sim.wire;

/**
 * Builds Ethernet / IPv4 / TCP, UDP and ICMP frames with correct lengths and checksums and hands
 * them to a {@link PacketLog}. Payloads longer than the snap length are captured truncated, as
 * tcpdump with {@code -s} does: the explicit payload bytes (DNS messages, protocol greetings)
 * are written, the rest of a payload is zero, which adds nothing to a one's-complement checksum,
 * so checksums stay correct for the full wire length without materialising the bytes.
 */
public final class FrameBuilder {
    public static final int ETH = 14;
    public static final int IP = 20;
    /** Largest TCP segment the capture sees: a GRO super-packet of 45 full-size segments. */
    public static final int GRO_SEGMENT = 45 * 1448;
    public static final int MSS = 1448;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private static final byte[] SYN_OPTIONS = {
        2, 4, 0x05, (byte) 0xb4, // MSS 1460
        4, 2,                    // SACK permitted
        1, 3, 3, 7,              // NOP, window scale 7
        1, 1};                   // NOP NOP
    private static final byte[] NMAP_SYN_OPTIONS = {2, 4, 0x05, (byte) 0xb4};
    private static final byte[] NONE = new byte[0];

    private final PacketLog log;
    private final byte[] buf = new byte[256];
    private int ipId;

    public FrameBuilder(PacketLog log) {
        if (log.snapLen() > 200) {
            throw new IllegalArgumentException("snapLen: " + log.snapLen() + " (expected: <= 200 for the frame scratch)");
        }
        this.log = log;
    }

    /** A TCP segment; {@code payload} (may be null) holds the first bytes of a {@code payloadLen} payload. */
    public void tcp(long tsUs, Nic src, Nic dst, int sport, int dport, long seq, long ack, int flags, int window,
            int payloadLen, byte[] payload) {
        byte[] opts = (flags & SYN) != 0 ? SYN_OPTIONS : NONE;
        tcpWith(tsUs, src, dst, sport, dport, seq, ack, flags, window, opts, payloadLen, payload, 64);
    }

    /** A raw-socket SYN as port scanners craft it: one MSS option, a small window, TTL of the tool. */
    public void scannerSyn(long tsUs, Nic src, Nic dst, int sport, int dport, long seq) {
        tcpWith(tsUs, src, dst, sport, dport, seq, 0, SYN, 1024, NMAP_SYN_OPTIONS, 0, null, 44);
    }

    private void tcpWith(long tsUs, Nic src, Nic dst, int sport, int dport, long seq, long ack, int flags,
            int window, byte[] opts, int payloadLen, byte[] payload, int ttl) {
        int tcpHdr = 20 + opts.length;
        int l4Len = tcpHdr + payloadLen;
        int p = ipHeader(src, dst, 6, l4Len, true, ttl);
        int t = p;
        put16(t, sport);
        put16(t + 2, dport);
        put32(t + 4, (int) seq);
        put32(t + 8, (int) ack);
        buf[t + 12] = (byte) ((tcpHdr / 4) << 4);
        buf[t + 13] = (byte) flags;
        put16(t + 14, window);
        put16(t + 16, 0);
        put16(t + 18, 0);
        System.arraycopy(opts, 0, buf, t + 20, opts.length);
        writePayload(t + tcpHdr, payloadLen, payload);
        put16(t + 16, l4Checksum(src.ip(), dst.ip(), 6, l4Len, t, tcpHdr, payload, payloadLen));
        emit(tsUs, l4Len);
    }

    public void udp(long tsUs, Nic src, Nic dst, int sport, int dport, int payloadLen, byte[] payload) {
        int l4Len = 8 + payloadLen;
        int t = ipHeader(src, dst, 17, l4Len, true, 64);
        put16(t, sport);
        put16(t + 2, dport);
        put16(t + 4, l4Len);
        put16(t + 6, 0);
        writePayload(t + 8, payloadLen, payload);
        int sum = l4Checksum(src.ip(), dst.ip(), 17, l4Len, t, 8, payload, payloadLen);
        put16(t + 6, sum == 0 ? 0xFFFF : sum);
        emit(tsUs, l4Len);
    }

    /** ICMP echo request (type 8) or reply (type 0) with a {@code dataLen} byte body. */
    public void icmpEcho(long tsUs, Nic src, Nic dst, int type, int id, int seq, int dataLen) {
        int l4Len = 8 + dataLen;
        int t = ipHeader(src, dst, 1, l4Len, false, 64);
        buf[t] = (byte) type;
        buf[t + 1] = 0;
        put16(t + 2, 0);
        put16(t + 4, id);
        put16(t + 6, seq);
        writePayload(t + 8, dataLen, null);
        put16(t + 2, checksum(t, 8, 0));
        emit(tsUs, l4Len);
    }

    /**
     * ICMP destination unreachable from {@code from} to {@code to} quoting a UDP datagram that
     * {@code to} sent to {@code from} (as a Linux host answers a probe to a closed UDP port, code 3).
     */
    public void icmpPortUnreachable(long tsUs, Nic from, Nic to, int quotedSport, int quotedDport, int quotedPayloadLen,
            int quotedTtl) {
        // Build the quoted datagram's IP + UDP header in place after the ICMP header.
        int quoted = IP + 8;
        int l4Len = 8 + quoted;
        int t = ipHeader(from, to, 1, l4Len, false, 64);
        buf[t] = 3;
        buf[t + 1] = 3;
        put16(t + 2, 0);
        put32(t + 4, 0);
        int q = t + 8;
        int udpLen = 8 + quotedPayloadLen;
        buf[q] = 0x45;
        buf[q + 1] = 0;
        put16(q + 2, IP + udpLen);
        put16(q + 4, (ipId * 7) & 0xFFFF);
        put16(q + 6, 0);
        buf[q + 8] = (byte) quotedTtl;
        buf[q + 9] = 17;
        put16(q + 10, 0);
        put32(q + 12, to.ip());
        put32(q + 16, from.ip());
        put16(q + 10, checksum(q, IP, 0));
        put16(q + 20, quotedSport);
        put16(q + 22, quotedDport);
        put16(q + 24, udpLen);
        put16(q + 26, 0);
        put16(t + 2, checksum(t, l4Len, 0));
        emit(tsUs, l4Len);
    }

    private int ipHeader(Nic src, Nic dst, int proto, int l4Len, boolean df, int ttl) {
        putMac(0, dst.mac());
        putMac(6, src.mac());
        put16(12, 0x0800);
        int i = ETH;
        buf[i] = 0x45;
        buf[i + 1] = 0;
        put16(i + 2, IP + l4Len);
        ipId = (ipId + 1) & 0xFFFF;
        put16(i + 4, df ? 0 : ipId);
        put16(i + 6, df ? 0x4000 : 0);
        buf[i + 8] = (byte) ttl;
        buf[i + 9] = (byte) proto;
        put16(i + 10, 0);
        put32(i + 12, src.ip());
        put32(i + 16, dst.ip());
        put16(i + 10, checksum(i, IP, 0));
        return ETH + IP;
    }

    /** Writes the payload bytes that fit in the snap length (the rest is not captured). */
    private void writePayload(int at, int payloadLen, byte[] payload) {
        int n = Math.min(payloadLen, Math.max(0, log.snapLen() - at));
        int given = payload == null ? 0 : Math.min(n, payload.length);
        if (given > 0) {
            System.arraycopy(payload, 0, buf, at, given);
        }
        for (int k = at + given; k < at + n; k++) {
            buf[k] = 0;
        }
    }

    /**
     * Checksum of a transport header in {@code buf} (even length) followed by the whole payload:
     * the explicit bytes of {@code payload}, captured or not, and implicit zeros after them.
     */
    private int l4Checksum(int srcIp, int dstIp, int proto, int l4Len, int at, int hdrLen, byte[] payload, int payloadLen) {
        long sum = ((srcIp >>> 16) & 0xFFFF) + (srcIp & 0xFFFF) + ((dstIp >>> 16) & 0xFFFF) + (dstIp & 0xFFFF)
                + proto + l4Len;
        sum = sum16(buf, at, hdrLen, sum);
        if (payload != null) {
            sum = sum16(payload, 0, Math.min(payload.length, payloadLen), sum);
        }
        return fold(sum);
    }

    private int checksum(int at, int len, long seed) {
        return fold(sum16(buf, at, len, seed));
    }

    private static long sum16(byte[] b, int at, int len, long sum) {
        int end = at + len;
        int k = at;
        for (; k + 1 < end; k += 2) {
            sum += ((b[k] & 0xFF) << 8) | (b[k + 1] & 0xFF);
        }
        if (k < end) {
            sum += (b[k] & 0xFF) << 8;
        }
        return sum;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private void emit(long tsUs, int l4Len) {
        int wire = ETH + IP + l4Len;
        log.add(tsUs, buf, Math.min(wire, log.snapLen()), wire);
    }

    private void putMac(int at, long mac) {
        for (int k = 0; k < 6; k++) {
            buf[at + k] = (byte) (mac >>> (40 - 8 * k));
        }
    }

    private void put16(int at, int v) {
        buf[at] = (byte) (v >>> 8);
        buf[at + 1] = (byte) v;
    }

    private void put32(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }
}
