package io.eastwatch.agent.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, bounded, crash-tolerant FIFO of (key, value) records on disk: where flow records
 * wait while Kafka is away.
 *
 * <p>Layout: numbered segment files {@code 00000000000000000042.spool}, each a sequence of records
 * {@code [int payload length][int CRC32C of payload][payload]}, payload {@code [int key length][key]
 * [value]}; plus a {@code cursor} file naming the first record not yet delivered (segment number and
 * byte offset), replaced atomically. Reading runs ahead of the cursor ({@link #next()}); the cursor
 * moves only when the caller confirms delivery ({@link #commit}), so a crash replays the records
 * that were read but not confirmed (at least once across a crash, exactly once otherwise).
 * Segments wholly behind the cursor are deleted.
 *
 * <p>On open, the tail of the newest segment is checked record by record and a torn last write
 * (the process died mid-append) is cut off. A record whose CRC does not match when read is counted
 * by the caller ({@link #corruptRecords()}) and the rest of its segment skipped: its length field
 * can no longer be trusted.
 *
 * <p>Durability: appends reach the page cache at once (a process crash loses nothing); {@link #sync()}
 * forces them to the device (an OS crash loses at most what was appended since the last sync).
 * Not thread-safe: one exporter thread owns it.
 */
final class DiskSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiskSpool.class);
    private static final String SUFFIX = ".spool";
    private static final int HEADER = 8;

    /** A position in the spool: the byte offset just after a record in a segment. */
    record Position(long segment, long offset) {
    }

    /** One record read from the spool, with the position to commit once it has been delivered. */
    record Entry(byte[] key, byte[] value, Position end) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    /** Segment number to its size in bytes (complete records only). */
    private final TreeMap<Long, Long> segments = new TreeMap<>();
    private final ByteBuffer header = ByteBuffer.allocate(HEADER);
    private final CRC32C crc = new CRC32C();

    private FileChannel writer;
    private long writeSegment;

    private FileChannel reader;
    private long readSegment;
    private long readOffset;

    private long committedSegment;
    private long committedOffset;
    private boolean cursorDirty;

    private long totalBytes;
    private long corruptRecords;

    DiskSpool(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        try {
            Files.createDirectories(dir);
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open spool " + dir, e);
        }
    }

    private void open() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(SUFFIX)) {
                    try {
                        segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), Files.size(f));
                    } catch (NumberFormatException e) {
                        log.warn("ignoring foreign file {} in spool {}", name, dir);
                    }
                }
            }
        }
        readCursor();
        // Segments behind the cursor were delivered; a crash may have left them before deletion.
        while (!segments.isEmpty() && segments.firstKey() < committedSegment) {
            Files.deleteIfExists(segmentPath(segments.pollFirstEntry().getKey()));
        }
        if (segments.isEmpty()) {
            writeSegment = Math.max(committedSegment, 0);
            committedSegment = writeSegment;
            committedOffset = 0;
            segments.put(writeSegment, 0L);
        } else {
            if (segments.firstKey() > committedSegment) {
                committedSegment = segments.firstKey();
                committedOffset = 0;
            }
            writeSegment = segments.lastKey();
            segments.put(writeSegment, validLength(writeSegment));
        }
        writer = FileChannel.open(segmentPath(writeSegment),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        writer.truncate(segments.get(writeSegment));
        writer.position(segments.get(writeSegment));
        readSegment = committedSegment;
        readOffset = committedOffset;
        recomputeBytes();
        if (totalBytes > 0) {
            log.info("spool {} holds {} bytes from an earlier run; they are sent when Kafka is reachable", dir, totalBytes);
        }
    }

    /** Appends a record; false (and nothing written) when it would take the spool over its limit. */
    boolean append(byte[] key, byte[] value) {
        int payload = 4 + key.length + value.length;
        long size = HEADER + payload;
        if (totalBytes + size > maxBytes) {
            return false;
        }
        try {
            long current = segments.get(writeSegment);
            if (current > 0 && current + size > segmentBytes) {
                roll();
                current = 0;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            buf.putInt(payload).putInt(0).putInt(key.length).put(key).put(value);
            crc.reset();
            crc.update(buf.array(), HEADER, payload);
            buf.putInt(4, (int) crc.getValue());
            buf.flip();
            while (buf.hasRemaining()) {
                writer.write(buf);
            }
            segments.put(writeSegment, current + size);
            totalBytes += size;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to spool " + dir, e);
        }
    }

    /** The next record after the last one read, or null when every record has been read. */
    Entry next() {
        try {
            while (true) {
                long end = segments.getOrDefault(readSegment, 0L);
                if (readOffset + HEADER <= end) {
                    Entry e = readAt(end);
                    if (e != null) {
                        return e;
                    }
                    continue; // a corrupt record: the rest of that segment was skipped
                }
                Long later = segments.higherKey(readSegment);
                if (later == null) {
                    return null;
                }
                readSegment = later;
                readOffset = 0;
                closeReader();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool " + dir, e);
        }
    }

    private Entry readAt(long segmentEnd) throws IOException {
        if (reader == null) {
            reader = FileChannel.open(segmentPath(readSegment), StandardOpenOption.READ);
        }
        header.clear();
        readFully(reader, header, readOffset);
        int payload = header.getInt(0);
        int expectedCrc = header.getInt(4);
        if (payload < 4 || readOffset + HEADER + payload > segmentEnd) {
            skipRestOfSegment(segmentEnd);
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(payload);
        readFully(reader, body, readOffset + HEADER);
        crc.reset();
        crc.update(body.array(), 0, payload);
        int keyLength = body.getInt(0);
        if ((int) crc.getValue() != expectedCrc || keyLength < 0 || keyLength > payload - 4) {
            skipRestOfSegment(segmentEnd);
            return null;
        }
        byte[] key = new byte[keyLength];
        byte[] value = new byte[payload - 4 - keyLength];
        body.position(4);
        body.get(key).get(value);
        readOffset += HEADER + payload;
        return new Entry(key, value, new Position(readSegment, readOffset));
    }

    private void skipRestOfSegment(long segmentEnd) {
        corruptRecords++;
        log.warn("corrupt record in spool segment {} at offset {}: skipping the rest of the segment ({} bytes)",
            segmentPath(readSegment), readOffset, segmentEnd - readOffset);
        readOffset = segmentEnd;
    }

    /** Everything up to {@code upTo} has been delivered: move the cursor, delete finished segments. */
    void commit(Position upTo) {
        if (upTo.segment() < committedSegment
            || (upTo.segment() == committedSegment && upTo.offset() <= committedOffset)) {
            return;
        }
        committedSegment = upTo.segment();
        committedOffset = upTo.offset();
        cursorDirty = true;
        try {
            while (segments.firstKey() < committedSegment) {
                long done = segments.pollFirstEntry().getKey();
                if (reader != null && readSegment == done) {
                    closeReader();
                }
                Files.deleteIfExists(segmentPath(done));
            }
            if (committedSegment == writeSegment && committedOffset == segments.get(writeSegment)
                && committedOffset > 0) {
                // Everything delivered: start a fresh segment so the old one can be deleted.
                roll();
                committedSegment = writeSegment;
                committedOffset = 0;
                readSegment = writeSegment;
                readOffset = 0;
                Files.deleteIfExists(segmentPath(segments.pollFirstEntry().getKey()));
                closeReader();
                cursorDirty = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete delivered spool segments in " + dir, e);
        }
        recomputeBytes();
    }

    /** Bytes of records not yet delivered (read or not). */
    long bytes() {
        return totalBytes;
    }

    /** True when every record appended has also been read (there may still be unconfirmed ones). */
    boolean fullyRead() {
        return readSegment == writeSegment && readOffset >= segments.get(writeSegment);
    }

    long corruptRecords() {
        return corruptRecords;
    }

    /** Forces appended records and the cursor to the device. */
    void sync() {
        try {
            writer.force(false);
            if (cursorDirty) {
                writeCursor();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync spool " + dir, e);
        }
    }

    @Override
    public void close() {
        sync();
        try {
            closeReader();
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close spool " + dir, e);
        }
    }

    private void roll() throws IOException {
        writer.force(false);
        writer.close();
        writeSegment++;
        segments.put(writeSegment, 0L);
        writer = FileChannel.open(segmentPath(writeSegment),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        writeCursor();
    }

    private void recomputeBytes() {
        long sum = 0;
        for (var e : segments.entrySet()) {
            sum += e.getValue();
        }
        totalBytes = Math.max(0, sum - (segments.containsKey(committedSegment) ? committedOffset : 0));
    }

    /** Length of the valid prefix of a segment: a torn last append is cut off. */
    private long validLength(long segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segmentPath(segment), StandardOpenOption.READ)) {
            long size = ch.size();
            long offset = 0;
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            while (offset + HEADER <= size) {
                h.clear();
                readFully(ch, h, offset);
                int payload = h.getInt(0);
                if (payload < 4 || offset + HEADER + payload > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(payload);
                readFully(ch, body, offset + HEADER);
                crc.reset();
                crc.update(body.array(), 0, payload);
                if ((int) crc.getValue() != h.getInt(4)) {
                    break;
                }
                offset += HEADER + payload;
            }
            if (offset < size) {
                log.warn("spool segment {}: cutting off {} bytes of an incomplete last record",
                    segmentPath(segment), size - offset);
            }
            return offset;
        }
    }

    private void readCursor() throws IOException {
        Path cursor = dir.resolve("cursor");
        committedSegment = 0;
        committedOffset = 0;
        if (!Files.exists(cursor)) {
            return;
        }
        String[] parts = Files.readString(cursor, StandardCharsets.US_ASCII).trim().split(" ");
        try {
            committedSegment = Long.parseLong(parts[0]);
            committedOffset = Long.parseLong(parts[1]);
        } catch (RuntimeException e) {
            // Replaying from the oldest segment re-sends some records but loses none.
            log.warn("unreadable spool cursor in {}: replaying the spool from its oldest segment", dir);
            committedSegment = 0;
            committedOffset = 0;
        }
    }

    private void writeCursor() throws IOException {
        Path tmp = dir.resolve("cursor.tmp");
        Files.writeString(tmp, committedSegment + " " + committedOffset + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        cursorDirty = false;
    }

    private void closeReader() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    private Path segmentPath(long segment) {
        return dir.resolve(String.format("%020d%s", segment, SUFFIX));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of spool segment at " + pos);
            }
            pos += n;
        }
    }

    /** Segment numbers on disk, oldest first (for tests and diagnostics). */
    List<Long> segmentNumbers() {
        return new ArrayList<>(segments.keySet());
    }
}
