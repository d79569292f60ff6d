package io.eastwatch.agent.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the classic libpcap format: a 24-byte file header (magic, version, snap length, link type)
 * and then records of a 16-byte header (seconds, sub-second, captured length, wire length) and
 * the captured bytes. The magic gives the byte order and whether the sub-second field counts
 * microseconds or nanoseconds; the rarely seen "modified" variant adds 8 bytes to each record
 * header.
 */
final class ClassicPcapReader {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int MAGIC_MODIFIED = 0xa1b2cd34;
    static final int FILE_HEADER = 24;

    private final FileWindow window;
    private final FileReadCounters counters;
    private final PcapFileSource source;

    private boolean nanos;
    private int recordHeader = 16;
    private int snaplen;
    private int linkType;

    ClassicPcapReader(FileWindow window, FileReadCounters counters, PcapFileSource source) {
        this.window = window;
        this.counters = counters;
        this.source = source;
    }

    /** Link type of the file, known after {@link #read}'s header parse. */
    int linkType() {
        return linkType;
    }

    void read(PacketHandler handler) throws IOException {
        FileWindow w = window;
        w.mapAt(0, FILE_HEADER);
        int magicBe = w.packets.getInt(0);
        int magic;
        if (magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS || magicBe == MAGIC_MODIFIED) {
            w.order(ByteOrder.BIG_ENDIAN);
            magic = magicBe;
        } else {
            w.order(ByteOrder.LITTLE_ENDIAN);
            magic = Integer.reverseBytes(magicBe);
        }
        nanos = magic == MAGIC_NANOS;
        recordHeader = magic == MAGIC_MODIFIED ? 24 : 16;
        if (w.limit < FILE_HEADER) {
            counters.error(CaptureFileError.TRUNCATED_RECORD);
            return;
        }
        ByteBuffer hb = w.header;
        int major = hb.getShort(4) & 0xffff;
        if (major != 2) {
            counters.error(CaptureFileError.UNSUPPORTED_VERSION);
        }
        snaplen = hb.getInt(16);
        if (snaplen <= 0 || snaplen > PcapFileSource.MAX_SNAPLEN) {
            counters.error(CaptureFileError.BOGUS_SNAPLEN);
            snaplen = Integer.MAX_VALUE;
        }
        linkType = hb.getInt(20) & 0x03ffffff;
        loop(handler);
    }

    private void loop(PacketHandler handler) throws IOException {
        final FileWindow w = window;
        final int hdr = recordHeader;
        final int link = linkType;
        final int snap = snaplen;
        final boolean ns = nanos;
        final int maxFrac = ns ? 1_000_000_000 : 1_000_000;
        ByteBuffer hb = w.header;
        ByteBuffer pb = w.packets;
        int limit = w.limit;
        boolean last = w.atFileEnd();
        int p = FILE_HEADER;
        long prevTs = Long.MIN_VALUE;
        long delivered = 0;
        long bytes = 0;
        try {
            while (!source.stopRequested()) {
                if (p + hdr > limit) {
                    if (last) {
                        if (p < limit) {
                            counters.error(CaptureFileError.TRUNCATED_RECORD);
                        }
                        break;
                    }
                    w.mapAt(w.base + p, hdr);
                    hb = w.header;
                    pb = w.packets;
                    limit = w.limit;
                    last = w.atFileEnd();
                    p = 0;
                    continue;
                }
                int capLen = hb.getInt(p + 8);
                if (capLen < 0 || capLen > PcapFileSource.MAX_RECORD_BYTES) {
                    counters.error(CaptureFileError.BAD_CAPTURE_LENGTH);
                    counters.skipped++;
                    break;
                }
                if (p + hdr + capLen > limit) {
                    if (last) {
                        counters.error(CaptureFileError.TRUNCATED_RECORD);
                        counters.skipped++;
                        break;
                    }
                    w.mapAt(w.base + p, (long) hdr + capLen);
                    hb = w.header;
                    pb = w.packets;
                    limit = w.limit;
                    last = w.atFileEnd();
                    p = 0;
                    continue;
                }
                long sec = hb.getInt(p) & 0xffffffffL;
                int frac = hb.getInt(p + 4);
                int wireLen = hb.getInt(p + 12);
                long fracUnsigned = frac & 0xffffffffL;
                if (fracUnsigned >= maxFrac) {
                    // Clamped, not carried: a garbage fraction moves the time by under a second.
                    counters.error(CaptureFileError.TIMESTAMP_FRACTION_OVERFLOW);
                    fracUnsigned = maxFrac - 1;
                }
                long ts = sec * 1_000_000L + (ns ? fracUnsigned / 1000 : fracUnsigned);
                if (ts < prevTs) {
                    counters.error(CaptureFileError.TIMESTAMP_BACKWARDS);
                }
                prevTs = ts;
                if (capLen > snap) {
                    counters.error(CaptureFileError.CAPLEN_EXCEEDS_SNAPLEN);
                }
                if (capLen > wireLen || wireLen < 0) {
                    counters.error(CaptureFileError.CAPLEN_EXCEEDS_WIRELEN);
                    wireLen = capLen;
                }
                handler.onPacket(ts, wireLen, pb, p + hdr, capLen, link, 0);
                delivered++;
                bytes += capLen;
                p += hdr + capLen;
            }
        } finally {
            counters.delivered += delivered;
            counters.bytes += bytes;
            counters.publishPackets(delivered);
        }
    }
}
