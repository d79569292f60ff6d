package io.eastwatch.agent.flow;

import io.eastwatch.agent.decode.PacketMeta;

import java.net.UnknownHostException;

/**
 * Packet descriptions for flow-table tables, one line each:
 * {@code "<ms> tcp 10.0.0.1:40000 > 10.0.0.2:80 S 60"} (flags from FSRPAU, "." for none),
 * {@code "<ms> udp A:p > B:p 80"}, {@code "<ms> icmp A > B 8/0 id=7 98"},
 * {@code "<ms> icmperr A > B 3/3 quotes udp C:p > D:p 70"}, {@code "<ms> frag udp A > B 1500"}.
 */
final class Packets {

    private Packets() {
    }

    static PacketMeta parse(String line) {
        String[] t = line.trim().split("\\s+");
        PacketMeta m = new PacketMeta();
        m.tsMicros = Math.round(Double.parseDouble(t[0]) * 1000);
        String kind = t[1];
        try {
            switch (kind) {
                case "tcp", "udp" -> {
                    endpoints(m, t[2], t[4]);
                    m.protocol = kind.equals("tcp") ? 6 : 17;
                    int lenAt = 5;
                    if (kind.equals("tcp")) {
                        m.tcpFlags = flags(t[5]);
                        lenAt = 6;
                    }
                    m.wireLen = Integer.parseInt(t[lenAt]);
                }
                case "icmp", "icmp6" -> {
                    endpoints(m, t[2], t[4]);
                    m.protocol = kind.equals("icmp") ? 1 : 58;
                    String[] tc = t[5].split("/");
                    m.icmpType = Integer.parseInt(tc[0]);
                    m.icmpCode = Integer.parseInt(tc[1]);
                    m.icmpId = Integer.parseInt(t[6].substring("id=".length()));
                    m.wireLen = Integer.parseInt(t[7]);
                }
                case "icmperr" -> {
                    endpoints(m, t[2], t[4]);
                    m.protocol = m.ipVersion == 6 ? 58 : 1;
                    String[] tc = t[5].split("/");
                    m.icmpType = Integer.parseInt(tc[0]);
                    m.icmpCode = Integer.parseInt(tc[1]);
                    m.icmpError = true;
                    m.innerProtocol = t[7].equals("tcp") ? 6 : 17;
                    long[] s = addr(host(t[8]));
                    long[] d = addr(host(t[10]));
                    m.innerSrcHi = s[0];
                    m.innerSrcLo = s[1];
                    m.innerDstHi = d[0];
                    m.innerDstLo = d[1];
                    m.innerSrcPort = port(t[8]);
                    m.innerDstPort = port(t[10]);
                    m.wireLen = Integer.parseInt(t[11]);
                }
                case "frag" -> {
                    endpoints(m, t[3], t[5]);
                    m.protocol = t[2].equals("tcp") ? 6 : 17;
                    m.fragment = true;
                    m.srcPort = 0;
                    m.dstPort = 0;
                    m.wireLen = Integer.parseInt(t[6]);
                }
                case "arp" -> m.wireLen = 42;
                default -> throw new IllegalArgumentException("unknown packet kind: " + line);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address in: " + line, e);
        }
        m.capLen = m.wireLen;
        return m;
    }

    private static void endpoints(PacketMeta m, String src, String dst) throws UnknownHostException {
        long[] s = addr(host(src));
        long[] d = addr(host(dst));
        m.ipVersion = host(src).contains(":") ? 6 : 4;
        m.srcHi = s[0];
        m.srcLo = s[1];
        m.dstHi = d[0];
        m.dstLo = d[1];
        m.srcPort = port(src);
        m.dstPort = port(dst);
    }

    /** "10.0.0.1:80" or "[fd00::1]:80" or a bare address. */
    private static String host(String endpoint) {
        if (endpoint.startsWith("[")) {
            return endpoint.substring(1, endpoint.indexOf(']'));
        }
        int colon = endpoint.indexOf(':');
        return colon >= 0 && endpoint.indexOf(':', colon + 1) < 0 ? endpoint.substring(0, colon) : endpoint;
    }

    private static int port(String endpoint) {
        int close = endpoint.indexOf(']');
        String rest = close >= 0 ? endpoint.substring(close + 1) : endpoint;
        int colon = rest.indexOf(':');
        if (colon < 0 || rest.indexOf(':', colon + 1) >= 0) {
            return 0;
        }
        return Integer.parseInt(rest.substring(colon + 1));
    }

    private static long[] addr(String literal) throws UnknownHostException {
        return CommunityIdTest.split(literal);
    }

    private static int flags(String s) {
        int f = 0;
        for (char c : s.toCharArray()) {
            f |= switch (c) {
                case 'F' -> 0x01;
                case 'S' -> 0x02;
                case 'R' -> 0x04;
                case 'P' -> 0x08;
                case 'A' -> 0x10;
                case 'U' -> 0x20;
                case '.' -> 0;
                default -> throw new IllegalArgumentException("flag " + c);
            };
        }
        return f;
    }
}
