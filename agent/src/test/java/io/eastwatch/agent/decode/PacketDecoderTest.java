package io.eastwatch.agent.decode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static io.eastwatch.agent.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Table of hand-made packets, one per layer and per failure reason, with the fields they must yield. */
class PacketDecoderTest {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    private static final int ICMP6 = 58;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final String A = "10.0.0.1";
    private static final String B = "10.0.0.2";
    private static final String A6 = "fd00::1";
    private static final String B6 = "fd00::2";

    /** One row: a frame, its link type, the expected result and the fields to check. */
    record Case(String name, int linkType, byte[] frame, int wireLen, DecodeResult result, Map<String, Object> fields) {
        @Override
        public String toString() {
            return name;
        }

        Case wire(int len) {
            return new Case(name, linkType, frame, len, result, fields);
        }
    }

    private static Case ok(String name, int linkType, byte[] frame, Object... fieldValues) {
        return new Case(name, linkType, frame, frame.length, DecodeResult.OK, fields(fieldValues));
    }

    private static Case fails(String name, int linkType, byte[] frame, DecodeResult result, Object... fieldValues) {
        return new Case(name, linkType, frame, frame.length, result, fields(fieldValues));
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    private static final int EN = LinkType.EN10MB;
    private static final byte[] SYN_AB = ipv4(A, B, TCP, tcp(40000, 80, SYN, new byte[0]));
    private static final byte[] UDP_AB = ipv4(A, B, UDP, udp(5353, 53, zeros(30)));
    private static final byte[] TCP6_AB = ipv6(A6, B6, TCP, tcp(40000, 443, SYN | ACK, zeros(5)));

    static Stream<Case> cases() {
        byte[] quotedUdp = ipv4(A, B, UDP, udp(33000, 161, zeros(4)));
        byte[] quotedTcp6 = ipv6(A6, B6, TCP, tcp(40001, 22, SYN, new byte[0]));
        byte[] innerTcp = eth(0x0800, ipv4("192.168.1.1", "192.168.1.2", TCP, tcp(1111, 2222, ACK, zeros(7))));
        return Stream.of(
                // ---- link layers ----
                ok("ethernet ipv4 tcp syn", EN, eth(0x0800, SYN_AB), "ipVersion", 4, "srcLo", v4(A), "dstLo", v4(B),
                        "protocol", TCP, "srcPort", 40000, "dstPort", 80, "tcpFlags", SYN, "payloadLen", 0, "vlan", 0),
                ok("802.1Q tag keeps the vlan id", EN, eth(0x8100, cat(u16(0x2064), u16(0x0800), SYN_AB)),
                        "vlan", 100, "dstPort", 80),
                ok("802.1ad QinQ keeps the outer id", EN,
                        eth(0x88A8, cat(u16(200), u16(0x8100), u16(100), u16(0x0800), SYN_AB)), "vlan", 200, "srcPort", 40000),
                ok("old QinQ 0x9100", EN, eth(0x9100, cat(u16(7), u16(0x0800), SYN_AB)), "vlan", 7),
                ok("priority tag vlan 0", EN, eth(0x8100, cat(u16(0xA000), u16(0x86DD), TCP6_AB)), "vlan", 0, "ipVersion", 6),
                ok("802.3 LLC/SNAP", EN, cat(MAC_B, MAC_A, u16(8 + SYN_AB.length), bytes(0xAA, 0xAA, 3, 0, 0, 0), u16(0x0800), SYN_AB),
                        "dstPort", 80),
                ok("MPLS two labels", EN, eth(0x8847, cat(bytes(0, 0x10, 0x00, 64), bytes(0, 0x20, 0x01, 64), UDP_AB)),
                        "protocol", UDP, "dstPort", 53),
                ok("linux SLL", LinkType.LINUX_SLL, cat(u16(0), u16(1), u16(6), MAC_A, bytes(0, 0), u16(0x0800), UDP_AB),
                        "srcPort", 5353, "payloadLen", 30),
                ok("linux SLL2", LinkType.LINUX_SLL2, cat(u16(0x86DD), u16(0), u32(3), u16(1), bytes(0, 6), MAC_A, bytes(0, 0), TCP6_AB),
                        "ipVersion", 6, "srcHi", v6hi(A6), "srcLo", v6lo(A6), "dstLo", v6lo(B6), "dstPort", 443, "payloadLen", 5),
                ok("raw 101 ipv4", LinkType.RAW, SYN_AB, "ipVersion", 4),
                ok("raw 101 ipv6", LinkType.RAW, TCP6_AB, "ipVersion", 6),
                ok("DLT_RAW 12", LinkType.DLT_RAW_BSD, UDP_AB, "dstPort", 53),
                ok("DLT_RAW 14", LinkType.DLT_RAW_OPENBSD, TCP6_AB, "dstPort", 443),
                ok("IPV4 228", LinkType.IPV4, SYN_AB, "srcLo", v4(A)),
                ok("IPV6 229", LinkType.IPV6, TCP6_AB, "dstHi", v6hi(B6)),
                fails("IPV4 228 carrying ipv6", LinkType.IPV4, TCP6_AB, DecodeResult.BAD_IP_VERSION),
                ok("NULL AF_INET little-endian", LinkType.NULL, cat(bytes(2, 0, 0, 0), SYN_AB), "dstPort", 80),
                ok("NULL AF_INET big-endian", LinkType.NULL, cat(bytes(0, 0, 0, 2), SYN_AB), "dstPort", 80),
                ok("NULL AF_INET6 24", LinkType.NULL, cat(bytes(24, 0, 0, 0), TCP6_AB), "ipVersion", 6),
                ok("NULL AF_INET6 28 big-endian", LinkType.NULL, cat(bytes(0, 0, 0, 28), TCP6_AB), "ipVersion", 6),
                ok("NULL AF_INET6 30", LinkType.NULL, cat(bytes(30, 0, 0, 0), TCP6_AB), "ipVersion", 6),
                ok("LOOP AF_INET", LinkType.LOOP, cat(bytes(0, 0, 0, 2), UDP_AB), "protocol", UDP),
                fails("NULL unknown family", LinkType.NULL, cat(bytes(99, 0, 0, 0), SYN_AB), DecodeResult.UNSUPPORTED_ETHERTYPE),
                ok("NFLOG payload TLV", LinkType.NFLOG, cat(bytes(2, 0, 0, 0), bytes(8, 0, 1, 0), bytes(0, 0, 0, 0),
                        u16le(4 + SYN_AB.length), u16le(9), SYN_AB), "dstPort", 80),

                // ---- IPv4 ----
                ok("ipv4 options and tcp payload", EN, eth(0x0800, ipv4(A, B, TCP, 0, 0, bytes(1, 1, 1, 0), 24 + 20 + 10,
                        tcp(1, 2, ACK, zeros(10)))), "srcPort", 1, "payloadLen", 10),
                ok("ipv4 total length beyond the wire is clamped", EN, eth(0x0800, ipv4(A, B, UDP, 0, 0, new byte[0], 1500,
                        udp(1, 2, zeros(12)))), "payloadLen", 12),
                ok("ipv4 total length 0 (offload): the wire says", EN, eth(0x0800, ipv4(A, B, UDP, 0, 0, new byte[0], 0,
                        udp(1, 2, zeros(12)))), "payloadLen", 12),
                ok("snap length cut: payload from the IP length", EN,
                        eth(0x0800, ipv4(A, B, TCP, 0, 0, new byte[0], 20 + 20 + 1000, tcp(5, 6, ACK, new byte[0]))))
                        .wire(14 + 20 + 20 + 1000),
                ok("ethernet padding ignored", EN, eth(0x0800, cat(SYN_AB, zeros(6))), "payloadLen", 0),
                ok("first fragment has ports", EN, eth(0x0800, ipv4(A, B, UDP, 77, 0x2000, new byte[0], 20 + 8 + 100,
                        udp(4000, 53, zeros(100)))), "srcPort", 4000, "fragment", false),
                ok("later fragment without first: no ports", EN, eth(0x0800, ipv4(A, "10.9.9.9", UDP, 78, 185, new byte[0], 20 + 40,
                        zeros(40))), "fragment", true, "srcPort", 0, "protocol", UDP, "payloadLen", 40),
                ok("ESP: addresses and protocol", EN, eth(0x0800, ipv4(A, B, 50, zeros(16))), "protocol", 50, "payloadLen", 16),
                ok("SCTP ports", EN, eth(0x0800, ipv4(A, B, 132, cat(u16(3868), u16(3869), zeros(8)))),
                        "srcPort", 3868, "dstPort", 3869),

                // ---- IPv6 ----
                ok("ipv6 hop-by-hop, routing, destination options", EN, eth(0x86DD, ipv6(A6, B6, 0,
                        cat(ext(43, zeros(6)), ext(60, cat(bytes(4, 0, 0, 0), zeros(16))), ext(TCP, zeros(6)),
                                tcp(7, 8, SYN, zeros(3))))), "protocol", TCP, "srcPort", 7, "payloadLen", 3),
                ok("ipv6 authentication header", EN, eth(0x86DD, ipv6(A6, B6, 51,
                        cat(bytes(UDP, 4, 0, 0), zeros(20), udp(9, 10, zeros(2))))), "protocol", UDP, "dstPort", 10, "payloadLen", 2),
                ok("ipv6 atomic fragment is whole", EN, eth(0x86DD, ipv6(A6, B6, 44,
                        cat(fragment6(TCP, 0, false, 5), tcp(80, 5000, ACK, zeros(4))))), "fragment", false, "srcPort", 80),
                ok("ipv6 later fragment without first", EN, eth(0x86DD, ipv6(A6, "fd00::99", 44,
                        cat(fragment6(UDP, 100, false, 6), zeros(24)))), "fragment", true, "protocol", UDP, "payloadLen", 24),
                ok("ipv6 jumbogram", EN, eth(0x86DD, ipv6(A6, B6, 0, 0, cat(bytes(UDP, 0, 0xC2, 4), u32(8 + 20 + 8),
                        udp(1, 2, zeros(20))))), "protocol", UDP, "payloadLen", 20),
                ok("ipv6 payload length 0 without jumbo: the wire says", EN, eth(0x86DD, ipv6(A6, B6, TCP, 0,
                        tcp(1, 2, ACK, zeros(9)))), "payloadLen", 9),

                // ---- transport ----
                ok("udp", EN, eth(0x0800, UDP_AB), "srcPort", 5353, "dstPort", 53, "payloadLen", 30),
                ok("tcp with options", EN, eth(0x0800, ipv4(A, B, TCP, tcp(1, 2, SYN, 10, zeros(3)))), "payloadLen", 3, "tcpFlags", SYN),
                ok("icmp echo request", EN, eth(0x0800, ipv4(A, B, ICMP, icmp(8, 0, 0x12340001L, zeros(56)))),
                        "icmpType", 8, "icmpCode", 0, "icmpId", 0x1234, "payloadLen", 56, "icmpError", false),
                ok("icmp port unreachable quoting udp", EN, eth(0x0800, ipv4(B, A, ICMP, icmp(3, 3, 0, quotedUdp))),
                        "icmpType", 3, "icmpCode", 3, "icmpError", true, "innerProtocol", UDP, "innerSrcLo", v4(A),
                        "innerDstLo", v4(B), "innerSrcPort", 33000, "innerDstPort", 161, "srcLo", v4(B)),
                ok("icmp time exceeded quoting tcp", EN, eth(0x0800, ipv4("10.0.0.254", A, ICMP, icmp(11, 0, 0,
                        ipv4(A, B, TCP, tcp(40000, 80, SYN, new byte[0]))))), "icmpError", true, "innerProtocol", TCP,
                        "innerDstPort", 80),
                ok("icmp host unreachable quoting an echo request", EN, eth(0x0800, ipv4("10.0.0.254", A, ICMP,
                        icmp(3, 1, 0, ipv4(A, B, ICMP, icmp(8, 0, 0x04d20001L, zeros(0)))))),
                        "icmpType", 3, "icmpCode", 1, "icmpError", true, "innerProtocol", ICMP, "innerEcho", true,
                        "innerSrcLo", v4(A), "innerDstLo", v4(B), "innerSrcPort", 0x04d2, "innerDstPort", 0x04d2),
                ok("icmp error quoting a timestamp request: no echo id", EN, eth(0x0800, ipv4(B, A, ICMP,
                        icmp(3, 1, 0, ipv4(A, B, ICMP, icmp(13, 0, 0x04d20001L, zeros(12)))))),
                        "icmpError", true, "innerProtocol", ICMP, "innerEcho", false, "innerSrcPort", 0),
                ok("icmp error quoting an echo cut at 6 bytes", EN, eth(0x0800, ipv4(B, A, ICMP,
                        icmp(3, 1, 0, ipv4(A, B, ICMP, 0, 0, new byte[0], 28, bytes(8, 0, 0, 0, 4, 0xd2))))),
                        "icmpError", true, "innerEcho", false, "innerSrcPort", 0),
                ok("icmpv6 address unreachable quoting an echo request", EN, eth(0x86DD, ipv6("fd00::fe", A6, ICMP6,
                        icmp(1, 3, 0, ipv6(A6, B6, ICMP6, icmp(128, 0, 0x00090001L, zeros(8)))))),
                        "icmpError", true, "innerProtocol", ICMP6, "innerEcho", true, "innerSrcPort", 9, "innerDstPort", 9),
                ok("icmp error with a garbage quote", EN, eth(0x0800, ipv4(B, A, ICMP, icmp(3, 1, 0, bytes(0x99, 1, 2)))),
                        "icmpType", 3, "icmpError", false),
                ok("icmpv6 echo", EN, eth(0x86DD, ipv6(A6, B6, ICMP6, icmp(128, 0, 0x00070001L, zeros(8)))),
                        "icmpType", 128, "icmpId", 7),
                ok("icmpv6 unreachable quoting tcp", EN, eth(0x86DD, ipv6(B6, A6, ICMP6, icmp(1, 4, 0, quotedTcp6))),
                        "icmpError", true, "innerProtocol", TCP, "innerSrcLo", v6lo(A6), "innerDstHi", v6hi(B6),
                        "innerSrcPort", 40001, "innerDstPort", 22),
                ok("icmpv6 packet too big", EN, eth(0x86DD, ipv6(B6, A6, ICMP6, icmp(2, 0, 1280, quotedTcp6))),
                        "icmpError", true, "innerDstPort", 22),

                // ---- tunnels ----
                ok("vxlan 4789", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 4789, vxlan(innerTcp)))),
                        "tunnel", PacketMeta.TUNNEL_VXLAN, "srcLo", v4("192.168.1.1"), "srcPort", 1111, "dstPort", 2222,
                        "protocol", TCP, "payloadLen", 7),
                ok("vxlan 8472", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 8472, vxlan(innerTcp)))),
                        "tunnel", PacketMeta.TUNNEL_VXLAN, "dstPort", 2222),
                ok("geneve with options", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 6081,
                        geneve(0x6558, cat(u16(0x0103), bytes(0x80, 1), zeros(4)), innerTcp)))),
                        "tunnel", PacketMeta.TUNNEL_GENEVE, "dstLo", v4("192.168.1.2")),
                ok("gre transparent ethernet", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 47,
                        gre(0x2000, 0x6558, u32(99), innerTcp))), "tunnel", PacketMeta.TUNNEL_GRE, "srcPort", 1111),
                ok("gre ipv4", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 47, gre(0, 0x0800, new byte[0], UDP_AB))),
                        "tunnel", PacketMeta.TUNNEL_GRE, "dstPort", 53),
                ok("erspan type II", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 47,
                        gre(0x1000, 0x88BE, u32(1), cat(zeros(8), innerTcp)))), "tunnel", PacketMeta.TUNNEL_ERSPAN, "dstPort", 2222),
                ok("erspan type III", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 47,
                        gre(0x1000, 0x22EB, u32(1), cat(zeros(12), innerTcp)))), "tunnel", PacketMeta.TUNNEL_ERSPAN, "srcPort", 1111),
                ok("gre version 1 (pptp) stays outer", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", 47,
                        gre(0x3001, 0x880B, zeros(8), zeros(10)))), "tunnel", 0, "protocol", 47),
                ok("vxlan with a truncated inner frame reports the carrier", EN,
                        eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 4789, vxlan(bytes(1, 2, 3))))),
                        "tunnel", 0, "protocol", UDP, "dstPort", 4789, "srcLo", v4("172.16.0.1")),
                fails("vxlan carrying arp", EN, eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 4789,
                        vxlan(eth(0x0806, zeros(28)))))), DecodeResult.NON_IP, "tunnel", PacketMeta.TUNNEL_VXLAN),

                // ---- failures ----
                fails("empty frame", EN, new byte[0], DecodeResult.TRUNCATED),
                fails("ethernet cut at 10 bytes", EN, zeros(10), DecodeResult.TRUNCATED),
                fails("ipv4 IHL 4", EN, eth(0x0800, cat(bytes(0x44), Frames.copyOfRange(SYN_AB, 1))), DecodeResult.BAD_IP_HEADER_LENGTH),
                fails("ipv4 IHL 15 past the capture", EN, eth(0x0800, cat(bytes(0x4F), Frames.copyOfRange(SYN_AB, 1, 30))),
                        DecodeResult.TRUNCATED),
                fails("ipv4 total length below its header", EN, eth(0x0800, ipv4(A, B, TCP, 0, 0, new byte[0], 10,
                        tcp(1, 2, SYN, new byte[0]))), DecodeResult.BAD_IP_TOTAL_LENGTH),
                fails("ethertype ipv4 carrying ipv6", EN, eth(0x0800, TCP6_AB), DecodeResult.BAD_IP_VERSION),
                fails("raw ip version 5", LinkType.RAW, cat(bytes(0x55), zeros(40)), DecodeResult.BAD_IP_VERSION),
                fails("tcp data offset 3", EN, eth(0x0800, ipv4(A, B, TCP, tcp(1, 2, SYN, 3, new byte[0]))),
                        DecodeResult.BAD_TCP_HEADER_LENGTH, "srcPort", 1),
                fails("tcp data offset past the datagram", EN, eth(0x0800, ipv4(A, B, TCP, 0, 0, new byte[0], 40,
                        tcp(1, 2, SYN, 15, new byte[0]))), DecodeResult.BAD_TCP_HEADER_LENGTH),
                fails("tcp cut at 10 bytes", EN, eth(0x0800, ipv4(A, B, TCP, 0, 0, new byte[0], 60, zeros(10))),
                        DecodeResult.TRUNCATED, "ipVersion", 4, "srcLo", v4(A)),
                fails("udp cut at 6 bytes", EN, eth(0x0800, ipv4(A, B, UDP, 0, 0, new byte[0], 40, zeros(6))), DecodeResult.TRUNCATED),
                fails("icmp echo cut at 6 bytes", EN, eth(0x0800, ipv4(A, B, ICMP, 0, 0, new byte[0], 40, bytes(8, 0, 0, 0, 0, 1))),
                        DecodeResult.TRUNCATED),
                fails("ipv6 header cut", EN, eth(0x86DD, Frames.copyOfRange(TCP6_AB, 0, 30)), DecodeResult.TRUNCATED),
                fails("ipv6 extension header cut", EN, eth(0x86DD, ipv6(A6, B6, 60, bytes(TCP))), DecodeResult.TRUNCATED),
                fails("arp", EN, eth(0x0806, zeros(28)), DecodeResult.NON_IP),
                fails("arp in linux SLL", LinkType.LINUX_SLL, cat(zeros(14), u16(0x0806), zeros(28)), DecodeResult.NON_IP),
                fails("lldp", EN, eth(0x88CC, zeros(40)), DecodeResult.UNSUPPORTED_ETHERTYPE),
                fails("802.3 without SNAP (spanning tree)", EN, cat(MAC_B, MAC_A, u16(38), bytes(0x42, 0x42, 3), zeros(35)),
                        DecodeResult.UNSUPPORTED_ETHERTYPE),
                fails("link type 160", 160, SYN_AB, DecodeResult.UNSUPPORTED_LINKTYPE),
                fails("nine vlan tags", EN, eth(0x8100, cat(repeat(cat(u16(1), u16(0x8100)), 8), u16(1), u16(0x0800), SYN_AB)),
                        DecodeResult.TOO_MANY_HEADERS),
                fails("seventeen ipv6 destination options", EN, eth(0x86DD, ipv6(A6, B6, 60,
                        cat(repeat(ext(60, zeros(6)), 16), ext(TCP, zeros(6)), tcp(1, 2, SYN, new byte[0])))),
                        DecodeResult.TOO_MANY_HEADERS),
                fails("mpls label stack without bottom", EN, eth(0x8847, repeat(bytes(0, 0x10, 0, 64), 17)),
                        DecodeResult.TOO_MANY_HEADERS)
        );
    }

    private static byte[] u16le(int v) {
        return bytes(v, v >> 8);
    }

    private static byte[] repeat(byte[] part, int times) {
        byte[][] parts = new byte[times][];
        java.util.Arrays.fill(parts, part);
        return cat(parts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesTable(Case c) throws ReflectiveOperationException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PacketDecoder decoder = new PacketDecoder(registry);
        PacketMeta meta = new PacketMeta();
        // Put the frame at an odd offset inside a larger buffer, as a mapped capture file does.
        ByteBuffer buf = ByteBuffer.allocate(c.frame().length + 64);
        buf.position(13);
        buf.put(c.frame());
        buf.clear();
        DecodeResult r = decoder.decode(1_700_000_000_000_000L, c.wireLen(), buf, 13, c.frame().length, c.linkType(), 3, meta);
        assertEquals(c.result(), r, c.name());
        for (Map.Entry<String, Object> e : c.fields().entrySet()) {
            Object actual = PacketMeta.class.getField(e.getKey()).get(meta);
            Object expected = e.getValue();
            if (actual instanceof Long && expected instanceof Integer i) {
                expected = i.longValue();
            }
            assertEquals(expected, actual, c.name() + ": " + e.getKey());
        }
        assertEquals(1_700_000_000_000_000L, meta.tsMicros);
        assertEquals(3, meta.interfaceId);
        assertEquals(c.frame().length, meta.capLen);
        if (r != DecodeResult.OK) {
            String metric = r.isError() ? PacketDecoder.ERRORS_METRIC : PacketDecoder.UNDECODED_METRIC;
            assertEquals(1.0, registry.get(metric).tag("reason", r.tag()).counter().count(), "counted by reason");
        }
        // The same bytes in a little-endian buffer decode the same way.
        PacketMeta again = new PacketMeta();
        assertEquals(r, new PacketDecoder(new SimpleMeterRegistry())
                .decode(1, c.wireLen(), buf.duplicate().order(ByteOrder.LITTLE_ENDIAN), 13, c.frame().length, c.linkType(), 3, again));
        assertEquals(meta.srcLo, again.srcLo);
        assertEquals(meta.dstPort, again.dstPort);
    }

    @Test
    void laterFragmentsGetTheFirstFragmentsPorts() {
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry());
        PacketMeta meta = new PacketMeta();
        byte[] first = eth(0x0800, ipv4(A, B, UDP, 4242, 0x2000, new byte[0], 20 + 8 + 1472, udp(5000, 53, zeros(1472))));
        byte[] later = eth(0x0800, ipv4(A, B, UDP, 4242, 185, new byte[0], 20 + 100, zeros(100)));
        byte[] otherId = eth(0x0800, ipv4(A, B, UDP, 4243, 185, new byte[0], 20 + 100, zeros(100)));
        assertEquals(DecodeResult.OK, decode(decoder, first, meta, 1_000_000));
        assertFalse(meta.fragment);
        assertEquals(DecodeResult.OK, decode(decoder, later, meta, 1_000_100));
        assertTrue(meta.fragment);
        assertEquals(5000, meta.srcPort);
        assertEquals(53, meta.dstPort);
        assertEquals(100, meta.payloadLen);
        assertEquals(DecodeResult.OK, decode(decoder, otherId, meta, 1_000_200));
        assertEquals(0, meta.srcPort, "another datagram's fragment does not inherit ports");
        // Past the timeout the entry no longer applies.
        assertEquals(DecodeResult.OK, decode(decoder, later, meta, 1_000_000 + 31_000_000));
        assertEquals(0, meta.srcPort);

        byte[] first6 = eth(0x86DD, ipv6(A6, B6, 44, cat(fragment6(TCP, 0, true, 0xabcdef), tcp(40000, 8080, ACK, zeros(64)))));
        byte[] later6 = eth(0x86DD, ipv6(A6, B6, 44, cat(fragment6(TCP, 11, false, 0xabcdef), zeros(64))));
        assertEquals(DecodeResult.OK, decode(decoder, first6, meta, 2_000_000));
        assertFalse(meta.fragment);
        assertEquals(8080, meta.dstPort);
        assertEquals(DecodeResult.OK, decode(decoder, later6, meta, 2_000_001));
        assertTrue(meta.fragment);
        assertEquals(40000, meta.srcPort);
        assertEquals(8080, meta.dstPort);
        assertEquals(TCP, meta.protocol);
    }

    @Test
    void innerFrameAndQuoteFailuresAreCountedWhileTheOuterPacketIsKept() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PacketDecoder decoder = new PacketDecoder(registry);
        PacketMeta meta = new PacketMeta();
        byte[] vx = eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 4789, vxlan(bytes(1, 2, 3)))));
        assertEquals(DecodeResult.OK, decode(decoder, vx, meta, 1));
        assertEquals(1.0, registry.get(PacketDecoder.ERRORS_METRIC).tag("reason", "inner_frame_undecoded").counter().count());
        byte[] badQuote = eth(0x0800, ipv4(B, A, ICMP, icmp(3, 1, 0, bytes(0x45, 1, 2))));
        assertEquals(DecodeResult.OK, decode(decoder, badQuote, meta, 2));
        assertEquals(1.0, registry.get(PacketDecoder.ERRORS_METRIC).tag("reason", "icmp_quote_undecoded").counter().count());
    }

    @Test
    void tunnelsCanBeLeftUndecoded() {
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry(), new PacketDecoder.Settings(64, 1_000_000, false));
        PacketMeta meta = new PacketMeta();
        byte[] inner = eth(0x0800, SYN_AB);
        byte[] vx = eth(0x0800, ipv4("172.16.0.1", "172.16.0.2", UDP, udp(50000, 4789, vxlan(inner))));
        assertEquals(DecodeResult.OK, decode(decoder, vx, meta, 1));
        assertEquals(0, meta.tunnel);
        assertEquals(4789, meta.dstPort);
    }

    @Test
    void lyingCallerLengthsDoNotThrow() {
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry());
        PacketMeta meta = new PacketMeta();
        ByteBuffer buf = ByteBuffer.wrap(eth(0x0800, SYN_AB));
        assertEquals(DecodeResult.OK, decoder.decode(0, 10_000, buf, 0, 10_000, EN, 0, meta), "capLen past the buffer is cut to it");
        assertEquals(DecodeResult.TRUNCATED, decoder.decode(0, 60, buf, 500, 60, EN, 0, meta));
        assertEquals(DecodeResult.TRUNCATED, decoder.decode(0, 60, buf, -1, 60, EN, 0, meta));
        assertEquals(DecodeResult.TRUNCATED, decoder.decode(0, -5, buf, 0, -5, EN, 0, meta));
    }

    @Test
    void settingsAreValidated() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PacketDecoder.Settings(100, 1_000_000, true));
        assertEquals("fragmentTableSize: 100 (expected: a power of two from 16 to 1048576)", e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PacketDecoder.Settings(1024, 0, true));
    }

    private static DecodeResult decode(PacketDecoder decoder, byte[] frame, PacketMeta meta, long ts) {
        return decoder.decode(ts, frame.length, ByteBuffer.wrap(frame), 0, frame.length, EN, 0, meta);
    }
}
