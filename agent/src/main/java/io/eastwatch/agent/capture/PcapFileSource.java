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
 * Offline packet source: a classic pcap or pcapng file, read through memory mapping without
 * libpcap. The format is recognised by its magic number, never by the file name (real captures
 * are often mislabelled). Each packet is handed over as the mapped buffer and an offset, so
 * reading allocates nothing per packet; timestamps are converted to microseconds since the epoch.
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

    /**
     * @param mapWindowBytes bytes mapped at once. Files up to this size are mapped whole; larger
     *                       ones in consecutive windows. Raising it costs only address space (pages
     *                       are loaded on demand); lowering it adds a remap per window. Between
     *                       4 KiB and 2 GiB - 1.
     */
    public record Settings(long mapWindowBytes) {
        public static final long DEFAULT_MAP_WINDOW_BYTES = 1L << 30;

        public Settings {
            if (mapWindowBytes < 4096 || mapWindowBytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("mapWindowBytes: " + mapWindowBytes
                        + " (expected: 4096 to " + Integer.MAX_VALUE + ")");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_MAP_WINDOW_BYTES);
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
        while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
            // read until 4 bytes or end of file
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
            MappedWindow window = new MappedWindow(channel, size, settings.mapWindowBytes());
            if (format == Format.PCAP) {
                new ClassicPcapReader(window, counters, this).read(handler);
            } else {
                PcapngReader reader = new PcapngReader(window, counters, this);
                pcapng = reader;
                reader.read(handler);
            }
        } catch (IOException e) {
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
