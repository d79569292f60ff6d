package io.eastwatch.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TcpControlPeekTest {

    private static final String ETH_V4 = "020000000002020000000001" + "0800";
    private static final String ETH_V6 = "020000000002020000000001" + "86dd";
    private static final String IPV4_TCP = "45000028000140004006" + "0000" + "0a000001" + "0a000002";
    private static final String IPV6_TCP = "6000000000140640" + "20010db8000000000000000000000001" + "20010db8000000000000000000000002";
    private static final String IPV6_HOPBYHOP_TCP = "6000000000180040" + "20010db8000000000000000000000001" + "20010db8000000000000000000000002"
            + "0600010400000000";

    private static String tcp(String flags) {
        return "d43100500000000100000000" + "50" + flags + "ffff00000000";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ipv4 syn,             1,   true",
            "ipv4 syn ack,         1,   true",
            "ipv4 ack only,        1,   false",
            "ipv4 psh ack,         1,   false",
            "ipv4 fin ack,         1,   true",
            "ipv4 rst,             1,   true",
            "ipv4 udp,             1,   false",
            "ipv4 later fragment,  1,   false",
            "ipv4 truncated flags, 1,   false",
            "vlan rst,             1,   true",
            "qinq syn,             1,   true",
            "ipv6 fin,             1,   true",
            "ipv6 hop-by-hop syn,  1,   true",
            "ipv6 ack,             1,   false",
            "raw ipv4 syn,         101, true",
            "raw ipv6 rst,         101, true",
            "sll syn,              113, true",
            "arp,                  1,   false",
            "empty,                1,   false",
            "unknown link type,    147, false",
    })
    void findsSynFinRst(String name, int linkType, boolean control) {
        byte[] b = HexFormat.of().parseHex(packet(name));
        assertEquals(control, TcpControlPeek.isTcpControl(b, b.length, linkType), name);
    }

    private static String packet(String name) {
        return switch (name) {
            case "ipv4 syn" -> ETH_V4 + IPV4_TCP + tcp("02");
            case "ipv4 syn ack" -> ETH_V4 + IPV4_TCP + tcp("12");
            case "ipv4 ack only" -> ETH_V4 + IPV4_TCP + tcp("10");
            case "ipv4 psh ack" -> ETH_V4 + IPV4_TCP + tcp("18");
            case "ipv4 fin ack" -> ETH_V4 + IPV4_TCP + tcp("11");
            case "ipv4 rst" -> ETH_V4 + IPV4_TCP + tcp("04");
            case "ipv4 udp" -> ETH_V4 + "45000028000140004011" + "0000" + "0a000001" + "0a000002" + tcp("02");
            case "ipv4 later fragment" -> ETH_V4 + "45000028000100b94006" + "0000" + "0a000001" + "0a000002" + tcp("02");
            case "ipv4 truncated flags" -> ETH_V4 + IPV4_TCP + tcp("02").substring(0, 24);
            case "vlan rst" -> "020000000002020000000001" + "8100" + "0064" + "0800" + IPV4_TCP + tcp("04");
            case "qinq syn" -> "020000000002020000000001" + "88a8" + "0064" + "8100" + "00c8" + "0800" + IPV4_TCP + tcp("02");
            case "ipv6 fin" -> ETH_V6 + IPV6_TCP + tcp("11");
            case "ipv6 hop-by-hop syn" -> ETH_V6 + IPV6_HOPBYHOP_TCP + tcp("02");
            case "ipv6 ack" -> ETH_V6 + IPV6_TCP + tcp("10");
            case "raw ipv4 syn" -> IPV4_TCP + tcp("02");
            case "raw ipv6 rst" -> IPV6_TCP + tcp("04");
            case "sll syn" -> "0000" + "0001" + "0006" + "020000000001" + "0000" + "0800" + IPV4_TCP + tcp("02");
            case "arp" -> "ffffffffffff020000000001" + "0806" + "0001080006040001";
            case "empty" -> "";
            case "unknown link type" -> ETH_V4 + IPV4_TCP + tcp("02");
            default -> throw new IllegalArgumentException(name);
        };
    }
}
