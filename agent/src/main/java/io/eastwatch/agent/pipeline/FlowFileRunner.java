package io.eastwatch.agent.pipeline;

import io.eastwatch.agent.capture.FileReadStats;
import io.eastwatch.agent.capture.PacketHandler;
import io.eastwatch.agent.capture.PcapFileSource;
import io.eastwatch.agent.decode.DecodeResult;
import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Capture files through the agent's first stages: reader, decoder, flow table, then a
 * {@link FlowSink} (identity and export, or a test's collector). Event time is the packets' own,
 * so the flows are those the live agent would have exported watching the same traffic.
 *
 * <p>One runner feeds one flow table: {@link #read} may be called for several files in a row
 * (flows continue across them, as in a capture rotated into pieces), {@link #finish} flushes the
 * table at the end. Single-threaded; the per-packet path allocates nothing.
 */
public final class FlowFileRunner implements PacketHandler {

    /** What one {@link #read} saw. */
    public record Stats(FileReadStats read, long packets, long decoded) {
    }

    private final MeterRegistry registry;
    private final PacketDecoder decoder;
    private final FlowTable table;
    private final FlowSink sink;
    private final PacketMeta meta = new PacketMeta();
    private PcapFileSource current;
    private long packets;
    private long decoded;

    public FlowFileRunner(FlowTableSettings flowSettings, PacketDecoder.Settings decoderSettings,
                          FlowSink sink, MeterRegistry registry) {
        this.registry = registry;
        this.sink = sink;
        this.decoder = new PacketDecoder(registry, decoderSettings);
        this.table = new FlowTable(flowSettings, sink, this::interfaceName, registry);
    }

    /** Reads a whole capture file (pcap or pcapng, by its magic number) into the flow table. */
    public Stats read(Path file) throws IOException {
        long packetsBefore = packets;
        long decodedBefore = decoded;
        try (PcapFileSource source = new PcapFileSource(file, registry)) {
            // Kept after the read: flows flushed at the end still name this file's interfaces.
            current = source;
            source.run(this);
            return new Stats(source.stats(), packets - packetsBefore, decoded - decodedBefore);
        }
    }

    /** End of input: exports every flow still in the table (END_SHUTDOWN) and flushes the sink. */
    public void finish() {
        table.flushAll();
        sink.flush();
    }

    /** Reads one file and finishes: the flows of that file, all of them exported. */
    public Stats run(Path file) throws IOException {
        Stats stats = read(file);
        finish();
        return stats;
    }

    /** The flow table, for its size and clock. */
    public FlowTable table() {
        return table;
    }

    @Override
    public void onPacket(long tsMicros, int wireLen, ByteBuffer buf, int offset, int capLen, int linkType,
                         int interfaceId) {
        packets++;
        DecodeResult r = decoder.decode(tsMicros, wireLen, buf, offset, capLen, linkType, interfaceId, meta);
        if (r == DecodeResult.OK) {
            decoded++;
            table.onPacket(meta);
        } else {
            // Not a flow packet (ARP, malformed: the decoder counted why), but its time still passes.
            table.advance(tsMicros);
        }
    }

    private String interfaceName(int interfaceId) {
        PcapFileSource source = current;
        if (source == null) {
            return "file";
        }
        String recorded = source.recordedInterfaceName(interfaceId);
        return recorded != null ? recorded : source.interfaceName(interfaceId);
    }
}
