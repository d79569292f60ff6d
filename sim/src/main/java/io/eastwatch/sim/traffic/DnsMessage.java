package io.eastwatch.sim.traffic;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** RFC 1035 messages for the cluster DNS exchanges: one question, at most one A answer. */
public final class DnsMessage {
    public static final int TYPE_A = 1;
    static final int TYPE_AAAA = 28;

    private DnsMessage() {
    }

    public static byte[] query(int id, String name, int qtype) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        header(out, id, 0x0100, 0);
        question(out, name, qtype);
        return out.toByteArray();
    }

    /** A response: the A record {@code answerIp} when {@code qtype} is A, an empty NOERROR answer for AAAA. */
    public static byte[] response(int id, String name, int qtype, int answerIp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        boolean answer = qtype == TYPE_A;
        header(out, id, 0x8580, answer ? 1 : 0);
        question(out, name, qtype);
        if (answer) {
            out.write(0xC0);
            out.write(0x0C);
            u16(out, TYPE_A);
            u16(out, 1);
            u16(out, 0);
            u16(out, 5); // TTL 5 s, CoreDNS's kubernetes plugin default
            u16(out, 4);
            u16(out, answerIp >>> 16);
            u16(out, answerIp & 0xFFFF);
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, int id, int flags, int answers) {
        u16(out, id);
        u16(out, flags);
        u16(out, 1);
        u16(out, answers);
        u16(out, 0);
        u16(out, 0);
    }

    private static void question(ByteArrayOutputStream out, String name, int qtype) {
        for (String label : name.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.write(b, 0, b.length);
        }
        out.write(0);
        u16(out, qtype);
        u16(out, 1);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write((v >>> 8) & 0xFF);
        out.write(v & 0xFF);
    }
}
