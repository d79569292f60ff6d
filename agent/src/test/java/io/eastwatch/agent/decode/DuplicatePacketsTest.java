package io.eastwatch.agent.decode;

import static io.eastwatch.agent.decode.Frames.eth;
import static io.eastwatch.agent.decode.Frames.ipv4;
import static io.eastwatch.agent.decode.Frames.ipv6;
import static io.eastwatch.agent.decode.Frames.tcp;
import static io.eastwatch.agent.decode.Frames.udp;
import static io.eastwatch.agent.decode.Frames.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One packet captured on two interfaces (a veth and its bridge, or both sides of a router) is
 * counted once; different packets, or the same packet again on the same interface, are not
 * mistaken for duplicates. Crafted frames through the decoder into the flow table.
 */
class DuplicatePacketsTest {

    private static final int IP_TTL = 14 + 8;
    private static final int IP_ID = 14 + 4;
    private static final String WARM_UP = "10.9.9.1";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PacketDecoder decoder = new PacketDecoder(registry);
    private final PacketMeta meta = new PacketMeta();
    private final List<FlowRecord> records = new ArrayList<>();
    private final FlowTable table = new FlowTable(FlowTableSettings.defaults(), new FlowSink() {
        @Override
        public void accept(FlowRecord.Builder flow) {
            records.add(flow.build());
        }
    }, id -> "if" + id, registry);

    /**
     * Duplicates are looked for once packets came from two interfaces: in a live agent from its
     * first milliseconds. A warm-up packet on each interface (its own flow, left out below).
     */
    private void twoInterfacesSeen(long t) {
        feed(t - 1_000, 1, eth(0x0800, ipv4(WARM_UP, "10.9.9.2", 17, udp(1, 2, zeros(4)))));
        feed(t - 900, 2, eth(0x0800, ipv4(WARM_UP, "10.9.9.2", 17, udp(1, 2, zeros(4)))));
    }

    private void feed(long ts, int ifId, byte[] frame) {
        assertEquals(DecodeResult.OK, decoder.decode(ts, frame.length, ByteBuffer.wrap(frame), 0, frame.length,
                LinkType.EN10MB, ifId, meta));
        table.onPacket(meta);
    }

    private static byte[] withTtl(byte[] frame, int ttl) {
        byte[] copy = frame.clone();
        copy[IP_TTL] = (byte) ttl;
        // The router rewrites the header checksum too: the decoder must not care.
        copy[14 + 10] = (byte) 0x5a;
        return copy;
    }

    private static byte[] withIpId(byte[] frame, int id) {
        byte[] copy = frame.clone();
        copy[IP_ID] = (byte) (id >>> 8);
        copy[IP_ID + 1] = (byte) id;
        return copy;
    }

    private double duplicates(String path) {
        return registry.get("eastwatch.agent.flow.packets.duplicate").tag("path", path).counter().count();
    }

    private FlowRecord onlyFlow() {
        table.flushAll();
        byte[] warmUp = Frames.addr(WARM_UP);
        List<FlowRecord> flows = records.stream()
                .filter(r -> !java.util.Arrays.equals(r.getSrcAddr().toByteArray(), warmUp)).toList();
        assertEquals(1, flows.size(), flows.toString());
        return flows.get(0);
    }

    @Test
    void aRoutedCopyOnAnotherInterfaceIsCountedOnce() {
        long t = 1_700_000_000_000_000L;
        twoInterfacesSeen(t);
        byte[] syn = withIpId(eth(0x0800, ipv4("10.1.0.5", "10.2.0.7", 6, tcp(40000, 80, 0x02, zeros(0)))), 0x1234);
        byte[] synAck = withIpId(eth(0x0800, ipv4("10.2.0.7", "10.1.0.5", 6, tcp(80, 40000, 0x12, zeros(0)))), 0x0);
        feed(t, 1, syn);                       // the sender's veth
        feed(t + 40, 2, withTtl(syn, 63));     // the router's veth on the other bridge
        feed(t + 200, 3, synAck);              // the server's veth
        feed(t + 230, 4, withTtl(synAck, 63)); // back through the router
        FlowRecord f = onlyFlow();
        assertEquals(1, f.getPacketsFwd());
        assertEquals(1, f.getPacketsRev());
        assertEquals("if1", f.getInterface());
        assertEquals(2.0, duplicates("routed"));
        assertEquals(0.0, duplicates("same_hop"));
    }

    @Test
    void aBridgedCopyWithTheSameTtlIsCountedOnceAsSameHop() {
        long t = 1_700_000_000_000_000L;
        twoInterfacesSeen(t);
        byte[] dns = withIpId(eth(0x0800, ipv4("10.1.0.5", "10.1.0.53", 17, udp(5353, 53, zeros(30)))), 77);
        feed(t, 1, dns);
        feed(t + 5, 9, dns);
        assertEquals(1, onlyFlow().getPacketsFwd());
        assertEquals(1.0, duplicates("same_hop"));
    }

    @Test
    void ipv6PacketsWithoutAnIdAreTellApartByTheirTransportFields() {
        long t = 1_700_000_000_000_000L;
        twoInterfacesSeen(t);
        byte[] first = eth(0x86DD, ipv6("fd00:1::5", "fd00:2::7", 6, tcp(40000, 80, 0x10, zeros(10))));
        byte[] next = first.clone();
        next[14 + 40 + 4 + 3] ^= 1; // another sequence number
        feed(t, 1, first);
        feed(t + 10, 2, first);    // routed copy
        feed(t + 20, 1, next);
        feed(t + 30, 2, next);     // its routed copy
        assertEquals(2, onlyFlow().getPacketsFwd());
        assertEquals(2.0, duplicates("same_hop"));
    }

    @Test
    void theSamePacketAgainOnTheSameInterfaceOrLaterIsCounted() {
        long t = 1_700_000_000_000_000L;
        twoInterfacesSeen(t);
        byte[] udp = withIpId(eth(0x0800, ipv4("10.1.0.5", "10.2.0.7", 17, udp(5000, 6000, zeros(8)))), 5);
        feed(t, 1, udp);
        feed(t + 100, 1, udp);                                   // a replay on the same interface
        feed(t + 200, 2, withIpId(udp, 6));                      // another packet (another id)
        feed(t + 1_000_000, 2, withTtl(udp, 63));                // long after the window
        assertEquals(4, onlyFlow().getPacketsFwd());
        assertEquals(0.0, duplicates("routed") + duplicates("same_hop"));
    }
}
