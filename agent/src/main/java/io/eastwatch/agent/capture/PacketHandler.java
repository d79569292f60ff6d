package io.eastwatch.agent.capture;

import java.nio.ByteBuffer;

/**
 * Receives captured packets from a {@link PacketSource}, one call per packet, on the source's
 * thread. The buffer is reused by the source: its bytes are valid only during the call, so an
 * implementation copies what it keeps and never allocates per packet on the hot path.
 */
public interface PacketHandler {

    /**
     * @param tsMicros    capture timestamp, microseconds since the epoch
     * @param wireLen     length of the packet on the wire (the pcap record's original length)
     * @param buf         buffer holding the captured bytes (absolute indexing; position/limit untouched)
     * @param offset      index of the first captured byte in {@code buf}
     * @param capLen      number of captured bytes (at most the snap length)
     * @param linkType    pcap LINKTYPE_* of the bytes (see {@code io.eastwatch.agent.decode.LinkType})
     * @param interfaceId index of the capture interface in the source's interface table
     */
    void onPacket(long tsMicros, int wireLen, ByteBuffer buf, int offset, int capLen, int linkType, int interfaceId);
}
