package io.eastwatch.agent.flow;

import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowTableTest {

    static final FlowTableSettings SETTINGS = new FlowTableSettings(1000, Duration.ofSeconds(60),
            Duration.ofSeconds(120), Duration.ofSeconds(3), Duration.ofSeconds(1), 0.9, 0.7,
            Duration.ofSeconds(10), Duration.ofSeconds(1));

    /**
     * Packet sequences (times in ms; "advance MS" moves event time without a packet) and the
     * records the table must export, in order. Record form:
     * {@code src>dst pPROTO OUTCOME BASIS END_REASON REPORT fwd=packets/bytes rev=packets/bytes
     * flags=fwd/rev (TCP) icmp=type/code (ICMP) err=type/code (after an ICMP error)}.
     */
    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("handshake, data, FIN both ways, last ACK kept by the linger", """
                        0 tcp 10.0.0.1:40000 > 10.0.0.2:80 S 74
                        1 tcp 10.0.0.2:80 > 10.0.0.1:40000 SA 74
                        2 tcp 10.0.0.1:40000 > 10.0.0.2:80 A 66
                        3 tcp 10.0.0.1:40000 > 10.0.0.2:80 PA 166
                        4 tcp 10.0.0.2:80 > 10.0.0.1:40000 PA 566
                        5 tcp 10.0.0.1:40000 > 10.0.0.2:80 FA 66
                        6 tcp 10.0.0.2:80 > 10.0.0.1:40000 FA 66
                        7 tcp 10.0.0.1:40000 > 10.0.0.2:80 A 66
                        advance 1006
                        """, List.of()),
                Arguments.of("FIN flow exported once the linger has passed", """
                        0 tcp 10.0.0.1:40000 > 10.0.0.2:80 S 74
                        1 tcp 10.0.0.2:80 > 10.0.0.1:40000 SA 74
                        2 tcp 10.0.0.1:40000 > 10.0.0.2:80 A 66
                        3 tcp 10.0.0.1:40000 > 10.0.0.2:80 PA 166
                        4 tcp 10.0.0.2:80 > 10.0.0.1:40000 PA 566
                        5 tcp 10.0.0.1:40000 > 10.0.0.2:80 FA 66
                        6 tcp 10.0.0.2:80 > 10.0.0.1:40000 FA 66
                        7 tcp 10.0.0.1:40000 > 10.0.0.2:80 A 66
                        advance 1007
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.2:80 p6 ESTABLISHED SYN END_FIN FINAL fwd=5/438 rev=3/706 flags=1b/1b")),
                Arguments.of("SYN answered by RST: rejected", """
                        0 tcp 10.0.0.1:40001 > 10.0.0.2:81 S 74
                        1 tcp 10.0.0.2:81 > 10.0.0.1:40001 RA 60
                        advance 2000
                        """, List.of(
                        "10.0.0.1:40001>10.0.0.2:81 p6 REJECTED SYN END_RST FINAL fwd=1/74 rev=1/60 flags=02/14")),
                Arguments.of("SYN and its retransmission, never answered", """
                        0 tcp 10.0.0.1:40002 > 10.0.0.3:22 S 74
                        1000 tcp 10.0.0.1:40002 > 10.0.0.3:22 S 74
                        advance 3999
                        """, List.of()),
                Arguments.of("unanswered SYN exported at the unanswered timeout", """
                        0 tcp 10.0.0.1:40002 > 10.0.0.3:22 S 74
                        1000 tcp 10.0.0.1:40002 > 10.0.0.3:22 S 74
                        advance 4000
                        """, List.of(
                        "10.0.0.1:40002>10.0.0.3:22 p6 UNANSWERED SYN END_UNANSWERED_TIMEOUT FINAL fwd=2/148 rev=0/0 flags=02/00")),
                Arguments.of("half-open scan of an open port: SYN-ACK then the scanner's RST", """
                        0 tcp 10.0.0.1:40003 > 10.0.0.2:443 S 60
                        1 tcp 10.0.0.2:443 > 10.0.0.1:40003 SA 60
                        2 tcp 10.0.0.1:40003 > 10.0.0.2:443 R 54
                        advance 1002
                        """, List.of(
                        "10.0.0.1:40003>10.0.0.2:443 p6 ESTABLISHED SYN END_RST FINAL fwd=2/114 rev=1/60 flags=06/12")),
                Arguments.of("UDP request answered, idle timeout", """
                        0 udp 10.0.0.1:5353 > 10.0.0.53:53 80
                        1 udp 10.0.0.53:53 > 10.0.0.1:5353 120
                        advance 61001
                        """, List.of(
                        "10.0.0.1:5353>10.0.0.53:53 p17 ESTABLISHED FIRST_PACKET END_IDLE FINAL fwd=1/80 rev=1/120")),
                Arguments.of("UDP probe never answered", """
                        0 udp 10.0.0.1:40000 > 10.0.0.9:161 70
                        advance 3000
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.9:161 p17 UNANSWERED FIRST_PACKET END_UNANSWERED_TIMEOUT FINAL fwd=1/70 rev=0/0")),
                Arguments.of("ICMP echo pairs by identifier; another identifier is another flow", """
                        0 icmp 10.0.0.1 > 10.0.0.2 8/0 id=7 98
                        1 icmp 10.0.0.2 > 10.0.0.1 0/0 id=7 98
                        1000 icmp 10.0.0.1 > 10.0.0.2 8/0 id=7 98
                        1001 icmp 10.0.0.2 > 10.0.0.1 0/0 id=7 98
                        2000 icmp 10.0.0.1 > 10.0.0.2 8/0 id=8 98
                        advance 70000
                        """, List.of(
                        "10.0.0.1>10.0.0.2 p1 UNANSWERED FIRST_PACKET END_UNANSWERED_TIMEOUT FINAL fwd=1/98 rev=0/0 icmp=8/0",
                        "10.0.0.1>10.0.0.2 p1 ESTABLISHED FIRST_PACKET END_IDLE FINAL fwd=2/196 rev=2/196 icmp=8/0")),
                Arguments.of("ICMP port unreachable is attributed to the UDP flow it quotes", """
                        0 udp 10.0.0.1:40000 > 10.0.0.2:161 70
                        1 icmperr 10.0.0.2 > 10.0.0.1 3/3 quotes udp 10.0.0.1:40000 > 10.0.0.2:161 98
                        advance 1001
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.2:161 p17 ICMP_UNREACHABLE FIRST_PACKET END_ICMP FINAL fwd=1/70 rev=1/98 err=3/3")),
                Arguments.of("ICMP error quoting no known flow creates no flow", """
                        0 icmperr 10.0.0.2 > 10.0.0.1 3/1 quotes tcp 10.0.0.1:40000 > 10.0.0.7:80 70
                        advance 100000
                        """, List.of()),
                Arguments.of("TCP mid-stream: the ephemeral port is the client", """
                        0 tcp 10.0.0.2:5432 > 10.0.0.1:51000 PA 200
                        1 tcp 10.0.0.1:51000 > 10.0.0.2:5432 A 66
                        advance 62000
                        """, List.of(
                        "10.0.0.1:51000>10.0.0.2:5432 p6 MID_STREAM PORT_HEURISTIC END_IDLE FINAL fwd=1/66 rev=1/200 flags=10/18")),
                Arguments.of("TCP mid-stream between two ports of one class: first packet", """
                        0 tcp 10.0.0.1:40000 > 10.0.0.2:40001 A 66
                        advance 3000
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.2:40001 p6 MID_STREAM FIRST_PACKET END_UNANSWERED_TIMEOUT FINAL fwd=1/66 rev=0/0 flags=10/00")),
                Arguments.of("SYN-ACK without SYN (backscatter): the receiver initiated", """
                        0 tcp 10.0.0.2:80 > 10.9.9.9:1234 SA 60
                        advance 3000
                        """, List.of(
                        "10.9.9.9:1234>10.0.0.2:80 p6 MID_STREAM SYN END_UNANSWERED_TIMEOUT FINAL fwd=0/0 rev=1/60 flags=00/12")),
                Arguments.of("timestamps going backwards: clamped, no negative duration", """
                        10000 tcp 10.0.0.1:40000 > 10.0.0.2:80 S 74
                        9000 tcp 10.0.0.2:80 > 10.0.0.1:40000 SA 74
                        10100 tcp 10.0.0.1:40000 > 10.0.0.2:80 A 66
                        5000 tcp 10.0.0.1:40000 > 10.0.0.2:80 R 54
                        advance 11099
                        advance 11100
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.2:80 p6 ESTABLISHED SYN END_RST FINAL fwd=3/194 rev=1/74 flags=16/12")),
                Arguments.of("a new SYN on the ports of a closed connection starts a new flow", """
                        0 tcp 10.0.0.1:40000 > 10.0.0.2:80 S 74
                        1 tcp 10.0.0.2:80 > 10.0.0.1:40000 SA 74
                        2 tcp 10.0.0.1:40000 > 10.0.0.2:80 FA 66
                        3 tcp 10.0.0.2:80 > 10.0.0.1:40000 FA 66
                        100 tcp 10.0.0.1:40000 > 10.0.0.2:80 S 74
                        101 tcp 10.0.0.2:80 > 10.0.0.1:40000 RA 60
                        advance 5000
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.2:80 p6 ESTABLISHED SYN END_FIN FINAL fwd=2/140 rev=2/140 flags=13/13",
                        "10.0.0.1:40000>10.0.0.2:80 p6 REJECTED SYN END_RST FINAL fwd=1/74 rev=1/60 flags=02/14")),
                Arguments.of("non-first fragments go to the flow between the same addresses; strangers are counted", """
                        0 udp 10.0.0.1:40000 > 10.0.0.2:53 1514
                        0.1 frag udp 10.0.0.1 > 10.0.0.2 600
                        1 udp 10.0.0.2:53 > 10.0.0.1:40000 100
                        2 frag udp 10.0.0.7 > 10.0.0.8 600
                        3 arp
                        advance 62000
                        """, List.of(
                        "10.0.0.1:40000>10.0.0.2:53 p17 ESTABLISHED FIRST_PACKET END_IDLE FINAL fwd=2/2114 rev=1/100")),
                Arguments.of("IPv6 handshake and reset", """
                        0 tcp [fd00::1]:40000 > [fd00::2]:443 S 94
                        1 tcp [fd00::2]:443 > [fd00::1]:40000 SA 94
                        2 tcp [fd00::1]:40000 > [fd00::2]:443 RA 74
                        advance 1002
                        """, List.of(
                        "fd00:0:0:0:0:0:0:1:40000>fd00:0:0:0:0:0:0:2:443 p6 ESTABLISHED SYN END_RST FINAL fwd=2/168 rev=1/94 flags=16/12")),
                Arguments.of("ICMPv6 echo", """
                        0 icmp6 [fd00::1] > [fd00::2] 128/0 id=3 118
                        1 icmp6 [fd00::2] > [fd00::1] 129/0 id=3 118
                        advance 61001
                        """, List.of(
                        "fd00:0:0:0:0:0:0:1>fd00:0:0:0:0:0:0:2 p58 ESTABLISHED FIRST_PACKET END_IDLE FINAL fwd=1/118 rev=1/118 icmp=128/0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, String script, List<String> expected) {
        CollectingSink sink = new CollectingSink();
        FlowTable table = new FlowTable(SETTINGS, sink, id -> "eth" + id, new SimpleMeterRegistry());
        run(table, script);
        List<String> got = new ArrayList<>();
        for (FlowRecord r : sink.records) {
            got.add(summary(r));
            assertTrue(r.getLastTsUs() >= r.getFirstTsUs(), () -> "negative duration: " + r);
            assertTrue(r.getCommunityId().startsWith("1:") && r.getCommunityId().length() == 30, r::getCommunityId);
            assertEquals("eth0", r.getInterface());
        }
        assertEquals(expected, got, name);
        assertEquals(0, sink.watermarkRegressions, "watermark went back");
    }

    @Test
    void fragmentAndNonIpCountersAndTimestamps() {
        CollectingSink sink = new CollectingSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FlowTable table = new FlowTable(SETTINGS, sink, null, registry);
        run(table, """
                10000 udp 10.0.0.1:40000 > 10.0.0.2:53 1514
                10000.1 frag udp 10.0.0.1 > 10.0.0.2 600
                9000 udp 10.0.0.2:53 > 10.0.0.1:40000 100
                10002 frag udp 10.0.0.7 > 10.0.0.8 600
                10003 arp
                """);
        table.flushAll();
        assertEquals(1, sink.records.size());
        FlowRecord r = sink.records.get(0);
        assertEquals(EndReason.END_SHUTDOWN, r.getEndReason());
        assertEquals(9_000_000, r.getFirstTsUs());
        assertEquals(10_000_100, r.getLastTsUs());
        assertEquals(1, registry.get(FlowTableMetrics.IGNORED).tag("reason", "fragment_unattributed").counter().count());
        assertEquals(1, registry.get(FlowTableMetrics.IGNORED).tag("reason", "not_ip").counter().count());
        assertEquals(1, registry.get(FlowTableMetrics.EXPORTED).tag("reason", "shutdown").counter().count());
        assertEquals(0, table.size());
    }

    @Test
    void communityIdOfExportedFlowMatchesWireshark() {
        CollectingSink sink = new CollectingSink();
        FlowTable table = new FlowTable(SETTINGS, sink, null, new SimpleMeterRegistry());
        run(table, """
                0 tcp 192.168.0.254:3306 > 192.168.0.254:56162 PA 100
                1 tcp 192.168.0.254:56162 > 192.168.0.254:3306 A 66
                2 icmp 192.168.1.1 > 192.168.1.109 0/0 id=1 60
                """);
        table.flushAll();
        FlowRecord tcp = sink.records.stream().filter(r -> r.getProtocol() == 6).findFirst().orElseThrow();
        FlowRecord icmp = sink.records.stream().filter(r -> r.getProtocol() == 1).findFirst().orElseThrow();
        assertEquals("1:0HUQbshhYbATQXDHv/ysOs0DlZA=", tcp.getCommunityId());
        assertEquals(56162, tcp.getSrcPort());
        assertEquals("1:4hC28ZXiLNVQR1HXIONZN8Os4Y8=", icmp.getCommunityId());
    }

    @Test
    void fullTableEvictsUnansweredAttemptsFirstAndCountsThem() {
        CollectingSink sink = new CollectingSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FlowTable table = new FlowTable(SETTINGS.withMaxFlows(4), sink, null, registry);
        // One established flow, then six scan attempts into a table of four.
        run(table, """
                0 tcp 10.0.0.1:40000 > 10.0.0.2:80 S 74
                1 tcp 10.0.0.2:80 > 10.0.0.1:40000 SA 74
                2 tcp 10.0.0.1:40000 > 10.0.0.2:80 A 66
                10 tcp 10.6.6.6:50000 > 10.0.0.2:1 S 60
                11 tcp 10.6.6.6:50000 > 10.0.0.2:2 S 60
                12 tcp 10.6.6.6:50000 > 10.0.0.2:3 S 60
                13 tcp 10.6.6.6:50000 > 10.0.0.2:4 S 60
                14 tcp 10.6.6.6:50000 > 10.0.0.2:5 S 60
                15 tcp 10.6.6.6:50000 > 10.0.0.2:6 S 60
                """);
        assertEquals(4, table.size());
        assertEquals(3, sink.records.size());
        for (int i = 0; i < 3; i++) {
            FlowRecord r = sink.records.get(i);
            assertEquals(EndReason.END_EVICTED, r.getEndReason());
            assertEquals(i + 1, r.getDstPort(), "oldest attempt first");
            assertEquals(Outcome.UNANSWERED, r.getOutcome());
        }
        assertEquals(3, registry.get(FlowTableMetrics.EVICTED).counter().count());
        assertEquals(3, registry.get(FlowTableMetrics.EXPORTED).tag("reason", "evicted").counter().count());
        assertEquals(4, registry.get(FlowTableMetrics.SIZE).gauge().value());
        table.flushAll();
        assertEquals(80, sink.records.get(sink.records.size() - 1).getDstPort(), "the established flow survived");
    }

    @Test
    void longFlowSendsCumulativeInterimReports() {
        CollectingSink sink = new CollectingSink();
        FlowTable table = new FlowTable(SETTINGS, sink, null, new SimpleMeterRegistry());
        StringBuilder script = new StringBuilder("""
                0 tcp 10.0.0.1:40000 > 10.0.0.2:5432 S 74
                1 tcp 10.0.0.2:5432 > 10.0.0.1:40000 SA 74
                """);
        for (int t = 10_000; t <= 300_000; t += 10_000) {
            script.append(t).append(" tcp 10.0.0.1:40000 > 10.0.0.2:5432 PA 100\n");
        }
        script.append("300001 tcp 10.0.0.1:40000 > 10.0.0.2:5432 FA 66\n");
        script.append("300002 tcp 10.0.0.2:5432 > 10.0.0.1:40000 FA 66\n");
        script.append("advance 302000\n");
        run(table, script.toString());
        List<String> got = sink.records.stream().map(FlowTableTest::summary).toList();
        assertEquals(List.of(
                "10.0.0.1:40000>10.0.0.2:5432 p6 ESTABLISHED SYN END_ACTIVE INTERIM fwd=12/1174 rev=1/74 flags=1a/12",
                "10.0.0.1:40000>10.0.0.2:5432 p6 ESTABLISHED SYN END_ACTIVE INTERIM fwd=24/2374 rev=1/74 flags=1a/12",
                "10.0.0.1:40000>10.0.0.2:5432 p6 ESTABLISHED SYN END_FIN FINAL fwd=32/3140 rev=2/140 flags=1b/13"), got);
        assertEquals(ReportKind.INTERIM, sink.records.get(0).getReport());
        assertEquals(0, sink.records.get(0).getFirstTsUs());
        assertEquals(110_000_000, sink.records.get(0).getLastTsUs(), "the packet at 120 s comes after the report");
    }

    @Test
    void emergencyModeShortensTimeoutsUntilBelowLowWater() {
        CollectingSink sink = new CollectingSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FlowTableSettings settings = new FlowTableSettings(10, Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(3), Duration.ofSeconds(1), 0.5, 0.2, Duration.ofSeconds(10), Duration.ofSeconds(1));
        FlowTable table = new FlowTable(settings, sink, null, registry);
        StringBuilder script = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            script.append(i).append(" udp 10.6.6.6:50000 > 10.0.0.").append(i).append(":161 70\n");
        }
        run(table, script.toString());
        assertTrue(table.emergency());
        assertEquals(1, registry.get(FlowTableMetrics.EMERGENCY).gauge().value());
        assertEquals(1, registry.get(FlowTableMetrics.EMERGENCY_ENTERED).counter().count());
        table.advance(1_004_000); // 1 s after the first four: the emergency unanswered timeout, not the 3 s one
        assertEquals(4, sink.records.size());
        assertTrue(sink.records.stream().allMatch(r -> r.getEndReason() == EndReason.END_UNANSWERED_TIMEOUT));
        assertEquals(1, table.size());
        assertTrue(!table.emergency());
        assertEquals(0, registry.get(FlowTableMetrics.EMERGENCY).gauge().value());
        // Back to normal: the last flow waits the normal 3 s.
        table.advance(2_005_000);
        assertEquals(1, table.size());
        table.advance(3_005_000);
        assertEquals(0, table.size());
    }

    @Test
    void settingsRejectBadValuesByName() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SETTINGS.withMaxFlows(0));
        assertEquals("maxFlows: 0 (expected: 1.." + FlowTableSettings.MAX_FLOWS_LIMIT + ")", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FlowTableSettings(10, Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ZERO,
                        Duration.ofSeconds(1), 0.9, 0.7, Duration.ofSeconds(10), Duration.ofSeconds(1)));
        assertEquals("unansweredTimeout: PT0S (expected: > 0)", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FlowTableSettings(10, Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(3),
                        Duration.ofSeconds(1), 0.5, 0.7, Duration.ofSeconds(10), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("emergencyLowWater: 0.7"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FlowTableSettings(10, Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(3),
                        Duration.ofSeconds(1), 0.9, 0.7, Duration.ofSeconds(61), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("emergencyIdleTimeout: PT1M1S"), e.getMessage());
    }

    // ---- helpers

    static void run(FlowTable table, String script) {
        for (String line : script.strip().split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("advance ")) {
                table.advance(Long.parseLong(l.substring("advance ".length())) * 1000);
            } else {
                PacketMeta m = Packets.parse(l);
                table.onPacket(m);
            }
        }
    }

    static String summary(FlowRecord r) {
        boolean icmp = r.getProtocol() == 1 || r.getProtocol() == 58;
        StringBuilder s = new StringBuilder();
        s.append(addr(r.getSrcAddr().toByteArray()));
        if (!icmp) {
            s.append(':').append(r.getSrcPort());
        }
        s.append('>').append(addr(r.getDstAddr().toByteArray()));
        if (!icmp) {
            s.append(':').append(r.getDstPort());
        }
        s.append(" p").append(r.getProtocol())
                .append(' ').append(r.getOutcome())
                .append(' ').append(r.getInitiatorBasis())
                .append(' ').append(r.getEndReason())
                .append(' ').append(r.getReport())
                .append(" fwd=").append(r.getPacketsFwd()).append('/').append(r.getBytesFwd())
                .append(" rev=").append(r.getPacketsRev()).append('/').append(r.getBytesRev());
        if (r.getProtocol() == 6) {
            s.append(String.format(" flags=%02x/%02x", r.getTcpFlagsFwd(), r.getTcpFlagsRev()));
        }
        if (icmp) {
            s.append(" icmp=").append(r.getIcmpType()).append('/').append(r.getIcmpCode());
        }
        if (r.getIcmpErrorType() != 0) {
            s.append(" err=").append(r.getIcmpErrorType()).append('/').append(r.getIcmpErrorCode());
        }
        return s.toString();
    }

    private static String addr(byte[] b) {
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + b.length + " bytes", e);
        }
    }
}
