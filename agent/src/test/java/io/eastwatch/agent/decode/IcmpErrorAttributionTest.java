package io.eastwatch.agent.decode;

import static io.eastwatch.agent.decode.Frames.eth;
import static io.eastwatch.agent.decode.Frames.icmp;
import static io.eastwatch.agent.decode.Frames.ipv4;
import static io.eastwatch.agent.decode.Frames.ipv6;
import static io.eastwatch.agent.decode.Frames.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A ping sweep's echo requests answered by ICMP errors (host unreachable from the router,
 * address unreachable for ICMPv6): crafted frames through the decoder and the flow table, as a
 * capture would deliver them. Each error must land on the echo flow it quotes.
 */
class IcmpErrorAttributionTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PacketDecoder decoder = new PacketDecoder(registry);
    private final PacketMeta meta = new PacketMeta();
    private final List<FlowRecord> records = new ArrayList<>();
    private final FlowTable table = new FlowTable(FlowTableSettings.defaults(), new FlowSink() {
        @Override
        public void accept(FlowRecord.Builder flow) {
            records.add(flow.build());
        }
    }, id -> "eth0", registry);

    private void feed(long tsMicros, byte[] frame) {
        ByteBuffer buf = ByteBuffer.wrap(frame);
        assertEquals(DecodeResult.OK, decoder.decode(tsMicros, frame.length, buf, 0, frame.length, LinkType.EN10MB, 1, meta));
        table.onPacket(meta);
    }

    private static byte[] echo(int type, int id, int seq) {
        return icmp(type, 0, ((long) id << 16) | seq, zeros(56));
    }

    @Test
    void hostUnreachableForAPingSweepEndsEachEchoFlowAsIcmpUnreachable() throws Exception {
        String scanner = "10.1.0.5";
        long t = 1_700_000_000_000_000L;
        // Echo requests to three addresses; one answers, two are not there and the router says so.
        feed(t, eth(0x0800, ipv4(scanner, "10.2.0.7", 1, echo(8, 0x1c, 1))));
        feed(t + 10, eth(0x0800, ipv4(scanner, "10.2.0.8", 1, echo(8, 0x1c, 2))));
        feed(t + 20, eth(0x0800, ipv4(scanner, "10.2.0.9", 1, echo(8, 0x1c, 3))));
        feed(t + 300, eth(0x0800, ipv4("10.2.0.9", scanner, 1, echo(0, 0x1c, 3))));
        byte[] quoted7 = ipv4(scanner, "10.2.0.7", 1, echo(8, 0x1c, 1));
        byte[] quoted8 = ipv4(scanner, "10.2.0.8", 1, echo(8, 0x1c, 2));
        // The router quotes the IP header and the first 8 bytes of the request (RFC 792), or more.
        // (Here within a second; a router whose ARP for the address fails answers after about 3 s,
        // at the edge of the default 3 s unanswered timeout.)
        feed(t + 1_000_000, eth(0x0800, ipv4("10.1.0.1", scanner, 1, icmp(3, 1, 0, java.util.Arrays.copyOf(quoted7, 28)))));
        feed(t + 1_000_010, eth(0x0800, ipv4("10.1.0.1", scanner, 1, icmp(3, 1, 0, quoted8))));
        // ICMPv6: address unreachable quoting an echo request.
        feed(t + 1_000_020, eth(0x86DD, ipv6("fd00:1::5", "fd00:2::7", 58, icmp(128, 0, 0x00210001L, zeros(8)))));
        feed(t + 1_500_000, eth(0x86DD, ipv6("fd00:1::1", "fd00:1::5", 58, icmp(1, 3, 0,
                ipv6("fd00:1::5", "fd00:2::7", 58, icmp(128, 0, 0x00210001L, zeros(8)))))));
        table.flushAll();

        Map<String, FlowRecord> byDst = new TreeMap<>();
        for (FlowRecord r : records) {
            byDst.put(InetAddress.getByAddress(r.getDstAddr().toByteArray()).getHostAddress(), r);
        }
        assertEquals(4, byDst.size(), byDst.keySet().toString());
        for (String unreachable : List.of("10.2.0.7", "10.2.0.8")) {
            FlowRecord r = byDst.get(unreachable);
            assertEquals(Outcome.ICMP_UNREACHABLE, r.getOutcome(), unreachable);
            assertEquals(EndReason.END_ICMP, r.getEndReason(), unreachable);
            assertEquals(3, r.getIcmpErrorType());
            assertEquals(1, r.getIcmpErrorCode());
            assertEquals(1, r.getPacketsFwd());
            assertEquals(0, r.getPacketsRev());
            assertEquals(8, r.getIcmpType());
        }
        FlowRecord answered = byDst.get("10.2.0.9");
        assertEquals(Outcome.ESTABLISHED, answered.getOutcome());
        assertEquals(0, answered.getIcmpErrorType());
        FlowRecord v6 = byDst.get("fd00:2:0:0:0:0:0:7");
        assertEquals(Outcome.ICMP_UNREACHABLE, v6.getOutcome());
        assertEquals(1, v6.getIcmpErrorType());
        assertEquals(3, v6.getIcmpErrorCode());
        assertEquals(3.0, registry.get("eastwatch.agent.flow.icmp.errors").tag("match", "flow").counter().count());
        assertEquals(0.0, registry.get("eastwatch.agent.flow.icmp.errors").tag("match", "none").counter().count());
    }

    @Test
    void anErrorQuotingAnotherEchoIdentifierMatchesNothing() {
        long t = 1_700_000_000_000_000L;
        feed(t, eth(0x0800, ipv4("10.1.0.5", "10.2.0.7", 1, echo(8, 0x1c, 1))));
        feed(t + 1_000, eth(0x0800, ipv4("10.1.0.1", "10.1.0.5", 1, icmp(3, 1, 0,
                ipv4("10.1.0.5", "10.2.0.7", 1, echo(8, 0x1d, 1))))));
        table.flushAll();
        assertEquals(1, records.size());
        assertEquals(Outcome.UNANSWERED, records.get(0).getOutcome());
        assertEquals(1.0, registry.get("eastwatch.agent.flow.icmp.errors").tag("match", "none").counter().count());
    }
}
