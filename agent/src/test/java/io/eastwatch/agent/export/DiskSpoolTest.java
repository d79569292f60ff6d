package io.eastwatch.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> readAll(DiskSpool spool) {
        List<String> values = new ArrayList<>();
        DiskSpool.Entry e;
        while ((e = spool.next()) != null) {
            values.add(new String(e.key(), StandardCharsets.UTF_8) + "=" + new String(e.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".spool")).count();
        }
    }

    @Test
    void keepsOrderAcrossSegmentsAndFreesDeliveredSegments() throws IOException {
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 4096)) {
            for (int i = 0; i < 200; i++) {
                assertTrue(spool.append(bytes("k" + i), bytes("value-" + i + "-".repeat(40))));
            }
            assertTrue(segmentFiles() > 2, "records spread over several segments");
            List<DiskSpool.Entry> entries = new ArrayList<>();
            DiskSpool.Entry e;
            while ((e = spool.next()) != null) {
                entries.add(e);
            }
            assertEquals(200, entries.size());
            for (int i = 0; i < 200; i++) {
                assertArrayEquals(bytes("k" + i), entries.get(i).key());
            }
            assertTrue(spool.fullyRead());
            spool.commit(entries.get(99).end());
            assertTrue(spool.bytes() > 0);
            spool.commit(entries.get(199).end());
            assertEquals(0, spool.bytes());
            assertEquals(1, segmentFiles(), "only the fresh write segment is left");
            assertTrue(spool.append(bytes("k"), bytes("after")));
            assertEquals(List.of("k=after"), readAll(spool));
        }
    }

    @Test
    void refusesRecordsBeyondTheLimit() {
        try (DiskSpool spool = new DiskSpool(dir, 8192, 4096)) {
            int accepted = 0;
            while (spool.append(bytes("key"), new byte[100])) {
                accepted++;
            }
            assertTrue(accepted > 50 && accepted < 80, "accepted " + accepted);
            assertTrue(spool.bytes() <= 8192);
            assertFalse(spool.append(bytes("key"), new byte[100]));
        }
    }

    @Test
    void reopensAtTheDeliveryCursor() {
        List<DiskSpool.Entry> entries = new ArrayList<>();
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 4096)) {
            for (int i = 0; i < 10; i++) {
                spool.append(bytes("k"), bytes("v" + i));
            }
            for (int i = 0; i < 6; i++) {
                entries.add(spool.next());
            }
            // Read six, but only four confirmed delivered: the other two must be read again.
            spool.commit(entries.get(3).end());
        }
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 4096)) {
            assertEquals(List.of("k=v4", "k=v5", "k=v6", "k=v7", "k=v8", "k=v9"), readAll(spool));
        }
    }

    @Test
    void cutsOffATornLastRecord() throws IOException {
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 1 << 16)) {
            spool.append(bytes("a"), bytes("1"));
            spool.append(bytes("b"), bytes("2"));
        }
        Path segment = onlySegment();
        long good = Files.size(segment);
        // A crash in the middle of an append: a header promising more bytes than were written.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 50, 1, 2, 3, 4, 9, 9}));
        }
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 1 << 16)) {
            assertEquals(good, Files.size(segment));
            spool.append(bytes("c"), bytes("3"));
            assertEquals(List.of("a=1", "b=2", "c=3"), readAll(spool));
            assertEquals(0, spool.corruptRecords());
        }
    }

    @Test
    void skipsTheRestOfASegmentWithACorruptRecord() throws IOException {
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 4096)) {
            for (int i = 0; i < 100; i++) {
                spool.append(bytes("k"), bytes(String.format("v%03d", i) + "-".repeat(40)));
            }
        }
        Path first;
        try (Stream<Path> s = Files.list(dir)) {
            first = s.filter(p -> p.toString().endsWith(".spool")).sorted().findFirst().orElseThrow();
        }
        // Flip a byte inside the second record of the first segment (bit rot, a bad sector).
        byte[] content = Files.readAllBytes(first);
        int recordSize = 8 + 4 + 1 + 44;
        content[recordSize + 20] ^= 0x40;
        Files.write(first, content);
        long perSegment = content.length / recordSize;
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 4096)) {
            List<String> values = readAll(spool);
            assertEquals(1, spool.corruptRecords());
            assertEquals("k=v000" + "-".repeat(40), values.get(0));
            assertEquals(String.format("k=v%03d", perSegment) + "-".repeat(40), values.get(1),
                "reading resumes at the next segment");
            assertEquals(100 - perSegment + 1, values.size());
        }
    }

    @Test
    void emptySpoolReadsNothing() {
        try (DiskSpool spool = new DiskSpool(dir, 1 << 20, 4096)) {
            assertNull(spool.next());
            assertTrue(spool.fullyRead());
            assertEquals(0, spool.bytes());
        }
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> segments = s.filter(p -> p.toString().endsWith(".spool")).toList();
            assertEquals(1, segments.size());
            return segments.get(0);
        }
    }
}
