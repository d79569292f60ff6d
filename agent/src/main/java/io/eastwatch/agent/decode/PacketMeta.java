package io.eastwatch.agent.decode;

/**
 * The decoded header fields of one packet, filled in place by {@link PacketDecoder}. One instance
 * is reused for every packet: no allocation per packet. Addresses are held as two longs (IPv6
 * high and low 64 bits; IPv4 in the low 32 bits of {@code lo} with {@code hi} = 0) so flow keys
 * compare without objects.
 */
public final class PacketMeta {
    public static final int TUNNEL_NONE = 0;
    public static final int TUNNEL_VXLAN = 1;
    public static final int TUNNEL_GENEVE = 2;
    /** GRE carrying Ethernet (transparent bridging) or IP. */
    public static final int TUNNEL_GRE = 3;
    /** ERSPAN port mirroring (types I, II, III) over GRE. */
    public static final int TUNNEL_ERSPAN = 4;

    public long tsMicros;
    public int wireLen;
    public int capLen;
    public int interfaceId;

    /** 4 or 6 for the (innermost decoded) IP header; 0 if there is none. */
    public int ipVersion;
    public long srcHi, srcLo, dstHi, dstLo;
    /** IANA protocol number of the transport header (6, 17, 1, 58, ...). */
    public int protocol;
    public int srcPort, dstPort;
    /** TCP flags byte (FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80). */
    public int tcpFlags;
    public int icmpType, icmpCode;
    /** ICMP echo identifier (request and reply share it): used as the "port" of an ICMP echo flow. */
    public int icmpId;
    /** Bytes of transport payload (after the TCP/UDP/ICMP header), from the IP length fields. */
    public int payloadLen;
    /** Outer VLAN id, 0 when untagged. */
    public int vlan;
    /**
     * The tunnel whose inner frame the fields above describe: {@link #TUNNEL_NONE},
     * {@link #TUNNEL_VXLAN}, {@link #TUNNEL_GENEVE}, {@link #TUNNEL_GRE} or {@link #TUNNEL_ERSPAN}.
     */
    public int tunnel;
    /**
     * What tells one IP packet from another when the same packet is captured twice (on a
     * container's veth and again after the host or a router forwarded it): the IPv4 identification
     * (IPv6: the flow label), the TTL / hop limit (one less per routing hop, so not part of the
     * identity), and a digest of transport header fields that forwarding leaves alone (TCP
     * sequence and acknowledgement numbers and checksum, UDP length and checksum, the ICMP
     * header, a later fragment's offset).
     */
    public int ipId;
    public int ttl;
    public long l4Digest;
    /** A non-first IP fragment: no transport header, ports are 0 unless the decoder recovered them. */
    public boolean fragment;

    /**
     * ICMP / ICMPv6 error (destination unreachable, time exceeded, ...) quoting an earlier packet:
     * the quoted packet's 5-tuple, as the original sender sent it.
     */
    public boolean icmpError;
    public int innerProtocol;
    public long innerSrcHi, innerSrcLo, innerDstHi, innerDstLo;
    public int innerSrcPort, innerDstPort;
    /**
     * The quoted packet is an ICMP / ICMPv6 echo request or reply: {@code innerSrcPort} and
     * {@code innerDstPort} both hold its echo identifier.
     */
    public boolean innerEcho;

    public void clear() {
        tsMicros = 0;
        wireLen = capLen = interfaceId = 0;
        ipVersion = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        protocol = srcPort = dstPort = tcpFlags = icmpType = icmpCode = icmpId = payloadLen = 0;
        vlan = tunnel = 0;
        fragment = false;
        ipId = ttl = 0;
        l4Digest = 0;
        icmpError = false;
        innerEcho = false;
        innerProtocol = innerSrcPort = innerDstPort = 0;
        innerSrcHi = innerSrcLo = innerDstHi = innerDstLo = 0;
    }
}
