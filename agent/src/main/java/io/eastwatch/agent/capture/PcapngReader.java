package io.eastwatch.agent.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks {@code type, total length, body,
 * total length}. A Section Header Block opens each section and fixes its byte order; Interface
 * Description Blocks number the section's interfaces (link type, snap length, timestamp
 * resolution and offset); Enhanced, Simple and the obsolete Packet blocks carry packets. Other
 * blocks are skipped by their length. Interfaces are numbered globally across sections so a
 * packet's interface id stays unique for the whole file.
 */
final class PcapngReader {
    static final int SHB = 0x0A0D0D0A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int IDB = 1;
    private static final int PB = 2;
    private static final int SPB = 3;
    private static final int NRB = 4;
    private static final int ISB = 5;
    private static final int EPB = 6;
    private static final int IRIG_TIMESTAMP = 7;
    private static final int ARINC_429 = 8;
    private static final int SYSTEMD_JOURNAL = 9;
    private static final int DSB = 10;
    private static final int CUSTOM = 0x00000BAD;
    private static final int CUSTOM_NO_COPY = 0x40000BAD;

    /** Interface descriptions kept; an IDB beyond this is counted and its packets skipped. */
    static final int MAX_INTERFACES = 4096;

    private static final int OPT_END = 0;
    private static final int OPT_IF_NAME = 2;
    private static final int OPT_IF_TSRESOL = 9;
    private static final int OPT_IF_TSOFFSET = 14;

    private final FileWindow window;
    private final FileReadCounters counters;
    private final PcapFileSource source;

    // Per global interface: link type, snap length, timestamp conversion.
    private int interfaces;
    private int[] linkType = new int[4];
    private int[] snaplen = new int[4];
    /** Timestamp unit: 10^-n when {@code binary} is false, 2^-n when true. */
    private int[] resolution = new int[4];
    private boolean[] binary = new boolean[4];
    private long[] offsetMicros = new long[4];
    private String[] names = new String[4];
    /** Global index of this section's interface 0. */
    private int sectionBase;
    private boolean sectionOverflow;

    PcapngReader(FileWindow window, FileReadCounters counters, PcapFileSource source) {
        this.window = window;
        this.counters = counters;
        this.source = source;
    }

    int interfaceCount() {
        return interfaces;
    }

    String interfaceName(int id) {
        return id >= 0 && id < interfaces ? names[id] : null;
    }

    int linkType(int id) {
        return id >= 0 && id < interfaces ? linkType[id] : -1;
    }

    void read(PacketHandler handler) throws IOException {
        final FileWindow w = window;
        w.mapAt(0, 28);
        ByteBuffer hb = w.header;
        ByteBuffer pb = w.packets;
        int limit = w.limit;
        boolean last = w.atFileEnd();
        int p = 0;
        long prevTs = Long.MIN_VALUE;
        long delivered = 0;
        long bytes = 0;
        boolean inSection = false;
        try {
            while (!source.stopRequested()) {
                if (p + 12 > limit) {
                    if (last) {
                        if (p < limit) {
                            counters.error(CaptureFileError.TRUNCATED_RECORD);
                        }
                        break;
                    }
                    w.mapAt(w.base + p, 12);
                    hb = w.header;
                    pb = w.packets;
                    limit = w.limit;
                    last = w.atFileEnd();
                    p = 0;
                    continue;
                }
                int type = hb.getInt(p);
                if (type == SHB) {
                    // The byte order magic decides how to read this block's own length.
                    int bom = pb.getInt(p + 8);
                    if (bom == BYTE_ORDER_MAGIC) {
                        w.order(ByteOrder.BIG_ENDIAN);
                    } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                        w.order(ByteOrder.LITTLE_ENDIAN);
                    } else {
                        counters.error(CaptureFileError.BAD_SECTION_HEADER);
                        break;
                    }
                    inSection = true;
                } else if (!inSection) {
                    counters.error(CaptureFileError.BAD_SECTION_HEADER);
                    break;
                }
                long blockLen = hb.getInt(p + 4) & 0xffffffffL;
                if (blockLen < 12 || (blockLen & 3) != 0 || blockLen > Integer.MAX_VALUE - 8) {
                    counters.error(CaptureFileError.BAD_BLOCK_LENGTH);
                    break;
                }
                long blockEnd = w.base + p + blockLen;
                if (blockEnd > w.fileSize) {
                    if (isPacketBlock(type)) {
                        counters.skipped++;
                    }
                    counters.error(CaptureFileError.TRUNCATED_RECORD);
                    break;
                }
                int len = (int) blockLen;
                boolean needBody = type == SHB || type == IDB || isPacketBlock(type);
                if (!needBody) {
                    if (!isKnownSkippable(type)) {
                        counters.error(CaptureFileError.UNKNOWN_BLOCK);
                    }
                    if (p + len <= limit) {
                        checkTrailer(hb, p, len);
                        p += len;
                    } else {
                        // Skip without reading: the next block is mapped where it starts.
                        w.mapAt(blockEnd, 12);
                        hb = w.header;
                        pb = w.packets;
                        limit = w.limit;
                        last = w.atFileEnd();
                        p = 0;
                    }
                    continue;
                }
                if (len > PcapFileSource.MAX_BLOCK_BYTES) {
                    // Not read whole: a packet beyond any snap length, or a corrupt length.
                    counters.error(CaptureFileError.MALFORMED_BLOCK);
                    if (isPacketBlock(type)) {
                        counters.skipped++;
                    }
                    w.mapAt(blockEnd, 12);
                    hb = w.header;
                    pb = w.packets;
                    limit = w.limit;
                    last = w.atFileEnd();
                    p = 0;
                    continue;
                }
                if (p + len > limit) {
                    w.mapAt(w.base + p, len);
                    hb = w.header;
                    pb = w.packets;
                    limit = w.limit;
                    last = w.atFileEnd();
                    p = 0;
                    continue;
                }
                checkTrailer(hb, p, len);
                switch (type) {
                    case EPB, PB -> {
                        if (len < 32) {
                            counters.error(CaptureFileError.MALFORMED_BLOCK);
                            counters.skipped++;
                            break;
                        }
                        // the obsolete packet block has a 16-bit interface id (then a drops count) where EPB has 32 bits
                        int ifId = type == EPB ? hb.getInt(p + 8) : hb.getShort(p + 8) & 0xffff;
                        int capLen = hb.getInt(p + 20);
                        int wireLen = hb.getInt(p + 24);
                        if (capLen < 0 || capLen > len - 32) {
                            counters.error(CaptureFileError.MALFORMED_BLOCK);
                            counters.skipped++;
                            break;
                        }
                        int global = globalInterface(ifId);
                        if (global < 0) {
                            counters.skipped++;
                            break;
                        }
                        long raw = ((hb.getInt(p + 12) & 0xffffffffL) << 32) | (hb.getInt(p + 16) & 0xffffffffL);
                        long ts = toMicros(global, raw);
                        if (ts < prevTs) {
                            counters.error(CaptureFileError.TIMESTAMP_BACKWARDS);
                        }
                        prevTs = ts;
                        wireLen = checkLengths(global, capLen, wireLen);
                        handler.onPacket(ts, wireLen, pb, p + 28, capLen, linkType[global], global);
                        delivered++;
                        bytes += capLen;
                    }
                    case SPB -> {
                        if (len < 16) {
                            counters.error(CaptureFileError.MALFORMED_BLOCK);
                            counters.skipped++;
                            break;
                        }
                        int global = globalInterface(0);
                        if (global < 0) {
                            counters.skipped++;
                            break;
                        }
                        int wireLen = hb.getInt(p + 8);
                        int capLen = len - 16;
                        if (wireLen >= 0 && wireLen < capLen) {
                            capLen = wireLen;
                        }
                        if (snaplen[global] > 0 && capLen > snaplen[global]) {
                            capLen = snaplen[global];
                        }
                        if (wireLen < capLen) {
                            wireLen = capLen;
                        }
                        // A simple packet carries no timestamp: it inherits the previous one.
                        long ts = prevTs == Long.MIN_VALUE ? 0 : prevTs;
                        handler.onPacket(ts, wireLen, pb, p + 12, capLen, linkType[global], global);
                        delivered++;
                        bytes += capLen;
                    }
                    case IDB -> readInterface(hb, p, len);
                    case SHB -> startSection(hb, p, len);
                    default -> throw new IllegalStateException("block type " + type);
                }
                p += len;
            }
        } finally {
            counters.delivered += delivered;
            counters.bytes += bytes;
            counters.publishPackets(delivered);
        }
    }

    private static boolean isPacketBlock(int type) {
        return type == EPB || type == SPB || type == PB;
    }

    private static boolean isKnownSkippable(int type) {
        return type == NRB || type == ISB || type == DSB || type == IRIG_TIMESTAMP || type == ARINC_429
                || type == SYSTEMD_JOURNAL || type == CUSTOM || type == CUSTOM_NO_COPY;
    }

    private void checkTrailer(ByteBuffer hb, int p, int len) {
        if (hb.getInt(p + len - 4) != len) {
            counters.error(CaptureFileError.BLOCK_LENGTH_MISMATCH);
        }
    }

    private int checkLengths(int global, int capLen, int wireLen) {
        if (snaplen[global] > 0 && capLen > snaplen[global]) {
            counters.error(CaptureFileError.CAPLEN_EXCEEDS_SNAPLEN);
        }
        if (wireLen < capLen) {
            counters.error(CaptureFileError.CAPLEN_EXCEEDS_WIRELEN);
            return capLen;
        }
        return wireLen;
    }

    private int globalInterface(int sectionId) {
        if (sectionId < 0 || sectionBase + (long) sectionId >= interfaces) {
            counters.error(sectionOverflow ? CaptureFileError.TOO_MANY_INTERFACES : CaptureFileError.UNKNOWN_INTERFACE);
            return -1;
        }
        return sectionBase + sectionId;
    }

    private void startSection(ByteBuffer hb, int p, int len) {
        sectionBase = interfaces;
        sectionOverflow = false;
        if (len < 28) {
            counters.error(CaptureFileError.MALFORMED_BLOCK);
            return;
        }
        if ((hb.getShort(p + 12) & 0xffff) != 1) {
            counters.error(CaptureFileError.UNSUPPORTED_VERSION);
        }
    }

    private void readInterface(ByteBuffer hb, int p, int len) {
        if (len < 20) {
            counters.error(CaptureFileError.MALFORMED_BLOCK);
            return;
        }
        if (interfaces >= MAX_INTERFACES) {
            counters.error(CaptureFileError.TOO_MANY_INTERFACES);
            sectionOverflow = true;
            return;
        }
        if (interfaces == linkType.length) {
            int n = Math.min(interfaces * 2, MAX_INTERFACES);
            linkType = Arrays.copyOf(linkType, n);
            snaplen = Arrays.copyOf(snaplen, n);
            resolution = Arrays.copyOf(resolution, n);
            binary = Arrays.copyOf(binary, n);
            offsetMicros = Arrays.copyOf(offsetMicros, n);
            names = Arrays.copyOf(names, n);
        }
        int id = interfaces++;
        linkType[id] = hb.getShort(p + 8) & 0xffff;
        int snap = hb.getInt(p + 12);
        if (snap < 0 || snap > PcapFileSource.MAX_SNAPLEN) {
            counters.error(CaptureFileError.BOGUS_SNAPLEN);
            snap = 0;
        }
        snaplen[id] = snap;
        resolution[id] = 6;
        binary[id] = false;
        offsetMicros[id] = 0;
        names[id] = null;
        int o = p + 16;
        int optEnd = p + len - 4;
        while (o + 4 <= optEnd) {
            int code = hb.getShort(o) & 0xffff;
            int olen = hb.getShort(o + 2) & 0xffff;
            if (code == OPT_END) {
                break;
            }
            int padded = (olen + 3) & ~3;
            if (o + 4 + olen > optEnd) {
                counters.error(CaptureFileError.BAD_OPTION);
                break;
            }
            switch (code) {
                case OPT_IF_TSRESOL -> {
                    if (olen >= 1) {
                        int v = hb.get(o + 4) & 0xff;
                        boolean pow2 = (v & 0x80) != 0;
                        int n = v & 0x7f;
                        if ((pow2 && n > 63) || (!pow2 && n > 18)) {
                            counters.error(CaptureFileError.BAD_OPTION);
                        } else {
                            binary[id] = pow2;
                            resolution[id] = n;
                        }
                    }
                }
                case OPT_IF_TSOFFSET -> {
                    if (olen >= 8) {
                        long seconds = hb.getLong(o + 4);
                        offsetMicros[id] = seconds * 1_000_000L;
                    }
                }
                case OPT_IF_NAME -> {
                    byte[] b = new byte[Math.min(olen, 256)];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = hb.get(o + 4 + i);
                    }
                    int n = 0;
                    while (n < b.length && b[n] != 0) {
                        n++;
                    }
                    names[id] = new String(b, 0, n, StandardCharsets.UTF_8);
                }
                default -> {
                    // Other interface options do not change how packets are read.
                }
            }
            o += 4 + padded;
        }
    }

    /** Converts a raw pcapng timestamp of interface {@code id} into microseconds since the epoch. */
    private long toMicros(int id, long raw) {
        int n = resolution[id];
        long micros;
        if (!binary[id]) {
            if (n == 6) {
                micros = raw;
            } else if (n > 6) {
                micros = Long.divideUnsigned(raw, POW10[n - 6]);
            } else {
                micros = raw * POW10[6 - n];
            }
        } else if (n == 0) {
            micros = raw * 1_000_000L;
        } else {
            long seconds = raw >>> n;
            long frac = n == 64 ? raw : raw & ((1L << n) - 1);
            long lo = frac * 1_000_000L;
            long hi = Math.multiplyHigh(frac, 1_000_000L);
            micros = seconds * 1_000_000L + ((hi << (64 - n)) | (lo >>> n));
        }
        return micros + offsetMicros[id];
    }

    private static final long[] POW10 = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L,
        1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L,
        100_000_000_000_000L, 1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L,
        1_000_000_000_000_000_000L
    };
}
