package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Offline packet source: a classic pcap or pcapng file, read in pure Java without libpcap,
 * through a reused direct buffer or a memory mapping (see {@link Access}). The format is
 * recognised by its magic number, never by the file name (real captures are often mislabelled).
 * Each packet is handed over as the window's buffer and an offset, so reading allocates nothing
 * per packet; timestamps are converted to microseconds since the epoch.
 *
 * <p>Damaged content never throws: what can be read is delivered, the rest is counted by reason in
 * {@code eastwatch.agent.capture.file.errors} and in {@link #stats()}. Only a file that is not a
 * capture at all, or cannot be read, raises an {@link IOException}.
 *
 * <p>The buffer given to the handler is in network (big-endian) byte order.
 */
public final class PcapFileSource implements PacketSource {

    /** Largest snap length taken at face value (libpcap's MAXIMUM_SNAPLEN is 256 KiB). */
    static final int MAX_SNAPLEN = 262_144;
    /**
     * Largest captured length of one record (libpcap's pcapng block limit): beyond it a record
     * header is garbage and the record framing is lost.
     */
    static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
    /** Largest pcapng block read whole (a packet of the largest record length plus its options). */
    static final int MAX_BLOCK_BYTES = MAX_RECORD_BYTES + 1024 * 1024;

    /** How the file's bytes reach the reader. */
    public enum Access {
        /**
         * Positional reads into one reused direct buffer of {@code windowBytes}: the bytes are
         * copied once from the page cache, and the buffer stays in the CPU cache. The default.
         */
        READ,
        /**
         * Memory mapping in windows of {@code windowBytes} (a mapping is limited to 2 GiB): no copy,
         * but a page fault per 4 KiB page on first touch, which costs more than the copy on the
         * virtual machines measured. A file cut short by another process while mapped can crash
         * the reader with an InternalError (SIGBUS), which READ cannot.
         */
        MAP
    }

    /**
     * @param access      how bytes are read; see {@link Access}
     * @param windowBytes bytes read or mapped at once, 4 KiB to 2 GiB - 1. READ: the reused buffer;
     *                    raising it past the CPU cache size only costs memory, lowering it adds
     *                    system calls (1 MiB reads a page-cached file at near copy speed). MAP: files
     *                    up to this size are mapped whole; raising it costs only address space,
     *                    lowering it adds a remap per window. A record larger than the window is
     *                    still read whole.
     */
    public record Settings(Access access, long windowBytes) {
        public static final long DEFAULT_READ_WINDOW_BYTES = 1L << 20;
        public static final long DEFAULT_MAP_WINDOW_BYTES = 1L << 30;

        public Settings {
            if (access == null) {
                throw new IllegalArgumentException("access: null (expected: READ or MAP)");
            }
            if (windowBytes < 4096 || windowBytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("windowBytes: " + windowBytes
                        + " (expected: 4096 to " + Integer.MAX_VALUE + ")");
            }
        }

        /** Memory mapping in windows of {@code mapWindowBytes}. */
        public Settings(long mapWindowBytes) {
            this(Access.MAP, mapWindowBytes);
        }

        /** READ through a 1 MiB buffer. */
        public static Settings defaults() {
            return new Settings(Access.READ, DEFAULT_READ_WINDOW_BYTES);
        }

        /** MAP in 1 GiB windows. */
        public static Settings mapped() {
            return new Settings(Access.MAP, DEFAULT_MAP_WINDOW_BYTES);
        }
    }

    /** The two capture file formats, as told by their first four bytes. */
    public enum Format { PCAP, PCAPNG }

    private final Path file;
    private final Settings settings;
    private final FileChannel channel;
    private final long size;
    private final Format format;
    private final FileReadCounters counters;
    private volatile boolean stopped;
    private volatile PcapngReader pcapng;
    private volatile boolean running;

    public PcapFileSource(Path file, MeterRegistry registry) throws IOException {
        this(file, registry, Settings.defaults());
    }

    /**
     * Opens {@code file} and checks its magic number.
     *
     * @throws IOException if the file cannot be read or is neither pcap nor pcapng
     */
    public PcapFileSource(Path file, MeterRegistry registry, Settings settings) throws IOException {
        this.file = Objects.requireNonNull(file, "file");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.counters = new FileReadCounters(Objects.requireNonNull(registry, "registry"));
        if (Files.isDirectory(file)) {
            throw new IOException("cannot read capture file " + file + ": it is a directory");
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read capture file " + file + ": no such file", e);
        }
        try {
            this.size = ch.size();
            this.format = detect(file, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        this.channel = ch;
    }

    /** Tells the format of {@code file} from its magic number. */
    public static Format detect(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return detect(file, ch);
        }
    }

    private static Format detect(Path file, FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4);
        int n = 0;
        while (head.hasRemaining() && n >= 0) {
            n = ch.read(head, head.position());
        }
        head.flip();
        if (head.remaining() < 4) {
            throw new IOException("not a pcap or pcapng capture file: " + file + " (only " + head.remaining()
                    + " bytes long, magic " + HexFormat.of().formatHex(head.array(), 0, head.remaining()) + ")");
        }
        int be = head.getInt(0);
        int le = Integer.reverseBytes(be);
        if (be == PcapngReader.SHB) {
            return Format.PCAPNG;
        }
        for (int magic : new int[] {ClassicPcapReader.MAGIC_MICROS, ClassicPcapReader.MAGIC_NANOS,
                ClassicPcapReader.MAGIC_MODIFIED}) {
            if (be == magic || le == magic) {
                return Format.PCAP;
            }
        }
        throw new IOException("not a pcap or pcapng capture file: " + file + " (magic 0x"
                + HexFormat.of().formatHex(head.array()) + ", expected a1b2c3d4, a1b23c4d or 0a0d0d0a in either byte order)");
    }

    public Format format() {
        return format;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the whole file (or until {@link #close()}), handing every readable packet to
     * {@code handler}. May be called again to re-read the file; {@link #stats()} then describes
     * all passes together.
     */
    @Override
    public void run(PacketHandler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (stopped) {
            return;
        }
        running = true;
        try {
            FileWindow window = new FileWindow(channel, size, settings.access(), settings.windowBytes());
            if (format == Format.PCAP) {
                new ClassicPcapReader(window, counters, this).read(handler);
            } else {
                PcapngReader reader = new PcapngReader(window, counters, this);
                pcapng = reader;
                reader.read(handler);
            }
        } catch (IOException e) {
            if (stopped) {
                // close() from another thread released the channel under the read: a normal stop.
                return;
            }
            throw new IOException("cannot read capture file " + file + ": " + e.getMessage(), e);
        } finally {
            running = false;
        }
    }

    boolean stopRequested() {
        return stopped;
    }

    /** What the reads so far delivered and skipped, with error counts by reason. */
    public FileReadStats stats() {
        return counters.snapshot(format == Format.PCAP ? "pcap" : "pcapng");
    }

    /**
     * "file" for every interface, as for any offline source; {@link #recordedInterfaceName} gives
     * the name a pcapng file recorded, if any.
     */
    @Override
    public String interfaceName(int interfaceId) {
        return "file";
    }

    /** The {@code if_name} a pcapng file recorded for an interface, or null. */
    public String recordedInterfaceName(int interfaceId) {
        PcapngReader reader = pcapng;
        return reader == null ? null : reader.interfaceName(interfaceId);
    }

    @Override
    public void close() {
        stopped = true;
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a read-only channel has nothing left to flush; the mapping stays valid.
            org.slf4j.LoggerFactory.getLogger(PcapFileSource.class).debug("closing {}", file, e);
        }
    }

    @Override
    public String toString() {
        return "PcapFileSource[" + file + ", " + format + ", " + size + " bytes" + (running ? ", reading" : "") + "]";
    }
}
