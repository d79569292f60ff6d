package io.eastwatch.agent.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes classic pcap and pcapng files byte by byte, including deliberately broken ones. */
final class CaptureBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteOrder order;

    private CaptureBytes(ByteOrder order) {
        this.order = order;
    }

    static CaptureBytes pcap(ByteOrder order, int magic, int snaplen, int linkType) {
        CaptureBytes c = new CaptureBytes(order);
        c.i32(magic).i16(2).i16(4).i32(0).i32(0).i32(snaplen).i32(linkType);
        return c;
    }

    static CaptureBytes pcapng() {
        return new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
    }

    CaptureBytes i16(int v) {
        ByteBuffer b = ByteBuffer.allocate(2).order(order);
        b.putShort((short) v);
        out.writeBytes(b.array());
        return this;
    }

    CaptureBytes i32(long v) {
        ByteBuffer b = ByteBuffer.allocate(4).order(order);
        b.putInt((int) v);
        out.writeBytes(b.array());
        return this;
    }

    CaptureBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A classic record: header fields as given, then {@code data}. */
    CaptureBytes record(long sec, long frac, int capLen, int wireLen, byte[] data) {
        return i32(sec).i32(frac).i32(capLen).i32(wireLen).raw(data);
    }

    CaptureBytes record(long sec, long frac, byte[] data) {
        return record(sec, frac, data.length, data.length, data);
    }

    // ---- pcapng ----

    CaptureBytes shb(ByteOrder sectionOrder) {
        order = sectionOrder;
        return block(0x0A0D0D0A, body -> body.i32(0x1A2B3C4D).i16(1).i16(0).i32(-1).i32(-1));
    }

    /** An IDB; {@code tsresol} < 0 means no if_tsresol option; {@code tsoffset} 0 means none. */
    CaptureBytes idb(int linkType, int snaplen, int tsresol, long tsoffset, String name) {
        return block(1, body -> {
            body.i16(linkType).i16(0).i32(snaplen);
            if (name != null) {
                byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                body.i16(2).i16(n.length).raw(n).raw(new byte[(4 - n.length % 4) % 4]);
            }
            if (tsresol >= 0) {
                body.i16(9).i16(1).raw(new byte[] {(byte) tsresol, 0, 0, 0});
            }
            if (tsoffset != 0) {
                ByteBuffer b = ByteBuffer.allocate(8).order(body.order);
                b.putLong(tsoffset);
                body.i16(14).i16(8).raw(b.array());
            }
            body.i16(0).i16(0);
        });
    }

    CaptureBytes epb(int ifId, long ts, int wireLen, byte[] data) {
        return epb(ifId, ts, data.length, wireLen, data);
    }

    CaptureBytes epb(int ifId, long ts, int capLen, int wireLen, byte[] data) {
        return block(6, body -> body.i32(ifId).i32(ts >>> 32).i32(ts).i32(capLen).i32(wireLen).raw(data)
                .raw(new byte[(4 - data.length % 4) % 4]));
    }

    CaptureBytes spb(int wireLen, byte[] data) {
        return block(3, body -> body.i32(wireLen).raw(data).raw(new byte[(4 - data.length % 4) % 4]));
    }

    CaptureBytes pb(int ifId, long ts, byte[] data) {
        return block(2, body -> body.i16(ifId).i16(0).i32(ts >>> 32).i32(ts).i32(data.length).i32(data.length).raw(data)
                .raw(new byte[(4 - data.length % 4) % 4]));
    }

    CaptureBytes unknownBlock(int type, int bodyWords) {
        return block(type, body -> body.raw(new byte[bodyWords * 4]));
    }

    interface Body {
        void write(CaptureBytes body);
    }

    CaptureBytes block(int type, Body writer) {
        CaptureBytes body = new CaptureBytes(order);
        writer.write(body);
        byte[] b = body.bytes();
        int total = 12 + b.length;
        return i32(type).i32(total).raw(b).i32(total);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] packet(int n, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (n + i);
        }
        return b;
    }
}
