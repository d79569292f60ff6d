package io.eastwatch.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeOrderedBufferTest {

    private final List<String> out = new ArrayList<>();
    private final TimeOrderedBuffer buffer = new TimeOrderedBuffer(4, 8);

    TimeOrderedBufferTest() {
        buffer.downstream((ts, wire, buf, off, cap, link, ifId) -> out.add(ts + "@" + ifId + ":" + buf.get(off)));
    }

    private void offer(long ts, int ifId, int marker) {
        byte[] b = {(byte) marker, 0, 0, 0};
        buffer.onPacket(ts, 60, ByteBuffer.wrap(b), 0, b.length, 1, ifId);
    }

    @Test
    void releasesInTimestampOrderUpToTheWatermark() {
        offer(300, 1, 3);
        offer(100, 2, 1);
        offer(200, 1, 2);
        assertEquals(2, buffer.releaseUpTo(250));
        assertEquals(List.of("100@2:1", "200@1:2"), out);
        assertEquals(1, buffer.size());
        assertEquals(300, buffer.oldestTs());
        buffer.releaseAll();
        assertEquals(List.of("100@2:1", "200@1:2", "300@1:3"), out);
    }

    @Test
    void equalTimestampsKeepArrivalOrder() {
        offer(100, 1, 1);
        offer(100, 2, 2);
        offer(100, 3, 3);
        buffer.releaseAll();
        assertEquals(List.of("100@1:1", "100@2:2", "100@3:3"), out);
    }

    @Test
    void aFullBufferReleasesTheOldestEarly() {
        for (int i = 0; i < 6; i++) {
            offer(1000 - i, 1, i);
        }
        assertEquals(2, buffer.releasedEarly());
        // 997 was the oldest held when 996 arrived, then 996 when 995 arrived.
        assertEquals(List.of("997@1:3", "996@1:4"), out);
        buffer.releaseAll();
        assertEquals(6, out.size());
    }

    @Test
    void sortsARandomStream() {
        TimeOrderedBuffer big = new TimeOrderedBuffer(1024, 8);
        List<Long> seen = new ArrayList<>();
        big.downstream((ts, wire, buf, off, cap, link, ifId) -> seen.add(ts));
        Random r = new Random(7);
        byte[] b = new byte[8];
        for (int i = 0; i < 1000; i++) {
            big.onPacket(r.nextInt(1_000_000), 60, ByteBuffer.wrap(b), 0, 8, 1, 1);
        }
        big.releaseAll();
        List<Long> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen);
    }
}
