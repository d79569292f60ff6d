package io.eastwatch.agent.decode;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Builds packets byte by byte for decoder tests: each method wraps a payload in one header. */
final class Frames {
    static final byte[] MAC_A = {0x02, 0x42, (byte) 0xac, 0x11, 0x00, 0x02};
    static final byte[] MAC_B = {0x02, 0x42, (byte) 0xac, 0x11, 0x00, 0x03};

    private Frames() {
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] u16(int v) {
        return bytes(v >> 8, v);
    }

    static byte[] u32(long v) {
        return bytes((int) (v >> 24), (int) (v >> 16), (int) (v >> 8), (int) v);
    }

    static byte[] zeros(int n) {
        return new byte[n];
    }

    static byte[] addr(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    /** IPv4 address as PacketMeta holds it (low 32 bits). */
    static long v4(String ip) {
        byte[] a = addr(ip);
        return ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
    }

    static long v6hi(String ip) {
        byte[] a = addr(ip);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (a[i] & 0xff);
        }
        return v;
    }

    static long v6lo(String ip) {
        byte[] a = addr(ip);
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = v << 8 | (a[i] & 0xff);
        }
        return v;
    }

    static byte[] eth(int type, byte[] payload) {
        return cat(MAC_B, MAC_A, u16(type), payload);
    }

    static byte[] vlanTag(int tpid, int vid) {
        return cat(u16(tpid), u16(vid));
    }

    /** IPv4 header with the real total length, no fragmentation. */
    static byte[] ipv4(String src, String dst, int proto, byte[] payload) {
        return ipv4(src, dst, proto, 0, 0, new byte[0], 20 + payload.length, payload);
    }

    static byte[] ipv4(String src, String dst, int proto, int id, int fragField, byte[] options, int totalLength,
                       byte[] payload) {
        int ihl = (20 + options.length) / 4;
        return cat(bytes(0x40 | ihl, 0), u16(totalLength), u16(id), u16(fragField), bytes(64, proto), u16(0),
                addr(src), addr(dst), options, payload);
    }

    static byte[] ipv6(String src, String dst, int next, byte[] payload) {
        return ipv6(src, dst, next, payload.length, payload);
    }

    static byte[] ipv6(String src, String dst, int next, int payloadLength, byte[] payload) {
        return cat(bytes(0x60, 0, 0, 0), u16(payloadLength), bytes(next, 64), addr(src), addr(dst), payload);
    }

    /** An IPv6 extension header of the 8-byte-unit kind (hop-by-hop, routing, destination options). */
    static byte[] ext(int next, byte[] body6) {
        int total = (2 + body6.length + 7) / 8 * 8;
        byte[] h = new byte[total];
        h[0] = (byte) next;
        h[1] = (byte) (total / 8 - 1);
        System.arraycopy(body6, 0, h, 2, body6.length);
        return h;
    }

    static byte[] fragment6(int next, int offsetUnits, boolean more, int id) {
        return cat(bytes(next, 0), u16(offsetUnits << 3 | (more ? 1 : 0)), u32(id));
    }

    static byte[] tcp(int sp, int dp, int flags, byte[] payload) {
        return tcp(sp, dp, flags, 5, payload);
    }

    static byte[] tcp(int sp, int dp, int flags, int dataOffsetWords, byte[] payload) {
        byte[] options = new byte[Math.max(0, dataOffsetWords * 4 - 20)];
        return cat(u16(sp), u16(dp), u32(1000), u32(0), bytes(dataOffsetWords << 4, flags), u16(65535), u16(0), u16(0),
                options, payload);
    }

    static byte[] udp(int sp, int dp, byte[] payload) {
        return cat(u16(sp), u16(dp), u16(8 + payload.length), u16(0), payload);
    }

    static byte[] icmp(int type, int code, long rest, byte[] payload) {
        return cat(bytes(type, code), u16(0), u32(rest), payload);
    }

    static byte[] vxlan(byte[] innerEthernet) {
        return cat(bytes(0x08, 0, 0, 0), bytes(0, 0x12, 0x34, 0), innerEthernet);
    }

    static byte[] geneve(int protocolType, byte[] options, byte[] inner) {
        return cat(bytes(options.length / 4, 0), u16(protocolType), bytes(0, 0, 42, 0), options, inner);
    }

    static byte[] gre(int flags, int protocolType, byte[] optionalWords, byte[] inner) {
        return cat(u16(flags), u16(protocolType), optionalWords, inner);
    }

    static byte[] copyOfRange(byte[] b, int from) {
        return java.util.Arrays.copyOfRange(b, from, b.length);
    }

    static byte[] copyOfRange(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
