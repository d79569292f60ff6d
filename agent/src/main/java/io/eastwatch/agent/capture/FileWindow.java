package io.eastwatch.agent.capture;

import io.eastwatch.agent.capture.PcapFileSource.Access;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A window onto a capture file: either a read-only memory mapping or a reused direct buffer
 * filled by positional reads. A record that crosses the end of the window is re-read from a new
 * window starting at the record, so readers always see whole records. Two views share the bytes:
 * {@link #header} in the file's byte order for record headers, {@link #packets} in network order
 * for the packet bytes handed to the decoder.
 *
 * <p>Why two ways: a {@code MappedByteBuffer} is limited to 2 GiB (larger files are mapped in
 * consecutive windows) and every 4 KiB page costs a page fault on first touch, which on the VMs
 * measured here made mapping about four times as expensive in CPU as copying the same bytes from
 * the page cache with {@code pread} into a buffer that stays hot in the CPU cache.
 */
final class FileWindow {
    private final FileChannel channel;
    private final Access access;
    private final long windowBytes;
    /** The file's size when opened; lowered if a read finds the file shorter (it was cut meanwhile). */
    long fileSize;
    /** File offset of the first byte of the window. */
    long base;
    /** Number of valid bytes in the window. */
    int limit;
    ByteBuffer header;
    ByteBuffer packets;
    private ByteBuffer readBuffer;
    private ByteOrder order = ByteOrder.BIG_ENDIAN;

    FileWindow(FileChannel channel, long fileSize, Access access, long windowBytes) {
        this.channel = channel;
        this.fileSize = fileSize;
        this.access = access;
        this.windowBytes = windowBytes;
    }

    /**
     * Moves the window to start at {@code fileOffset} holding at least {@code minBytes} (or up to
     * the end of the file, if shorter).
     */
    void mapAt(long fileOffset, long minBytes) throws IOException {
        if (fileOffset >= fileSize) {
            // Nothing left: an empty window at the end of the file.
            base = fileSize;
            limit = 0;
            if (header == null) {
                header = ByteBuffer.allocate(0).order(order);
                packets = ByteBuffer.allocate(0);
            }
            return;
        }
        long len = Math.min(Math.min(Math.max(windowBytes, minBytes), fileSize - fileOffset), Integer.MAX_VALUE);
        if (access == Access.MAP) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, fileOffset, len);
            header = mapped.order(order);
            packets = mapped.duplicate().order(ByteOrder.BIG_ENDIAN);
            base = fileOffset;
            limit = (int) len;
            return;
        }
        if (readBuffer == null || readBuffer.capacity() < len) {
            // Grows only for a record larger than the window; bounded by the largest record accepted.
            readBuffer = ByteBuffer.allocateDirect((int) len);
            header = readBuffer.order(order);
            packets = readBuffer.duplicate().order(ByteOrder.BIG_ENDIAN);
        }
        readBuffer.clear().limit((int) len);
        while (readBuffer.hasRemaining()) {
            int n = channel.read(readBuffer, fileOffset + readBuffer.position());
            if (n < 0) {
                fileSize = fileOffset + readBuffer.position();
                break;
            }
        }
        base = fileOffset;
        limit = readBuffer.position();
    }

    /** True when the window reaches the end of the file: nothing more can be read. */
    boolean atFileEnd() {
        return base + limit >= fileSize;
    }

    /** Sets the byte order of record headers (a pcapng section may change it). */
    void order(ByteOrder newOrder) {
        order = newOrder;
        header.order(newOrder);
    }

    ByteOrder order() {
        return order;
    }
}
