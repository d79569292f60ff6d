package io.eastwatch.agent.decode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Decodes the headers of one captured packet from raw bytes into a reused {@link PacketMeta}:
 * link layer (Ethernet with 802.1Q/802.1ad tags, LLC/SNAP and MPLS; Linux SLL and SLL2; raw IP;
 * BSD loopback; NFLOG), IPv4 (options, fragments) and IPv6 (extension headers, jumbograms), then
 * TCP, UDP, SCTP, ICMP and ICMPv6. ICMP errors yield the 5-tuple of the packet they quote.
 * VXLAN, Geneve, GRE and ERSPAN carry overlay traffic: their inner frame is decoded and described
 * instead of the carrier.
 *
 * <p>Every read is an absolute index checked against the captured length first: no length field
 * in the packet is trusted, and no input makes the decoder throw. Nothing is allocated per packet.
 * A result other than {@link DecodeResult#OK} is counted here by reason (callers do not count it
 * again); the fields decoded before the failure are left in {@code meta}.
 *
 * <p>Not thread-safe: one decoder per capture thread.
 */
public final class PacketDecoder {

    /**
     * @param fragmentTableSize     slots of the first-fragment port table (a power of two, 16 to
     *                              2^20). Raising it keeps the ports of more concurrently fragmented
     *                              datagrams at 56 bytes a slot; lowering it lets colliding datagrams
     *                              evict each other, leaving later fragments without ports.
     * @param fragmentTimeoutMicros how long (packet time) a first fragment's ports stay usable,
     *                              1 ms to 5 min. Longer tolerates slow fragment trains but risks
     *                              giving a recycled IP identification stale ports.
     * @param decodeTunnels         decode the inner frames of VXLAN, Geneve, GRE and ERSPAN. Off,
     *                              the carrier (outer) packet is reported and overlay flows are
     *                              invisible.
     */
    public record Settings(int fragmentTableSize, long fragmentTimeoutMicros, boolean decodeTunnels) {
        public Settings {
            if (fragmentTableSize < 16 || fragmentTableSize > (1 << 20) || Integer.bitCount(fragmentTableSize) != 1) {
                throw new IllegalArgumentException("fragmentTableSize: " + fragmentTableSize
                        + " (expected: a power of two from 16 to 1048576)");
            }
            if (fragmentTimeoutMicros < 1_000 || fragmentTimeoutMicros > 300_000_000L) {
                throw new IllegalArgumentException("fragmentTimeoutMicros: " + fragmentTimeoutMicros
                        + " (expected: 1000 to 300000000)");
            }
        }

        public static Settings defaults() {
            return new Settings(4096, 30_000_000L, true);
        }
    }

    static final String ERRORS_METRIC = "eastwatch.agent.decode.errors";
    static final String UNDECODED_METRIC = "eastwatch.agent.packets.undecoded";

    public static final int VXLAN_PORT = 4789;
    /** Linux's (and flannel's) VXLAN port before IANA assigned 4789. */
    public static final int VXLAN_LINUX_PORT = 8472;
    public static final int GENEVE_PORT = 6081;

    private static final int MAX_VLAN_TAGS = 8;
    private static final int MAX_MPLS_LABELS = 16;
    private static final int MAX_IPV6_EXTENSIONS = 16;
    private static final int MAX_TUNNEL_DEPTH = 2;
    private static final int MAX_NFLOG_TLVS = 64;

    private static final int ETH_IPV4 = 0x0800;
    private static final int ETH_ARP = 0x0806;
    private static final int ETH_RARP = 0x8035;
    private static final int ETH_IPV6 = 0x86DD;
    private static final int ETH_VLAN = 0x8100;
    private static final int ETH_QINQ = 0x88A8;
    private static final int ETH_QINQ_OLD1 = 0x9100;
    private static final int ETH_QINQ_OLD2 = 0x9200;
    private static final int ETH_MPLS = 0x8847;
    private static final int ETH_MPLS_MULTI = 0x8848;
    private static final int ETH_TEB = 0x6558;
    private static final int ETH_ERSPAN_2 = 0x88BE;
    private static final int ETH_ERSPAN_3 = 0x22EB;

    private static final int IP_ICMP = 1;
    private static final int IP_TCP = 6;
    private static final int IP_UDP = 17;
    private static final int IP_GRE = 47;
    private static final int IP_ICMPV6 = 58;
    private static final int IP_SCTP = 132;
    private static final int IP_UDPLITE = 136;

    private static final DecodeResult[] RESULTS = DecodeResult.values();

    private final Settings settings;
    private final FragmentPortTable fragments;
    private final Counter[] counters = new Counter[RESULTS.length];

    // Per-packet state: the buffer in network order, the packet, and the captured / wire ends.
    private ByteBuffer b;
    private ByteBuffer lastForeign;
    private ByteBuffer lastView;
    private PacketMeta m;
    private int end;
    private long wireEnd;
    private int depth;

    // Result of the last IPv6 extension header walk.
    private int walkProto;
    private int walkOff;
    private int walkFragOffset;
    private boolean walkFragMore;
    private int walkFragId;
    private long walkJumbo;

    public PacketDecoder(MeterRegistry registry) {
        this(registry, Settings.defaults());
    }

    public PacketDecoder(MeterRegistry registry, Settings settings) {
        Objects.requireNonNull(registry, "registry");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fragments = new FragmentPortTable(settings.fragmentTableSize(), settings.fragmentTimeoutMicros());
        for (DecodeResult r : RESULTS) {
            if (r == DecodeResult.OK) {
                continue;
            }
            counters[r.ordinal()] = Counter.builder(r.isError() ? ERRORS_METRIC : UNDECODED_METRIC)
                    .description(r.isError() ? "Packets whose headers are malformed or cut short, by reason"
                            : "Packets that are not IP traffic eastwatch tracks, by reason")
                    .tag("reason", r.tag())
                    .register(registry);
        }
    }

    /**
     * Decodes one packet into {@code meta} (cleared first). The arguments are those of
     * {@link io.eastwatch.agent.capture.PacketHandler#onPacket}; {@code buf}'s position, limit and
     * byte order are left as they are.
     */
    public DecodeResult decode(long tsMicros, int wireLen, ByteBuffer buf, int offset, int capLen,
                               int linkType, int interfaceId, PacketMeta meta) {
        meta.clear();
        meta.tsMicros = tsMicros;
        meta.wireLen = wireLen;
        meta.capLen = capLen;
        meta.interfaceId = interfaceId;
        DecodeResult r;
        int limit = buf.limit();
        if (offset < 0 || capLen < 0 || offset > limit) {
            r = DecodeResult.TRUNCATED;
        } else {
            b = buf.order() == ByteOrder.BIG_ENDIAN ? buf : networkOrderView(buf);
            m = meta;
            end = (int) Math.min((long) offset + capLen, limit);
            wireEnd = offset + (long) Math.max(wireLen, capLen);
            depth = 0;
            r = link(linkType, offset);
            b = null;
            m = null;
        }
        if (r != DecodeResult.OK) {
            counters[r.ordinal()].increment();
        }
        return r;
    }

    /** A big-endian view of a buffer handed over in little-endian order, kept while the buffer is reused. */
    private ByteBuffer networkOrderView(ByteBuffer buf) {
        if (buf != lastForeign) {
            lastForeign = buf;
            lastView = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        }
        return lastView;
    }

    private int u8(int i) {
        return b.get(i) & 0xff;
    }

    private int u16(int i) {
        return b.getShort(i) & 0xffff;
    }

    private long u32(int i) {
        return b.getInt(i) & 0xffffffffL;
    }

    /** True when {@code n} bytes from {@code off} were captured. */
    private boolean has(int off, int n) {
        return off >= 0 && (long) off + n <= end;
    }

    // ---- link layer ----

    private DecodeResult link(int linkType, int off) {
        switch (linkType) {
            case LinkType.EN10MB:
                return ethernet(off);
            case LinkType.RAW:
            case LinkType.DLT_RAW_BSD:
            case LinkType.DLT_RAW_OPENBSD:
                return ip(off, 0);
            case LinkType.IPV4:
                return ip(off, 4);
            case LinkType.IPV6:
                return ip(off, 6);
            case LinkType.NULL:
            case LinkType.LOOP:
                return loopback(off);
            case LinkType.LINUX_SLL:
                if (!has(off, 16)) {
                    return DecodeResult.TRUNCATED;
                }
                return etherType(u16(off + 14), off + 16);
            case LinkType.LINUX_SLL2:
                if (!has(off, 20)) {
                    return DecodeResult.TRUNCATED;
                }
                return etherType(u16(off), off + 20);
            case LinkType.NFLOG:
                return nflog(off);
            default:
                return DecodeResult.UNSUPPORTED_LINKTYPE;
        }
    }

    private DecodeResult loopback(int off) {
        if (!has(off, 4)) {
            return DecodeResult.TRUNCATED;
        }
        // The family is in the byte order of the host that captured: whichever reading is small.
        int family = b.getInt(off);
        if ((family & 0xffff0000) != 0) {
            family = Integer.reverseBytes(family);
        }
        return switch (family) {
            case 2 -> ip(off + 4, 4);
            // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, macOS.
            case 10, 24, 28, 30 -> ip(off + 4, 6);
            default -> DecodeResult.UNSUPPORTED_ETHERTYPE;
        };
    }

    private DecodeResult nflog(int off) {
        if (!has(off, 4)) {
            return DecodeResult.TRUNCATED;
        }
        int family = u8(off);
        int o = off + 4;
        for (int i = 0; i < MAX_NFLOG_TLVS; i++) {
            if (!has(o, 4)) {
                return DecodeResult.TRUNCATED;
            }
            // TLV length and type are in the capturing host's byte order (little-endian in practice).
            int len = Short.reverseBytes(b.getShort(o)) & 0xffff;
            int type = Short.reverseBytes(b.getShort(o + 2)) & 0x7fff;
            if (len < 4) {
                return DecodeResult.TRUNCATED;
            }
            if (type == 9) {
                return switch (family) {
                    case 2 -> ip(o + 4, 4);
                    case 10 -> ip(o + 4, 6);
                    default -> DecodeResult.UNSUPPORTED_ETHERTYPE;
                };
            }
            o += (len + 3) & ~3;
        }
        return DecodeResult.TOO_MANY_HEADERS;
    }

    private DecodeResult ethernet(int off) {
        if (!has(off, 14)) {
            return DecodeResult.TRUNCATED;
        }
        return etherType(u16(off + 12), off + 14);
    }

    private DecodeResult etherType(int type, int off) {
        int tags = 0;
        while (true) {
            switch (type) {
                case ETH_IPV4:
                    return ip(off, 4);
                case ETH_IPV6:
                    return ip(off, 6);
                case ETH_VLAN, ETH_QINQ, ETH_QINQ_OLD1, ETH_QINQ_OLD2:
                    if (++tags > MAX_VLAN_TAGS) {
                        return DecodeResult.TOO_MANY_HEADERS;
                    }
                    if (!has(off, 4)) {
                        return DecodeResult.TRUNCATED;
                    }
                    if (tags == 1 && depth == 0) {
                        m.vlan = u16(off) & 0x0fff;
                    }
                    type = u16(off + 2);
                    off += 4;
                    break;
                case ETH_ARP, ETH_RARP:
                    return DecodeResult.NON_IP;
                case ETH_MPLS, ETH_MPLS_MULTI:
                    return mpls(off);
                default:
                    if (type >= 0x0600) {
                        return DecodeResult.UNSUPPORTED_ETHERTYPE;
                    }
                    // 802.3 length field: only LLC with a SNAP header names an Ethernet type.
                    if (!has(off, 8)) {
                        return DecodeResult.TRUNCATED;
                    }
                    if (u8(off) != 0xAA || u8(off + 1) != 0xAA || u8(off + 2) != 0x03) {
                        return DecodeResult.UNSUPPORTED_ETHERTYPE;
                    }
                    if (++tags > MAX_VLAN_TAGS) {
                        return DecodeResult.TOO_MANY_HEADERS;
                    }
                    type = u16(off + 6);
                    off += 8;
                    break;
            }
        }
    }

    private DecodeResult mpls(int off) {
        for (int i = 0; i < MAX_MPLS_LABELS; i++) {
            if (!has(off, 4)) {
                return DecodeResult.TRUNCATED;
            }
            boolean bottom = (u8(off + 2) & 1) != 0;
            off += 4;
            if (bottom) {
                if (!has(off, 1)) {
                    return DecodeResult.TRUNCATED;
                }
                return switch (u8(off) >> 4) {
                    case 4 -> ip(off, 4);
                    case 6 -> ip(off, 6);
                    // Pseudowires (a control word, then Ethernet) are not followed.
                    default -> DecodeResult.UNSUPPORTED_ETHERTYPE;
                };
            }
        }
        return DecodeResult.TOO_MANY_HEADERS;
    }

    // ---- IP ----

    private DecodeResult ip(int off, int expectedVersion) {
        if (!has(off, 1)) {
            return DecodeResult.TRUNCATED;
        }
        int version = u8(off) >> 4;
        if (expectedVersion != 0 && version != expectedVersion) {
            return DecodeResult.BAD_IP_VERSION;
        }
        if (version == 4) {
            return ipv4(off);
        }
        if (version == 6) {
            return ipv6(off);
        }
        return DecodeResult.BAD_IP_VERSION;
    }

    private DecodeResult ipv4(int off) {
        int ihl = (u8(off) & 0x0f) << 2;
        if (ihl < 20) {
            return DecodeResult.BAD_IP_HEADER_LENGTH;
        }
        if (!has(off, 20)) {
            return DecodeResult.TRUNCATED;
        }
        m.ipVersion = 4;
        m.srcHi = 0;
        m.srcLo = u32(off + 12);
        m.dstHi = 0;
        m.dstLo = u32(off + 16);
        int proto = u8(off + 9);
        m.protocol = proto;
        if (!has(off, ihl)) {
            return DecodeResult.TRUNCATED;
        }
        int total = u16(off + 2);
        long wireAvail = wireEnd - off;
        if (total == 0) {
            // Segmentation offload hands up oversized packets with a zero length: the wire says.
            total = (int) Math.min(wireAvail, Integer.MAX_VALUE);
        } else if (total < ihl) {
            return DecodeResult.BAD_IP_TOTAL_LENGTH;
        } else if (total > wireAvail) {
            total = (int) wireAvail;
        }
        int l4Len = total - ihl;
        int frag = u16(off + 6);
        int fragOffset = frag & 0x1fff;
        int id = u16(off + 4);
        m.ipId = id;
        m.ttl = u8(off + 8);
        if (fragOffset != 0) {
            m.l4Digest = frag;
            return laterFragment(4, proto, id, l4Len);
        }
        boolean firstFragment = (frag & 0x2000) != 0;
        return transport(proto, off + ihl, l4Len, firstFragment, 4, id);
    }

    private DecodeResult ipv6(int off) {
        if (!has(off, 40)) {
            return DecodeResult.TRUNCATED;
        }
        m.ipVersion = 6;
        m.srcHi = b.getLong(off + 8);
        m.srcLo = b.getLong(off + 16);
        m.dstHi = b.getLong(off + 24);
        m.dstLo = b.getLong(off + 32);
        int payload = u16(off + 4);
        m.protocol = u8(off + 6);
        m.ipId = b.getInt(off) & 0xfffff;
        m.ttl = u8(off + 7);
        DecodeResult walked = walkIpv6(u8(off + 6), off + 40);
        m.protocol = walkProto;
        if (walked != DecodeResult.OK) {
            return walked;
        }
        long wireAvail = wireEnd - off - 40;
        long plen;
        if (payload != 0) {
            plen = payload;
        } else if (walkJumbo >= 0) {
            plen = walkJumbo;
        } else {
            // Zero payload length without a jumbo option: offloaded (BIG TCP), the wire says.
            plen = wireAvail;
        }
        plen = Math.min(plen, wireAvail);
        int l4Len = (int) Math.max(0, Math.min(Integer.MAX_VALUE, plen - (walkOff - (off + 40))));
        if (walkFragOffset > 0) {
            m.l4Digest = (long) walkFragId << 16 | walkFragOffset;
            return laterFragment(6, walkProto, walkFragId, l4Len);
        }
        boolean firstFragment = walkFragOffset == 0 && walkFragMore;
        return transport(walkProto, walkOff, l4Len, firstFragment, 6, walkFragId);
    }

    /**
     * Follows IPv6 extension headers from {@code off} (the byte after the fixed header) to the
     * upper-layer header; leaves the result in the {@code walk*} fields.
     */
    private DecodeResult walkIpv6(int next, int off) {
        walkFragOffset = -1;
        walkFragMore = false;
        walkFragId = 0;
        walkJumbo = -1;
        walkProto = next;
        walkOff = off;
        for (int i = 0; i <= MAX_IPV6_EXTENSIONS; i++) {
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> {
                    // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-byte units.
                    if (!has(off, 2)) {
                        return DecodeResult.TRUNCATED;
                    }
                    int len = (u8(off + 1) + 1) << 3;
                    if (next == 0) {
                        jumboOption(off + 2, off + len);
                    }
                    next = u8(off);
                    off += len;
                }
                case 51 -> {
                    // Authentication header: length in 4-byte units, minus 2.
                    if (!has(off, 2)) {
                        return DecodeResult.TRUNCATED;
                    }
                    int len = (u8(off + 1) + 2) << 2;
                    next = u8(off);
                    off += len;
                }
                case 44 -> {
                    if (!has(off, 8)) {
                        return DecodeResult.TRUNCATED;
                    }
                    int fo = u16(off + 2);
                    walkFragOffset = fo >>> 3;
                    walkFragMore = (fo & 1) != 0;
                    walkFragId = b.getInt(off + 4);
                    next = u8(off);
                    off += 8;
                    if (walkFragOffset > 0) {
                        // Later fragments hold the rest of the datagram, not further headers.
                        walkProto = next;
                        walkOff = off;
                        return DecodeResult.OK;
                    }
                }
                default -> {
                    walkProto = next;
                    walkOff = off;
                    return DecodeResult.OK;
                }
            }
            walkProto = next;
        }
        return DecodeResult.TOO_MANY_HEADERS;
    }

    /** Looks for the Jumbo Payload option (RFC 2675) among hop-by-hop options in [from, to). */
    private void jumboOption(int from, int to) {
        int o = from;
        int stop = Math.min(to, end);
        while (o < stop) {
            int type = u8(o);
            if (type == 0) {
                o++;
                continue;
            }
            if (o + 2 > stop) {
                return;
            }
            int len = u8(o + 1);
            if (type == 0xC2 && len == 4 && o + 6 <= stop) {
                walkJumbo = u32(o + 2);
                return;
            }
            o += 2 + len;
        }
    }

    private DecodeResult laterFragment(int version, int proto, int id, int l4Len) {
        m.fragment = true;
        m.protocol = proto;
        m.payloadLen = l4Len;
        long ports = fragments.get(version, proto, id, m.srcHi, m.srcLo, m.dstHi, m.dstLo, m.tsMicros);
        if (ports >= 0) {
            m.srcPort = (int) (ports >>> 16);
            m.dstPort = (int) (ports & 0xffff);
        }
        return DecodeResult.OK;
    }

    // ---- transport ----

    private DecodeResult transport(int proto, int off, int l4Len, boolean firstFragment, int version, int id) {
        m.protocol = proto;
        switch (proto) {
            case IP_TCP: {
                if (!has(off, 14)) {
                    return DecodeResult.TRUNCATED;
                }
                m.srcPort = u16(off);
                m.dstPort = u16(off + 2);
                m.tcpFlags = u8(off + 13);
                m.l4Digest = has(off, 18) ? b.getLong(off + 4) ^ (long) u16(off + 16) << 20 : b.getLong(off + 4);
                rememberPorts(firstFragment, version, proto, id);
                int dataOffset = (u8(off + 12) >> 4) << 2;
                if (dataOffset < 20 || (dataOffset > l4Len && !firstFragment)) {
                    return DecodeResult.BAD_TCP_HEADER_LENGTH;
                }
                m.payloadLen = Math.max(0, l4Len - dataOffset);
                return DecodeResult.OK;
            }
            case IP_UDP:
            case IP_UDPLITE: {
                if (!has(off, 8)) {
                    return DecodeResult.TRUNCATED;
                }
                int sp = u16(off);
                int dp = u16(off + 2);
                m.srcPort = sp;
                m.dstPort = dp;
                m.l4Digest = u32(off + 4);
                m.payloadLen = Math.max(0, l4Len - 8);
                rememberPorts(firstFragment, version, proto, id);
                if (proto == IP_UDP && !firstFragment && settings.decodeTunnels()) {
                    if (dp == VXLAN_PORT || dp == VXLAN_LINUX_PORT) {
                        return vxlan(off + 8);
                    }
                    if (dp == GENEVE_PORT) {
                        return geneve(off + 8);
                    }
                }
                return DecodeResult.OK;
            }
            case IP_SCTP: {
                if (!has(off, 4)) {
                    return DecodeResult.TRUNCATED;
                }
                m.srcPort = u16(off);
                m.dstPort = u16(off + 2);
                m.l4Digest = has(off, 12) ? b.getLong(off + 4) : 0;
                m.payloadLen = Math.max(0, l4Len - 12);
                rememberPorts(firstFragment, version, proto, id);
                return DecodeResult.OK;
            }
            case IP_ICMP:
                return icmp(off, l4Len, false);
            case IP_ICMPV6:
                return icmp(off, l4Len, true);
            case IP_GRE:
                m.payloadLen = l4Len;
                m.l4Digest = has(off, 8) ? b.getLong(off) : 0;
                if (!firstFragment && settings.decodeTunnels()) {
                    return gre(off);
                }
                return DecodeResult.OK;
            default:
                // ESP, OSPF, VRRP, ...: a flow by addresses and protocol alone.
                m.payloadLen = l4Len;
                m.l4Digest = has(off, 8) ? b.getLong(off) : 0;
                return DecodeResult.OK;
        }
    }

    private void rememberPorts(boolean firstFragment, int version, int proto, int id) {
        if (firstFragment) {
            fragments.put(version, proto, id, m.srcHi, m.srcLo, m.dstHi, m.dstLo, m.srcPort, m.dstPort, m.tsMicros);
        }
    }

    private DecodeResult icmp(int off, int l4Len, boolean v6) {
        if (!has(off, 4)) {
            return DecodeResult.TRUNCATED;
        }
        int type = u8(off);
        m.icmpType = type;
        m.icmpCode = u8(off + 1);
        m.l4Digest = has(off, 8) ? b.getLong(off) : u32(off);
        m.payloadLen = Math.max(0, l4Len - 8);
        boolean echoLike;
        boolean error;
        if (v6) {
            echoLike = type == 128 || type == 129;
            error = type >= 1 && type <= 4;
        } else {
            echoLike = type == 0 || type == 8 || (type >= 13 && type <= 18);
            error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
        }
        if (echoLike) {
            if (!has(off, 8)) {
                return DecodeResult.TRUNCATED;
            }
            m.icmpId = u16(off + 4);
        } else if (error) {
            if (!quote(off + 8, v6)) {
                counters[DecodeResult.ICMP_QUOTE_UNDECODED.ordinal()].increment();
            }
        }
        return DecodeResult.OK;
    }

    /**
     * Reads the 5-tuple of the packet quoted by an ICMP error (its IP header and at least the first
     * 8 bytes of its transport header) into the {@code inner*} fields.
     */
    private boolean quote(int off, boolean v6) {
        if (!has(off, 1)) {
            return false;
        }
        int version = u8(off) >> 4;
        int proto;
        int l4;
        boolean portsAvailable;
        long sHi;
        long sLo;
        long dHi;
        long dLo;
        if (!v6 && version == 4) {
            int ihl = (u8(off) & 0x0f) << 2;
            if (ihl < 20 || !has(off, ihl)) {
                return false;
            }
            sHi = 0;
            sLo = u32(off + 12);
            dHi = 0;
            dLo = u32(off + 16);
            proto = u8(off + 9);
            l4 = off + ihl;
            portsAvailable = (u16(off + 6) & 0x1fff) == 0;
        } else if (v6 && version == 6) {
            if (!has(off, 40)) {
                return false;
            }
            sHi = b.getLong(off + 8);
            sLo = b.getLong(off + 16);
            dHi = b.getLong(off + 24);
            dLo = b.getLong(off + 32);
            if (walkIpv6(u8(off + 6), off + 40) != DecodeResult.OK) {
                return false;
            }
            proto = walkProto;
            l4 = walkOff;
            portsAvailable = walkFragOffset <= 0;
        } else {
            return false;
        }
        int sp = 0;
        int dp = 0;
        boolean echo = false;
        if (portsAvailable && (proto == IP_TCP || proto == IP_UDP || proto == IP_SCTP || proto == IP_UDPLITE)) {
            if (!has(l4, 4)) {
                return false;
            }
            sp = u16(l4);
            dp = u16(l4 + 2);
        } else if (portsAvailable && proto == (v6 ? IP_ICMPV6 : IP_ICMP) && has(l4, 8)) {
            // A quoted echo (a ping sweep's request to a host that is not there): its identifier
            // is what keys the echo flow, and the 8 quoted ICMP bytes always include it.
            int quotedType = u8(l4);
            if (v6 ? quotedType == 128 || quotedType == 129 : quotedType == 8 || quotedType == 0) {
                sp = dp = u16(l4 + 4);
                echo = true;
            }
        }
        m.icmpError = true;
        m.innerProtocol = proto;
        m.innerSrcHi = sHi;
        m.innerSrcLo = sLo;
        m.innerDstHi = dHi;
        m.innerDstLo = dLo;
        m.innerSrcPort = sp;
        m.innerDstPort = dp;
        m.innerEcho = echo;
        return true;
    }

    // ---- tunnels ----

    private DecodeResult vxlan(int off) {
        // The I flag says the VNI is valid; without it this is not VXLAN as Linux would accept it.
        if (!has(off, 8) || (u8(off) & 0x08) == 0) {
            return DecodeResult.OK;
        }
        return inner(PacketMeta.TUNNEL_VXLAN, off + 8, -1);
    }

    private DecodeResult geneve(int off) {
        if (!has(off, 8) || (u8(off) >> 6) != 0) {
            return DecodeResult.OK;
        }
        int optLen = (u8(off) & 0x3f) << 2;
        int type = u16(off + 2);
        int inner = off + 8 + optLen;
        if (type == ETH_TEB) {
            return inner(PacketMeta.TUNNEL_GENEVE, inner, -1);
        }
        if (type == ETH_IPV4 || type == ETH_IPV6) {
            return inner(PacketMeta.TUNNEL_GENEVE, inner, type);
        }
        return DecodeResult.OK;
    }

    private DecodeResult gre(int off) {
        if (!has(off, 4)) {
            return DecodeResult.OK;
        }
        int flags = u16(off);
        int type = u16(off + 2);
        if ((flags & 0x7) != 0 || (flags & 0x4000) != 0) {
            // Version 1 (PPTP's enhanced GRE) carries PPP; source routing is obsolete.
            return DecodeResult.OK;
        }
        int o = off + 4;
        if ((flags & 0x8000) != 0) {
            o += 4;
        }
        if ((flags & 0x2000) != 0) {
            o += 4;
        }
        boolean sequence = (flags & 0x1000) != 0;
        if (sequence) {
            o += 4;
        }
        switch (type) {
            case ETH_TEB:
                return inner(PacketMeta.TUNNEL_GRE, o, -1);
            case ETH_IPV4, ETH_IPV6:
                return inner(PacketMeta.TUNNEL_GRE, o, type);
            case ETH_ERSPAN_2:
                // Type II has an 8-byte header and a sequence number; type I has neither.
                return inner(PacketMeta.TUNNEL_ERSPAN, sequence ? o + 8 : o, -1);
            case ETH_ERSPAN_3: {
                if (!has(o, 12)) {
                    counters[DecodeResult.INNER_FRAME_UNDECODED.ordinal()].increment();
                    return DecodeResult.OK;
                }
                boolean platformSubheader = (u8(o + 11) & 0x01) != 0;
                return inner(PacketMeta.TUNNEL_ERSPAN, o + 12 + (platformSubheader ? 8 : 0), -1);
            }
            default:
                return DecodeResult.OK;
        }
    }

    /**
     * Decodes a tunnel's inner frame (Ethernet when {@code etherType} is -1, else the given
     * Ethernet type) so that {@code meta} describes it. If the inner frame is malformed, the outer
     * packet is restored and reported; if it is not IP, its reason is returned.
     */
    private DecodeResult inner(int kind, int off, int etherType) {
        if (depth >= MAX_TUNNEL_DEPTH) {
            counters[DecodeResult.TOO_MANY_HEADERS.ordinal()].increment();
            return DecodeResult.OK;
        }
        PacketMeta x = m;
        int ipVersion = x.ipVersion;
        long srcHi = x.srcHi;
        long srcLo = x.srcLo;
        long dstHi = x.dstHi;
        long dstLo = x.dstLo;
        int protocol = x.protocol;
        int srcPort = x.srcPort;
        int dstPort = x.dstPort;
        int tcpFlags = x.tcpFlags;
        int payloadLen = x.payloadLen;
        int ipId = x.ipId;
        int ttl = x.ttl;
        long l4Digest = x.l4Digest;
        x.ipVersion = 0;
        x.srcHi = x.srcLo = x.dstHi = x.dstLo = 0;
        x.protocol = x.srcPort = x.dstPort = x.tcpFlags = x.payloadLen = 0;
        depth++;
        DecodeResult r = etherType < 0 ? ethernet(off) : etherType(etherType, off);
        depth--;
        if (r == DecodeResult.OK) {
            if (x.tunnel == PacketMeta.TUNNEL_NONE) {
                x.tunnel = kind;
            }
            return r;
        }
        if (!r.isError()) {
            x.tunnel = kind;
            return r;
        }
        counters[DecodeResult.INNER_FRAME_UNDECODED.ordinal()].increment();
        x.ipVersion = ipVersion;
        x.srcHi = srcHi;
        x.srcLo = srcLo;
        x.dstHi = dstHi;
        x.dstLo = dstLo;
        x.protocol = protocol;
        x.srcPort = srcPort;
        x.dstPort = dstPort;
        x.tcpFlags = tcpFlags;
        x.payloadLen = payloadLen;
        x.ipId = ipId;
        x.ttl = ttl;
        x.l4Digest = l4Digest;
        x.fragment = false;
        x.icmpType = x.icmpCode = x.icmpId = 0;
        x.icmpError = false;
        x.innerEcho = false;
        x.innerProtocol = x.innerSrcPort = x.innerDstPort = 0;
        x.innerSrcHi = x.innerSrcLo = x.innerDstHi = x.innerDstLo = 0;
        return DecodeResult.OK;
    }
}
