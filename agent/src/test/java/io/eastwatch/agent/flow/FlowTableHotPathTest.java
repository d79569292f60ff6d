package io.eastwatch.agent.flow;

import com.sun.management.ThreadMXBean;
import io.eastwatch.agent.decode.PacketMeta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Packets of known flows allocate nothing: measured with the JVM's per-thread allocation counter. */
class FlowTableHotPathTest {

    @Test
    void packetsOfTrackedFlowsAllocateNothing() {
        CollectingSink sink = new CollectingSink();
        FlowTable table = new FlowTable(FlowTableSettings.defaults(), sink, null, new SimpleMeterRegistry());
        PacketMeta m = new PacketMeta();
        m.ipVersion = 4;
        m.protocol = 6;
        m.wireLen = 1500;
        m.tsMicros = 1_700_000_000_000_000L;
        int flows = 10_000;
        // Open the flows (this allocates: the arrays grow), then answer them.
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < flows; i++) {
                set(m, i, pass == 1);
                m.tcpFlags = pass == 0 ? 0x02 : 0x12;
                m.tsMicros += 1;
                table.onPacket(m);
            }
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        int packets = 2_000_000;
        long allocatedBefore = threads.getThreadAllocatedBytes(tid);
        long start = System.nanoTime();
        for (int p = 0; p < packets; p++) {
            set(m, p % flows, (p & 1) == 1);
            m.tcpFlags = 0x18;
            m.tsMicros += 1;
            table.onPacket(m);
        }
        long elapsed = System.nanoTime() - start;
        long allocated = threads.getThreadAllocatedBytes(tid) - allocatedBefore;
        System.out.printf("flow table hot path: %d packets over %d flows, %.1f M packets/s, %d bytes allocated%n",
                packets, flows, packets / (elapsed / 1e9) / 1e6, allocated);
        assertEquals(flows, table.size());
        assertEquals(0, sink.records.size());
        // The allocation counter itself and the JIT may account a few hundred bytes; one byte per packet would be 2 MB.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for " + packets + " packets");
    }

    private static void set(PacketMeta m, int flow, boolean reply) {
        long client = 0x0a000001L + flow / 100;
        long server = 0x0a010001L;
        int clientPort = 40_000 + flow % 100;
        m.srcLo = reply ? server : client;
        m.dstLo = reply ? client : server;
        m.srcPort = reply ? 5432 : clientPort;
        m.dstPort = reply ? clientPort : 5432;
    }
}
