package io.eastwatch.agent.flow;

import io.eastwatch.agent.decode.PacketMeta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scan's flood of one-packet attempts must stay cheap: 200,000 active flows (the agent's memory
 * target) within 300 bytes each, measured on the heap, not only computed.
 */
class FlowTableMemoryTest {

    private static final int FLOWS = 200_000;

    @Test
    void twoHundredThousandAttemptsFitInUnderThreeHundredBytesEach() {
        CollectingSink sink = new CollectingSink();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        FlowTable table = new FlowTable(FlowTableSettings.defaults(), sink, null, new SimpleMeterRegistry());
        PacketMeta m = new PacketMeta();
        m.ipVersion = 4;
        m.protocol = 6;
        m.tcpFlags = 0x02;
        m.wireLen = 60;
        m.srcLo = 0x0a060606L;
        m.srcPort = 50_000;
        m.tsMicros = 1_700_000_000_000_000L;
        for (int i = 0; i < FLOWS; i++) {
            // A horizontal and vertical scan: 200 targets x 1000 ports, all within one second.
            m.dstLo = 0x0a000000L + i / 1000;
            m.dstPort = 1 + i % 1000;
            m.tsMicros += 4;
            table.onPacket(m);
        }
        assertEquals(FLOWS, table.size());
        assertEquals(0, sink.records.size(), "nothing may be evicted or expired yet");
        long after = usedAfterGc(memory);
        long perFlowMeasured = (after - before) / FLOWS;
        long perFlowArrays = table.footprintBytes() / FLOWS;
        System.out.println("flow table memory: measured " + perFlowMeasured + " B/flow, arrays " + perFlowArrays + " B/flow, before " + before + " after " + after);
        assertTrue(perFlowMeasured < 300, "measured heap per flow: " + perFlowMeasured);
        assertTrue(perFlowArrays < 300, "array footprint per flow: " + perFlowArrays);

        // All of them end as unanswered attempts 3 s later, and the table is empty again.
        table.advance(m.tsMicros + 3_000_000);
        assertEquals(FLOWS, sink.records.size());
        assertEquals(0, table.size());
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
