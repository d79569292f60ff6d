package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.eastwatch.agent.capture.CaptureBytes.packet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-made capture files, well-formed and broken, written to a temporary directory. */
class PcapFileSourceTest {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int MICROS = 0xa1b2c3d4;
    private static final int NANOS = 0xa1b23c4d;

    @TempDir
    Path dir;

    /** One delivered packet, copied out of the reused buffer. */
    record Pkt(long ts, int wireLen, int capLen, int linkType, int ifId, byte[] data) {
    }

    static final class Recorder implements PacketHandler {
        final List<Pkt> packets = new ArrayList<>();

        @Override
        public void onPacket(long tsMicros, int wireLen, ByteBuffer buf, int offset, int capLen, int linkType, int interfaceId) {
            byte[] data = new byte[capLen];
            for (int i = 0; i < capLen; i++) {
                data[i] = buf.get(offset + i);
            }
            packets.add(new Pkt(tsMicros, wireLen, capLen, linkType, interfaceId, data));
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private record Read(List<Pkt> packets, FileReadStats stats) {
    }

    private Read read(Path file) throws IOException {
        return read(file, PcapFileSource.Settings.defaults());
    }

    private Read read(Path file, PcapFileSource.Settings settings) throws IOException {
        Recorder rec = new Recorder();
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry(), settings)) {
            source.run(rec);
            return new Read(rec.packets, source.stats());
        }
    }

    // ---- not a capture ----

    @Test
    void garbageFileIsRejectedNamingTheFileAndMagic() throws IOException {
        Path file = write("notes.pcap", "hello, this is not a capture".getBytes());
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(file, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("68656c6c"), "names the magic found: " + e.getMessage());
    }

    @Test
    void tinyAndMissingFilesAreRejected() throws IOException {
        Path tiny = write("tiny.pcap", new byte[] {(byte) 0xd4, (byte) 0xc3});
        IOException e = assertThrows(IOException.class, () -> new PcapFileSource(tiny, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains(tiny.toString()) && e.getMessage().contains("2 bytes"), e.getMessage());
        Path empty = write("empty.pcap", new byte[0]);
        assertThrows(IOException.class, () -> new PcapFileSource(empty, new SimpleMeterRegistry()));
        Path missing = dir.resolve("missing.pcap");
        e = assertThrows(IOException.class, () -> new PcapFileSource(missing, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        e = assertThrows(IOException.class, () -> new PcapFileSource(dir, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    // ---- classic pcap ----

    @Test
    void classicLittleEndianMicroseconds() throws IOException {
        byte[] p0 = packet(1, 60);
        byte[] p1 = packet(2, 42);
        Path file = write("a.bin", CaptureBytes.pcap(LE, MICROS, 65535, 1)
                .record(1_700_000_000L, 123_456, p0).record(1_700_000_001L, 999_999, 42, 1500, p1).bytes());
        Read r = read(file);
        assertEquals(2, r.packets().size());
        assertEquals(1_700_000_000_123_456L, r.packets().get(0).ts());
        assertArrayEquals(p0, r.packets().get(0).data());
        assertEquals(1500, r.packets().get(1).wireLen());
        assertEquals(42, r.packets().get(1).capLen());
        assertEquals(1, r.packets().get(1).linkType());
        assertEquals("pcap", r.stats().format());
        assertTrue(r.stats().errors().isEmpty(), r.stats().toString());
        assertEquals(102, r.stats().bytesDelivered());
    }

    @Test
    void classicBigEndianNanoseconds() throws IOException {
        Path file = write("b.bin", CaptureBytes.pcap(BE, NANOS, 262144, 113)
                .record(1_600_000_000L, 987_654_321L, packet(3, 20)).bytes());
        Read r = read(file);
        assertEquals(1, r.packets().size());
        assertEquals(1_600_000_000_987_654L, r.packets().get(0).ts());
        assertEquals(113, r.packets().get(0).linkType());
    }

    @Test
    void truncatedRecordDataKeepsThePacketsBefore() throws IOException {
        byte[] full = CaptureBytes.pcap(LE, MICROS, 65535, 1)
                .record(1, 0, packet(1, 100)).record(2, 0, packet(2, 100)).record(3, 0, packet(3, 100)).bytes();
        Read r = read(write("cut.pcap", Arrays.copyOf(full, full.length - 30)));
        assertEquals(2, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.TRUNCATED_RECORD));
        assertEquals(1, r.stats().packetsSkipped());
        assertTrue(r.stats().truncated());
    }

    @Test
    void truncatedRecordHeaderKeepsThePacketsBefore() throws IOException {
        byte[] full = CaptureBytes.pcap(LE, MICROS, 65535, 1)
                .record(1, 0, packet(1, 100)).record(2, 0, packet(2, 100)).bytes();
        Read r = read(write("cuthdr.pcap", Arrays.copyOf(full, 24 + 116 + 5)));
        assertEquals(1, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.TRUNCATED_RECORD));
    }

    @Test
    void headerOnlyAndCutHeaderFilesDeliverNothing() throws IOException {
        Read r = read(write("hdr.pcap", CaptureBytes.pcap(LE, MICROS, 65535, 1).bytes()));
        assertEquals(0, r.packets().size());
        assertTrue(r.stats().errors().isEmpty());
        Read cut = read(write("cut-hdr.pcap", Arrays.copyOf(CaptureBytes.pcap(LE, MICROS, 65535, 1).bytes(), 10)));
        assertEquals(0, cut.packets().size());
        assertEquals(1, cut.stats().count(CaptureFileError.TRUNCATED_RECORD));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 0x7fffffff, 1_745_420_288})
    void bogusSnaplenIsCountedAndIgnored(int snaplen) throws IOException {
        Read r = read(write("snap.pcap", CaptureBytes.pcap(LE, MICROS, snaplen, 1)
                .record(1, 0, packet(1, 70)).record(2, 0, packet(2, 80)).bytes()));
        assertEquals(2, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.BOGUS_SNAPLEN));
        assertEquals(0, r.stats().count(CaptureFileError.CAPLEN_EXCEEDS_SNAPLEN));
    }

    @Test
    void lyingLengthsAreDeliveredAndCounted() throws IOException {
        Read r = read(write("lie.pcap", CaptureBytes.pcap(LE, MICROS, 64, 1)
                .record(1, 0, 100, 1000, packet(1, 100))        // caplen > snaplen
                .record(2, 0, 50, 20, packet(2, 50))            // caplen > wire length
                .record(1, 500, 10, 10, packet(3, 10))          // time goes backwards
                .record(3, 2_000_000, 10, 10, packet(4, 10))    // sub-second field too large
                .bytes()));
        assertEquals(4, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.CAPLEN_EXCEEDS_SNAPLEN));
        assertEquals(1, r.stats().count(CaptureFileError.CAPLEN_EXCEEDS_WIRELEN));
        assertEquals(50, r.packets().get(1).wireLen(), "wire length raised to what was captured");
        assertEquals(1, r.stats().count(CaptureFileError.TIMESTAMP_BACKWARDS));
        assertEquals(1_000_500L, r.packets().get(2).ts());
        assertEquals(1, r.stats().count(CaptureFileError.TIMESTAMP_FRACTION_OVERFLOW));
        assertEquals(3_999_999L, r.packets().get(3).ts());
    }

    @Test
    void absurdCaptureLengthStopsWithoutThrowing() throws IOException {
        Read r = read(write("absurd.pcap", CaptureBytes.pcap(LE, MICROS, 65535, 1)
                .record(1, 0, packet(1, 40)).record(2, 0, 0x7ffffff0, 60, packet(2, 60)).record(3, 0, packet(3, 40)).bytes()));
        assertEquals(1, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.BAD_CAPTURE_LENGTH));
        Read neg = read(write("negative.pcap", CaptureBytes.pcap(LE, MICROS, 65535, 1)
                .record(1, 0, -5, 60, packet(2, 60)).bytes()));
        assertEquals(0, neg.packets().size());
        assertEquals(1, neg.stats().count(CaptureFileError.BAD_CAPTURE_LENGTH));
    }

    @Test
    void captureLengthPastTheEndIsATruncatedRecord() throws IOException {
        Read r = read(write("past.pcap", CaptureBytes.pcap(LE, MICROS, 65535, 1)
                .record(1, 0, packet(1, 40)).record(2, 0, 5000, 5000, packet(2, 60)).bytes()));
        assertEquals(1, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.TRUNCATED_RECORD));
    }

    @Test
    void unsupportedVersionIsCountedAndRead() throws IOException {
        byte[] b = CaptureBytes.pcap(LE, MICROS, 65535, 1).record(1, 0, packet(1, 40)).bytes();
        b[4] = 3;
        Read r = read(write("v3.pcap", b));
        assertEquals(1, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.UNSUPPORTED_VERSION));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(PcapFileSource.Access.class)
    void smallWindowsDeliverTheSameBytes(PcapFileSource.Access access) throws IOException {
        CaptureBytes c = CaptureBytes.pcap(LE, MICROS, 65535, 1);
        for (int i = 0; i < 500; i++) {
            c.record(i, i, packet(i, 1 + (i * 37) % 1500));
        }
        c.record(600, 0, packet(7, 9000)); // larger than the window
        Path file = write("windows.pcap", c.bytes());
        Read whole = read(file, PcapFileSource.Settings.mapped());
        Read windowed = read(file, new PcapFileSource.Settings(access, 4096));
        assertEquals(501, whole.packets().size());
        assertEquals(whole.packets().size(), windowed.packets().size());
        for (int i = 0; i < whole.packets().size(); i++) {
            assertEquals(whole.packets().get(i).ts(), windowed.packets().get(i).ts());
            assertArrayEquals(whole.packets().get(i).data(), windowed.packets().get(i).data(), "packet " + i);
        }
        assertTrue(windowed.stats().errors().isEmpty(), windowed.stats().toString());
    }

    @Test
    void closeFromTheHandlerStopsTheRead() throws IOException {
        CaptureBytes c = CaptureBytes.pcap(LE, MICROS, 65535, 1);
        for (int i = 0; i < 10; i++) {
            c.record(i, 0, packet(i, 30));
        }
        Path file = write("stop.pcap", c.bytes());
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry())) {
            int[] n = {0};
            source.run((ts, w, buf, off, cap, link, id) -> {
                if (++n[0] == 3) {
                    source.close();
                }
            });
            assertEquals(3, n[0]);
            assertEquals("file", source.interfaceName(0));
        }
    }

    @Test
    void settingsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PcapFileSource.Settings(100));
        assertEquals("windowBytes: 100 (expected: 4096 to 2147483647)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PcapFileSource.Settings(null, 8192));
        assertEquals("access: null (expected: READ or MAP)", e.getMessage());
    }

    // ---- pcapng ----

    @Test
    void pcapngSectionsInterfacesAndPacketBlocks() throws IOException {
        byte[] a = packet(1, 61);
        byte[] b = packet(2, 40);
        byte[] c = packet(3, 33);
        byte[] d = packet(4, 20);
        byte[] e = packet(5, 24);
        byte[] bytes = CaptureBytes.pcapng()
                .shb(LE)
                .idb(1, 262144, 9, 0, "eth0")                       // nanoseconds
                .idb(113, 0, 0x80 | 20, 0, null)                    // 2^-20 seconds
                .unknownBlock(0x0BAD, 3)                            // custom block: skipped silently
                .epb(0, 1_700_000_000_123_456_789L, 1514, a)
                .epb(1, (1_700_000_000L << 20) | (1L << 19), 40, b) // x.5 s
                .spb(33, c)
                .unknownBlock(0x12345678, 2)                        // unknown: skipped, counted
                .shb(BE)                                            // a second section, other byte order
                .idb(101, 65535, -1, 100, "tun0")                   // microseconds, +100 s
                .epb(0, 5_000_000L, 20, d)
                .pb(0, 6_000_000L, e)
                .bytes();
        Path file = write("multi.pcapng", bytes);
        Read r;
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry())) {
            assertEquals(PcapFileSource.Format.PCAPNG, source.format());
            Recorder rec = new Recorder();
            source.run(rec);
            r = new Read(rec.packets, source.stats());
            assertEquals("eth0", source.recordedInterfaceName(0));
            assertNull(source.recordedInterfaceName(1));
            assertEquals("tun0", source.recordedInterfaceName(2));
        }
        List<Pkt> p = r.packets();
        assertEquals(5, p.size());
        assertEquals(new Pkt(1_700_000_000_123_456L, 1514, 61, 1, 0, a).toString().replaceAll("\\[B@\\w+", ""),
                p.get(0).toString().replaceAll("\\[B@\\w+", ""));
        assertArrayEquals(a, p.get(0).data());
        assertEquals(1_700_000_000_500_000L, p.get(1).ts());
        assertEquals(113, p.get(1).linkType());
        assertEquals(1, p.get(1).ifId());
        assertArrayEquals(c, p.get(2).data(), "simple packet block");
        assertEquals(0, p.get(2).ifId());
        assertEquals(105_000_000L, p.get(3).ts(), "if_tsoffset added");
        assertEquals(101, p.get(3).linkType());
        assertEquals(2, p.get(3).ifId(), "interfaces numbered across sections");
        assertArrayEquals(d, p.get(3).data());
        assertEquals(106_000_000L, p.get(4).ts(), "obsolete packet block");
        assertArrayEquals(e, p.get(4).data());
        assertEquals(1, r.stats().count(CaptureFileError.UNKNOWN_BLOCK));
        assertEquals(1, r.stats().count(CaptureFileError.TIMESTAMP_BACKWARDS), "the second section starts in 1970");
        assertEquals(2, r.stats().errors().size(), r.stats().toString());
        assertEquals("pcapng", r.stats().format());
    }

    @Test
    void pcapngBrokenBlocks() throws IOException {
        byte[] good = CaptureBytes.pcapng().shb(LE).idb(1, 0, -1, 0, null)
                .epb(0, 1, 60, packet(1, 60))
                .epb(5, 2, 60, packet(2, 60))                      // no such interface
                .epb(0, 3, 500, 500, packet(3, 60))                // caplen beyond the block
                .bytes();
        // A trailer that disagrees with the leading length.
        byte[] mismatch = CaptureBytes.pcapng().epb(0, 4, 60, packet(4, 60)).bytes();
        mismatch[mismatch.length - 4] ^= 0x10;
        byte[] zeroLength = {6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] after = CaptureBytes.pcapng().epb(0, 5, 60, packet(5, 60)).bytes();
        Read r = read(write("broken.pcapng", CaptureBytes.pcapng().raw(good).raw(mismatch).raw(zeroLength).raw(after).bytes()));
        assertEquals(2, r.packets().size(), "packets 1 and 4; the zero-length block ends the read");
        assertEquals(4, r.packets().get(1).ts());
        assertEquals(1, r.stats().count(CaptureFileError.UNKNOWN_INTERFACE));
        assertEquals(1, r.stats().count(CaptureFileError.MALFORMED_BLOCK));
        assertEquals(1, r.stats().count(CaptureFileError.BLOCK_LENGTH_MISMATCH));
        assertEquals(1, r.stats().count(CaptureFileError.BAD_BLOCK_LENGTH));
        assertEquals(2, r.stats().packetsSkipped());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(PcapFileSource.Access.class)
    void pcapngBlockLargerThanAnyRecordIsSkipped(PcapFileSource.Access access) throws IOException {
        int huge = PcapFileSource.MAX_BLOCK_BYTES + 4096;
        CaptureBytes c = CaptureBytes.pcapng().shb(LE).idb(1, 0, -1, 0, null)
                .epb(0, 1, 60, packet(1, 60))
                .i32(6).i32(huge).i32(0).i32(0).i32(2).i32(huge - 32).i32(huge - 32)
                .raw(new byte[huge - 32]).i32(huge)
                .epb(0, 3, 60, packet(3, 60));
        Read r = read(write("huge.pcapng", c.bytes()), new PcapFileSource.Settings(access, 1 << 20));
        assertEquals(2, r.packets().size());
        assertEquals(3, r.packets().get(1).ts());
        assertEquals(1, r.stats().count(CaptureFileError.MALFORMED_BLOCK));
        assertEquals(1, r.stats().packetsSkipped());
    }

    @Test
    void pcapngTruncatedLastBlock() throws IOException {
        byte[] full = CaptureBytes.pcapng().shb(BE).idb(1, 0, -1, 0, null)
                .epb(0, 1, 60, packet(1, 60)).epb(0, 2, 60, packet(2, 60)).bytes();
        Read r = read(write("cut.pcapng", Arrays.copyOf(full, full.length - 20)));
        assertEquals(1, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.TRUNCATED_RECORD));
        assertEquals(1, r.stats().packetsSkipped());
        Read tail = read(write("tail.pcapng", Arrays.copyOf(full, full.length - 80 + 5)));
        assertEquals(1, tail.packets().size());
        assertEquals(1, tail.stats().count(CaptureFileError.TRUNCATED_RECORD));
    }

    @Test
    void pcapngBadSecondSectionStopsTheRead() throws IOException {
        byte[] first = CaptureBytes.pcapng().shb(LE).idb(1, 0, -1, 0, null).epb(0, 1, 60, packet(1, 60)).bytes();
        byte[] badShb = CaptureBytes.pcapng().shb(LE).bytes();
        badShb[8] = 0x55; // byte-order magic destroyed
        Read r = read(write("badshb.pcapng", CaptureBytes.pcapng().raw(first).raw(badShb).raw(first).bytes()));
        assertEquals(1, r.packets().size());
        assertEquals(1, r.stats().count(CaptureFileError.BAD_SECTION_HEADER));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(PcapFileSource.Access.class)
    void pcapngSmallWindowsSkipLargeBlocks(PcapFileSource.Access access) throws IOException {
        CaptureBytes c = CaptureBytes.pcapng().shb(LE).idb(1, 0, -1, 0, null);
        for (int i = 0; i < 200; i++) {
            c.epb(0, i, 1 + (i * 53) % 1400, packet(i, 1 + (i * 53) % 1400));
            if (i % 50 == 0) {
                c.unknownBlock(5, 3000); // a 12 KB statistics block, larger than the window
            }
        }
        c.unknownBlock(5, 3000); // and one that ends the file
        Path file = write("w.pcapng", c.bytes());
        Read whole = read(file, PcapFileSource.Settings.mapped());
        Read windowed = read(file, new PcapFileSource.Settings(access, 4096));
        assertEquals(200, whole.packets().size());
        assertEquals(200, windowed.packets().size());
        for (int i = 0; i < 200; i++) {
            assertArrayEquals(whole.packets().get(i).data(), windowed.packets().get(i).data());
        }
        assertTrue(windowed.stats().errors().isEmpty(), windowed.stats().toString());
    }

    @Test
    void readingAllocatesNothingPerPacket() throws IOException {
        Path file = SharedCaptures.pcaps().resolve("scans/nmap_sT_connect_2hosts_5000ports_attacker.pcap");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] sum = {0};
        PacketHandler handler = (ts, w, buf, off, cap, link, id) -> sum[0] += buf.get(off) + w;
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry())) {
            source.run(handler); // warm-up
            long before = threads.getCurrentThreadAllocatedBytes();
            source.run(handler);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // 20,016 packets: one byte per packet would already be 20 KB.
            assertTrue(allocated < 16_384, "allocated " + allocated + " bytes for one pass");
        }
    }
}
