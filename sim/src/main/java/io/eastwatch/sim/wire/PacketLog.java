package io.eastwatch.sim.wire;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Every frame the simulation produced, in one growable byte arena, written to a classic pcap file
 * in timestamp order. Conversations are generated one after the other, each with its own
 * timeline, so frames arrive out of order; they are sorted once at the end on a primitive key
 * (relative timestamp, then insertion order), which keeps generation to one pass and no object
 * per packet.
 */
public final class PacketLog {
    /** Timestamps are stored relative to this (microseconds since the epoch). */
    private final long originUs;
    private final int snapLen;
    private byte[] arena = new byte[1 << 22];
    private int used;
    private long[] keys = new long[1 << 16];
    private int[] offsets = new int[1 << 16];
    private int[] wireLens = new int[1 << 16];
    private int count;

    private static final int INDEX_BITS = 24;

    public PacketLog(long originUs, int snapLen) {
        if (snapLen < 64 || snapLen > 65535) {
            throw new IllegalArgumentException("snapLen: " + snapLen + " (expected: 64..65535)");
        }
        this.originUs = originUs;
        this.snapLen = snapLen;
    }

    public int snapLen() {
        return snapLen;
    }

    public int count() {
        return count;
    }

    /**
     * Records one frame: {@code capLen} bytes of {@code frame} were captured of a frame
     * {@code wireLen} long. {@code tsUs} must not precede the origin.
     */
    public void add(long tsUs, byte[] frame, int capLen, int wireLen) {
        long rel = tsUs - originUs;
        if (rel < 0) {
            throw new IllegalArgumentException("tsUs: " + tsUs + " (expected: >= origin " + originUs + ")");
        }
        if (count == (1 << INDEX_BITS)) {
            throw new IllegalStateException("packet log full: " + count + " frames");
        }
        if (count == keys.length) {
            int n = count * 2;
            keys = Arrays.copyOf(keys, n);
            offsets = Arrays.copyOf(offsets, n);
            wireLens = Arrays.copyOf(wireLens, n);
        }
        int need = 2 + capLen;
        if (used + need > arena.length) {
            long n = Math.max((long) arena.length * 2, (long) used + need);
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("packet log over 2 GB");
            }
            arena = Arrays.copyOf(arena, (int) n);
        }
        offsets[count] = used;
        arena[used] = (byte) (capLen >>> 8);
        arena[used + 1] = (byte) capLen;
        System.arraycopy(frame, 0, arena, used + 2, capLen);
        used += need;
        wireLens[count] = wireLen;
        keys[count] = (rel << INDEX_BITS) | count;
        count++;
    }

    /** Writes a little-endian, microsecond, Ethernet pcap file with every frame in time order. */
    public void writePcap(Path file) throws IOException {
        long[] sorted = Arrays.copyOf(keys, count);
        Arrays.sort(sorted);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            byte[] hdr = new byte[24];
            putLe32(hdr, 0, 0xa1b2c3d4);
            putLe16(hdr, 4, 2);
            putLe16(hdr, 6, 4);
            putLe32(hdr, 8, 0);
            putLe32(hdr, 12, 0);
            putLe32(hdr, 16, snapLen);
            putLe32(hdr, 20, 1); // LINKTYPE_ETHERNET
            out.write(hdr);
            byte[] rec = new byte[16];
            for (long key : sorted) {
                int idx = (int) (key & ((1 << INDEX_BITS) - 1));
                long ts = originUs + (key >>> INDEX_BITS);
                int off = offsets[idx];
                int capLen = ((arena[off] & 0xFF) << 8) | (arena[off + 1] & 0xFF);
                putLe32(rec, 0, (int) (ts / 1_000_000));
                putLe32(rec, 4, (int) (ts % 1_000_000));
                putLe32(rec, 8, capLen);
                putLe32(rec, 12, wireLens[idx]);
                out.write(rec);
                out.write(arena, off + 2, capLen);
            }
        }
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static void putLe16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }
}
