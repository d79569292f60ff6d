package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged copies of real capture files (random bytes overwritten, cut anywhere) under a fixed
 * seed: the reader must deliver what it can and never throw, except for the IOException of a
 * destroyed magic number.
 */
class PcapFileSourceMutationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"edge/pcapng_multi_interface.pcapng", "scans/lateral_smbexec.pcapng",
        "edge/big_endian_pcap_pptp.pcap", "edge/nanosecond_pcap_sll.pcap", "benign/mysql_session.pcap"})
    void damagedFilesNeverThrow(String path) throws IOException {
        byte[] original = Files.readAllBytes(SharedCaptures.pcaps().resolve(path));
        Random random = new Random(path.hashCode());
        int rejected = 0;
        for (int round = 0; round < 150; round++) {
            byte[] b = Arrays.copyOf(original, random.nextInt(4) == 0 ? random.nextInt(original.length + 1) : original.length);
            int flips = 1 + random.nextInt(12);
            for (int i = 0; i < flips && b.length > 0; i++) {
                int at = random.nextInt(Math.min(b.length, random.nextBoolean() ? 256 : b.length));
                b[at] = (byte) random.nextInt(256);
            }
            Path file = dir.resolve("damaged-" + round);
            Files.write(file, b);
            PcapFileSource source;
            try {
                source = new PcapFileSource(file, new SimpleMeterRegistry(), new PcapFileSource.Settings(
                        round % 2 == 0 ? PcapFileSource.Access.READ : PcapFileSource.Access.MAP, 8192));
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                rejected++;
                continue;
            }
            try (source) {
                long[] n = {0};
                source.run((ts, wire, buf, off, cap, link, id) -> {
                    assertTrue(off >= 0 && cap >= 0 && off + cap <= buf.limit(), "packet inside the mapping");
                    n[0]++;
                });
                assertTrue(source.stats().packetsDelivered() == n[0]);
            }
        }
        assertTrue(rejected < 150, "most damaged files still open");
    }
}
