package io.eastwatch.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PacketRingTest {

    private static final int LINK = TcpControlPeek.LINKTYPE_ETHERNET;

    private static byte[] payload(int marker, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (marker + i);
        }
        return b;
    }

    @Test
    void deliversPacketsInOrderWithTheirMetadata() {
        PacketRing ring = new PacketRing(8, 16, 1.0, 1, 0.0);
        PacketRing.Producer p = new PacketRing.Producer();
        assertTrue(ring.offer(p, false, 1_000, 60, payload(1, 10), 10, LINK, 7));
        assertTrue(ring.offer(p, false, 2_000, 1514, payload(2, 40), 40, 101, 9));
        List<String> got = new ArrayList<>();
        int n = ring.drain((ts, wire, buf, off, cap, link, ifId) -> {
            got.add(ts + "/" + wire + "/" + cap + "/" + link + "/" + ifId + "/" + buf.get(off) + "/" + buf.get(off + cap - 1));
        }, 100);
        assertEquals(2, n);
        // The second packet is cut to the 16-byte slot; its wire length is kept.
        assertEquals(List.of("1000/60/10/1/7/1/10", "2000/1514/16/101/9/2/17"), got);
        assertEquals(2, ring.delivered());
        assertEquals(0, ring.used());
    }

    @Test
    void samplesDataPacketsUnderLoadButNeverControlPackets() {
        // 64 slots: sampling from 32 used, data stops at 56, 8 slots reserved for SYN/FIN/RST.
        PacketRing ring = new PacketRing(64, 16, 0.5, 4, 0.125);
        PacketRing.Producer p = new PacketRing.Producer();
        byte[] b = payload(0, 16);
        int accepted = 0;
        for (int i = 0; i < 200; i++) {
            if (ring.offer(p, false, i, 16, b, 16, LINK, 1)) {
                accepted++;
            }
        }
        // 32 unsampled, then one in four until 56 are queued.
        assertEquals(56, accepted);
        assertEquals(56, ring.used());
        assertEquals(24 * 4 - 24 - 3, ring.sampledOut());
        assertTrue(ring.droppedFull() > 0);
        for (int i = 0; i < 8; i++) {
            assertTrue(ring.offer(p, true, i, 16, b, 16, LINK, 1), "control packet " + i + " uses the reserve");
        }
        assertEquals(64, ring.used());
        assertFalse(ring.offer(p, false, 0, 16, b, 16, LINK, 1));
    }

    @Test
    void aControlPacketWaitsForRoomInsteadOfBeingDropped() throws Exception {
        PacketRing ring = new PacketRing(64, 16, 1.0, 1, 0.0);
        PacketRing.Producer p = new PacketRing.Producer();
        byte[] b = payload(0, 16);
        for (int i = 0; i < 64; i++) {
            assertTrue(ring.offer(p, false, i, 16, b, 16, LINK, 1));
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            ring.offer(new PacketRing.Producer(), true, 999, 16, b, 16, LINK, 2);
            done.countDown();
        });
        t.start();
        Thread.sleep(50);
        assertEquals(1, done.getCount(), "blocked while full");
        assertTrue(ring.controlWaits() > 0);
        List<Long> ts = new ArrayList<>();
        ring.drain((tsMicros, wire, buf, off, cap, link, ifId) -> ts.add(tsMicros), 10);
        t.join(2_000);
        assertEquals(0, done.getCount());
        ring.drain((tsMicros, wire, buf, off, cap, link, ifId) -> ts.add(tsMicros), 1_000);
        assertEquals(65, ts.size());
        assertEquals(999L, ts.get(64));
    }

    @Test
    void manyProducersLoseNothingWhenTheConsumerKeepsUp() throws Exception {
        PacketRing ring = new PacketRing(1024, 16, 1.0, 1, 0.0);
        int producers = 3;
        int each = 100_000;
        Thread[] threads = new Thread[producers];
        for (int t = 0; t < producers; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                PacketRing.Producer p = new PacketRing.Producer();
                byte[] b = new byte[16];
                for (int i = 0; i < each; i++) {
                    // Control packets wait for room: the test loses nothing and checks ordering per producer.
                    b[0] = (byte) id;
                    ring.offer(p, true, i, 16, b, 16, LINK, id);
                }
            });
            threads[t].start();
        }
        long[] next = new long[producers];
        long total = 0;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (total < (long) producers * each && System.nanoTime() < deadline) {
            total += ring.drain((ts, wire, buf, off, cap, link, ifId) -> {
                assertEquals(next[ifId], ts, "per-producer order");
                assertEquals(ifId, buf.get(off));
                next[ifId]++;
            }, 256);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals((long) producers * each, total);
        assertEquals(0, ring.droppedFull() + ring.sampledOut());
    }
}
