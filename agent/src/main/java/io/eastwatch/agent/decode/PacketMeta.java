package io.eastwatch.agent.decode;

/**
 * The decoded header fields of one packet, filled in place by {@link PacketDecoder}. One instance
 * is reused for every packet: no allocation per packet. Addresses are held as two longs (IPv6
 * high and low 64 bits; IPv4 in the low 32 bits of {@code lo} with {@code hi} = 0) so flow keys
 * compare without objects.
 */
public final class PacketMeta {
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
    /** 0 none, 1 VXLAN, 2 Geneve: the fields above describe the inner frame. */
    public int tunnel;
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

    public void clear() {
        tsMicros = 0;
        wireLen = capLen = interfaceId = 0;
        ipVersion = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        protocol = srcPort = dstPort = tcpFlags = icmpType = icmpCode = icmpId = payloadLen = 0;
        vlan = tunnel = 0;
        fragment = false;
        icmpError = false;
        innerProtocol = innerSrcPort = innerDstPort = 0;
        innerSrcHi = innerSrcLo = innerDstHi = innerDstLo = 0;
    }
}
