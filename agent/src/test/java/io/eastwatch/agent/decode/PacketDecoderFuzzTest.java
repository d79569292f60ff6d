package io.eastwatch.agent.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target: no byte sequence, link type or lying length makes the decoder throw. Runs as a
 * normal test over the seed inputs in {@code PacketDecoderFuzzTestInputs/decodesAnything} (one
 * frame per edge case, taken from the shared captures and the decoder table); fuzz for real with
 * {@code JAZZER_FUZZ=1 mvn -pl agent -am test -Dtest=PacketDecoderFuzzTest} (cap its memory).
 *
 * <p>Input layout: byte 0 picks the link type, bytes 1-2 add to the wire length (so it may lie
 * above the captured length), the rest is the frame.
 */
class PacketDecoderFuzzTest {
    private static final int[] LINK_TYPES = {
        LinkType.EN10MB, LinkType.RAW, LinkType.DLT_RAW_BSD, LinkType.DLT_RAW_OPENBSD, LinkType.IPV4, LinkType.IPV6,
        LinkType.NULL, LinkType.LOOP, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NFLOG, 160
    };

    private final PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry(),
            new PacketDecoder.Settings(16, 1_000_000, true));
    private final PacketMeta meta = new PacketMeta();

    @FuzzTest(maxDuration = "10s")
    void decodesAnything(byte[] input) {
        if (input.length < 3) {
            return;
        }
        int linkType = LINK_TYPES[(input[0] & 0xff) % LINK_TYPES.length];
        int frameLen = input.length - 3;
        int wireLen = frameLen + (((input[1] & 0xff) << 8) | (input[2] & 0xff));
        // The frame sits in the middle of a larger buffer, as in a mapped capture file.
        ByteBuffer buf = ByteBuffer.allocate(input.length + 16);
        buf.position(7);
        buf.put(input, 3, frameLen);
        buf.clear();
        DecodeResult r = decoder.decode(42, wireLen, buf, 7, frameLen, linkType, 0, meta);
        assertNotNull(r);
        assertTrue(meta.payloadLen >= 0, "payload length never negative");
        assertTrue(meta.srcPort >= 0 && meta.srcPort <= 0xffff && meta.dstPort >= 0 && meta.dstPort <= 0xffff);
        assertNotNull(decoder.decode(42, wireLen, buf.duplicate().order(ByteOrder.LITTLE_ENDIAN), 7, frameLen, linkType, 0, meta));
    }
}
