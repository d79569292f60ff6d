package io.eastwatch.agent.flow;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Community ID vectors computed by Wireshark 4.0.17 on the shared captures, with
 * {@code tshark -n -r FILE --enable-protocol communityid -T fields -e ip.src -e ipv6.src -e ip.dst
 * -e ipv6.dst -e tcp.srcport ... -e icmp.type -e icmp.code -e communityid}.
 */
class CommunityIdTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            mysql_session.pcap client->server | 192.168.0.254      | 192.168.0.254      | 6  | 56162 | 3306  | 1:0HUQbshhYbATQXDHv/ysOs0DlZA=
            mysql_session.pcap server->client | 192.168.0.254      | 192.168.0.254      | 6  | 3306  | 56162 | 1:0HUQbshhYbATQXDHv/ysOs0DlZA=
            masscan_tcp_0-1000.pcap SYN       | 172.31.15.102      | 198.124.152.15     | 6  | 51406 | 697   | 1:5x1nN4n7X+I4taFvpvaSBcdcaJw=
            dns_edns_v4_v6.pcap UDP v4        | 192.168.120.21     | 192.168.90.10      | 17 | 53    | 64006 | 1:PJHJH5AzGX9Q8zo7qZdttQQQUAg=
            dns_edns_v4_v6.pcap UDP v6        | 2001:503:83eb::30  | 2003:de:2016:120::a08:53 | 17 | 53 | 47228 | 1:nTbObjd1pnIO8o3IcuInWa0jdVY=
            dns_edns_v4_v6.pcap UDP v6 b      | 2001:502:cbe4::33  | 2003:de:2016:120::a08:53 | 17 | 53 | 34550 | 1:IG8ddf8NFR2V0HGGDIEMacfLu8s=
            raw_ip_v6.pcap UDP v6             | 2001:db8::1        | 2620:fe::9         | 17 | 12345 | 53    | 1:1FSzoKTN3kdS1kVgew4uLcB0OVI=
            ipv6_atomic_fragment_http.pcap    | 2001:db8:1::1      | 2001:db8:1::2      | 6  | 80    | 36951 | 1:Lemoi9vhwjyfeAvtAyITzfiUEeo=
            """)
    void portsVectors(String name, String src, String dst, int proto, int sp, int dp, String expected)
            throws UnknownHostException {
        assertEquals(expected, compute(src, dst, proto, sp, dp, 0, 0), name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nmap_sn_ping_sweep echo request   | 192.168.1.109  | 192.168.1.1    | 1  | 8   | 0 | 1:4hC28ZXiLNVQR1HXIONZN8Os4Y8=
            nmap_sn_ping_sweep echo reply     | 192.168.1.1    | 192.168.1.109  | 1  | 0   | 0 | 1:4hC28ZXiLNVQR1HXIONZN8Os4Y8=
            nmap_sU port unreachable (1-way)  | 192.168.56.103 | 192.168.56.101 | 1  | 3   | 3 | 1:tVr7+GNPSEjo3zMwELK2YDcE2N8=
            sll2_linux_cooked_v2 echo6 req    | fe80::8c36:6ff:fe44:acaf | fe80::8c36:6ff:fe44:acaf | 58 | 128 | 0 | 1:2o441oYbBWeMqdxZkThmRXTrrVU=
            sll2_linux_cooked_v2 echo6 reply  | fe80::8c36:6ff:fe44:acaf | fe80::8c36:6ff:fe44:acaf | 58 | 129 | 0 | 1:2o441oYbBWeMqdxZkThmRXTrrVU=
            lateral_rdp_sharprdp MLDv2 report | fe80::c50d:519f:96a4:e108 | ff02::16  | 58 | 143 | 0 | 1:MHR1pQhzJ4WwXiANOMUZnlcRjk0=
            """)
    void icmpVectors(String name, String src, String dst, int proto, int type, int code, String expected)
            throws UnknownHostException {
        assertEquals(expected, compute(src, dst, proto, 0, 0, type, code), name);
    }

    static String compute(String src, String dst, int proto, int sp, int dp, int type, int code)
            throws UnknownHostException {
        long[] s = split(src);
        long[] d = split(dst);
        boolean v6 = src.contains(":");
        return new CommunityId().compute(v6, s[0], s[1], d[0], d[1], proto, sp, dp, type, code);
    }

    /** An address literal (never resolved by DNS) as the two longs PacketMeta uses. */
    static long[] split(String literal) throws UnknownHostException {
        byte[] b = InetAddress.getByName(literal).getAddress();
        long hi = 0;
        long lo = 0;
        if (b.length == 4) {
            for (byte x : b) {
                lo = lo << 8 | (x & 0xff);
            }
        } else {
            for (int i = 0; i < 8; i++) {
                hi = hi << 8 | (b[i] & 0xff);
                lo = lo << 8 | (b[8 + i] & 0xff);
            }
        }
        return new long[] {hi, lo};
    }
}
