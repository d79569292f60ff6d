package io.eastwatch.agent.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A read-only memory-mapped window over a capture file. A single {@code MappedByteBuffer} cannot
 * exceed 2 GiB, so larger files are read through consecutive windows; a record that crosses the
 * end of a window is re-read from a new window starting at the record. Two views share the
 * mapping: {@link #header} in the file's byte order for record headers, {@link #packets} in
 * network order for the packet bytes handed to the decoder.
 */
final class MappedWindow {
    private final FileChannel channel;
    private final long windowBytes;
    final long fileSize;
    /** File offset of the first byte of the window. */
    long base;
    /** Number of mapped bytes. */
    int limit;
    ByteBuffer header;
    ByteBuffer packets;
    private ByteOrder order = ByteOrder.BIG_ENDIAN;

    MappedWindow(FileChannel channel, long fileSize, long windowBytes) {
        this.channel = channel;
        this.fileSize = fileSize;
        this.windowBytes = windowBytes;
    }

    /**
     * Maps a window starting at {@code fileOffset} holding at least {@code minBytes} (or up to the
     * end of the file, if shorter).
     */
    void mapAt(long fileOffset, long minBytes) throws IOException {
        long len = Math.min(Math.max(windowBytes, minBytes), fileSize - fileOffset);
        len = Math.min(len, Integer.MAX_VALUE);
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, fileOffset, Math.max(len, 0));
        header = mapped.order(order);
        packets = mapped.duplicate().order(ByteOrder.BIG_ENDIAN);
        base = fileOffset;
        limit = (int) Math.max(len, 0);
    }

    /** True when the window reaches the end of the file: nothing more can be mapped. */
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
