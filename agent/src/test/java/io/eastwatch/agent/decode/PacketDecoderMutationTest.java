package io.eastwatch.agent.decode;

import io.eastwatch.agent.capture.PcapFileSource;
import io.eastwatch.agent.capture.SharedCaptures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real packets with lying lengths: every packet of a capture directory is cut at random points,
 * has header bytes overwritten (length fields, IHL, data offsets, next headers) and its wire
 * length changed, under a fixed seed. No variant may make the decoder throw.
 */
class PacketDecoderMutationTest {

    @ParameterizedTest
    @ValueSource(strings = {"edge", "scans/nmap_sU_2hosts_150ports_attacker.pcap", "benign/voip_mysql_lab_sll.pcap"})
    void mutatedRealPacketsNeverThrow(String path) throws IOException {
        List<Object[]> packets = new ArrayList<>();
        Path root = SharedCaptures.pcaps().resolve(path);
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            try (PcapFileSource source = new PcapFileSource(f, new SimpleMeterRegistry())) {
                source.run((ts, wire, buf, off, cap, link, id) -> {
                    if (packets.size() < 3000) {
                        byte[] b = new byte[Math.min(cap, 512)];
                        buf.get(off, b);
                        packets.add(new Object[] {b, link, wire});
                    }
                });
            }
        }
        assertTrue(packets.size() > 0);
        Random random = new Random(20261125L);
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry(), new PacketDecoder.Settings(64, 1_000_000, true));
        PacketMeta meta = new PacketMeta();
        ByteBuffer buf = ByteBuffer.allocate(600);
        int decoded = 0;
        for (Object[] p : packets) {
            byte[] original = (byte[]) p[0];
            int link = (int) p[1];
            for (int round = 0; round < 16; round++) {
                byte[] b = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips && b.length > 0; i++) {
                    int at = random.nextInt(Math.min(b.length, 96));
                    b[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : (random.nextBoolean() ? 0 : 0xff));
                }
                int cap = b.length == 0 ? 0 : random.nextInt(b.length + 1);
                int wire = switch (random.nextInt(4)) {
                    case 0 -> cap;
                    case 1 -> (int) p[2];
                    case 2 -> random.nextInt(70_000);
                    default -> -random.nextInt(100);
                };
                buf.clear();
                buf.put(b, 0, cap);
                DecodeResult r = decoder.decode(round, wire, buf, 0, cap, link, 0, meta);
                assertNotNull(r);
                assertTrue(meta.payloadLen >= 0, "negative payload length");
                decoded++;
            }
        }
        assertTrue(decoded >= packets.size() * 16);
    }
}
