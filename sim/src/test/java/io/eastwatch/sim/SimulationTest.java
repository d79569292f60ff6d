package io.eastwatch.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eastwatch.sim.attack.Scenario;
import io.eastwatch.sim.truth.EventTime;
import io.eastwatch.sim.truth.GroundTruth;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationTest {

    @TempDir
    Path dir;

    @Test
    void noAttackRunIsAWellFormedCaptureOfTheInventorysContainers() throws IOException {
        Simulation.Output o = Simulation.generate(SimSettings.defaults(1000, 20, Scenario.NONE, 11), dir.resolve("none"));
        GroundTruth truth = o.groundTruth();
        assertNull(truth.attacker());
        assertTrue(truth.containers() >= 1000, "containers at start: " + truth.containers());
        assertTrue(Files.size(o.pcap()) < 60L << 20, "pcap size " + Files.size(o.pcap()));

        // Inventory: address -> [start, stop) ownership intervals, never overlapping.
        JsonNode inv = new ObjectMapper().readTree(o.inventory().toFile());
        Map<Integer, List<long[]>> owners = new HashMap<>();
        Set<String> workloadsReused = new HashSet<>();
        Map<Integer, String> lastWorkload = new HashMap<>();
        for (JsonNode c : inv.get("containers")) {
            int ip = parseIp(c.get("ips").get(0).asText());
            long start = EventTime.micros(c.get("started").asText());
            long stop = c.get("stopped").isNull() ? Long.MAX_VALUE : EventTime.micros(c.get("stopped").asText());
            for (long[] other : owners.getOrDefault(ip, List.of())) {
                assertTrue(stop <= other[0] || start >= other[1], "overlapping owners of " + c.get("ips"));
            }
            owners.computeIfAbsent(ip, k -> new java.util.ArrayList<>()).add(new long[] {start, stop});
            String prev = lastWorkload.put(ip, c.get("workload").asText());
            if (prev != null && !prev.equals(c.get("workload").asText())) {
                workloadsReused.add(prev);
            }
        }
        assertTrue(!workloadsReused.isEmpty(), "no address was reused by another workload");
        List<String> kinds = truth.churn().stream().map(GroundTruth.Churn::kind).distinct().toList();
        for (String k : List.of("rolling-deploy", "scale-out", "scale-in", "batch-run", "ip-reuse", "restart", "new-workload",
                "cron-run", "port-change", "crash-loop", "node-drain")) {
            assertTrue(kinds.contains(k), "churn lacks " + k + ": " + kinds);
        }

        // Every frame: valid IPv4 header checksum, time never goes back, pod addresses owned at that time.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(o.pcap())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(0));
        assertEquals(1, b.getInt(20));
        int pos = 24;
        long last = 0;
        int n = 0;
        int rst = 0;
        int icmp = 0;
        int udp = 0;
        while (pos < b.limit()) {
            long ts = b.getInt(pos) * 1_000_000L + b.getInt(pos + 4);
            int cap = b.getInt(pos + 8);
            int wire = b.getInt(pos + 12);
            assertTrue(ts >= last, "time went back at frame " + n);
            assertTrue(cap <= wire && cap <= Simulation.SNAP_LEN);
            last = ts;
            int ip = pos + 16 + 14;
            assertEquals(0x0800, ((b.get(pos + 28) & 0xFF) << 8) | (b.get(pos + 29) & 0xFF));
            assertEquals(0, ipChecksum(b, ip), "IPv4 checksum of frame " + n);
            assertEquals(wire - 14, ((b.get(ip + 2) & 0xFF) << 8) | (b.get(ip + 3) & 0xFF));
            int proto = b.get(ip + 9) & 0xFF;
            if (proto == 6 && (b.get(ip + 20 + 13) & 0x04) != 0) {
                rst++;
            }
            icmp += proto == 1 ? 1 : 0;
            udp += proto == 17 ? 1 : 0;
            for (int addr : new int[] {be32(b, ip + 12), be32(b, ip + 16)}) {
                if ((addr >>> 24) == 10 && ((addr >>> 16) & 0xFF) >= 128) {
                    boolean owned = false;
                    for (long[] iv : owners.getOrDefault(addr, List.of())) {
                        owned |= ts >= iv[0] && (iv[1] == Long.MAX_VALUE || ts < iv[1] + 20_000_000L); // stale scrapes after a stop
                    }
                    assertTrue(owned, "frame " + n + " uses " + addr + " nobody owns");
                }
            }
            pos += 16 + cap;
            n++;
        }
        assertEquals(truth.packets(), n);
        assertTrue(rst > 0, "the restarting backend refused nothing");
        assertTrue(icmp > 0 && udp > 0);
    }

    @Test
    void sameSeedSameBytesAndTheAttackOnlyAddsTraffic() throws IOException {
        SimSettings a = SimSettings.defaults(300, 6, Scenario.SMALL_SCAN, 5);
        Simulation.Output x = Simulation.generate(a, dir.resolve("x"));
        Simulation.Output y = Simulation.generate(a, dir.resolve("y"));
        Simulation.Output none = Simulation.generate(SimSettings.defaults(300, 6, Scenario.NONE, 5), dir.resolve("n"));
        assertArrayEquals(Files.readAllBytes(x.pcap()), Files.readAllBytes(y.pcap()));
        assertArrayEquals(Files.readAllBytes(x.inventory()), Files.readAllBytes(none.inventory()));
        GroundTruth t = x.groundTruth();
        assertNotNull(t.attacker());
        assertEquals("2026-01-08T18:07:00Z", t.attackStart());
        assertTrue(t.packets() > none.groundTruth().packets());
    }

    private static int be32(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 24) | ((b.get(at + 1) & 0xFF) << 16) | ((b.get(at + 2) & 0xFF) << 8) | (b.get(at + 3) & 0xFF);
    }

    private static int ipChecksum(ByteBuffer b, int at) {
        long sum = 0;
        for (int k = 0; k < 20; k += 2) {
            sum += ((b.get(at + k) & 0xFF) << 8) | (b.get(at + k + 1) & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static int parseIp(String s) {
        String[] p = s.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8) | Integer.parseInt(p[3]);
    }
}
