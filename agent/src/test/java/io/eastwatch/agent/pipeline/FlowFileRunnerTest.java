package io.eastwatch.agent.pipeline;

import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real captures through reader, decoder and flow table: outcomes scans must show. */
class FlowFileRunnerTest {

    static List<FlowRecord> flows(String relative) throws IOException {
        return flows(SharedCaptures.root().resolve(relative), FlowTableSettings.defaults());
    }

    static List<FlowRecord> flows(Path file, FlowTableSettings settings) throws IOException {
        List<FlowRecord> out = new ArrayList<>();
        FlowSink sink = f -> out.add(f.build());
        new FlowFileRunner(settings, PacketDecoder.Settings.defaults(), sink, new SimpleMeterRegistry()).run(file);
        return out;
    }

    static String ip(FlowRecord r, boolean src) {
        try {
            return InetAddress.getByAddress((src ? r.getSrcAddr() : r.getDstAddr()).toByteArray()).getHostAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void udpScanAnsweredByPortUnreachableYieldsIcmpUnreachableUdpFlowsAndNoIcmpFlows() throws IOException {
        List<FlowRecord> flows = flows("scans/nmap_sU_2hosts_150ports_attacker.pcap");
        List<FlowRecord> unreachable = flows.stream().filter(r -> r.getOutcome() == Outcome.ICMP_UNREACHABLE).toList();
        assertTrue(unreachable.size() >= 150, "unreachable flows: " + unreachable.size());
        for (FlowRecord r : unreachable) {
            assertEquals(17, r.getProtocol());
            assertEquals("192.168.56.101", ip(r, true));
            assertEquals(3, r.getIcmpErrorType());
            assertEquals(3, r.getIcmpErrorCode());
            assertEquals(EndReason.END_ICMP, r.getEndReason());
        }
        assertEquals(0, flows.stream().filter(r -> r.getProtocol() == 1 && r.getIcmpType() == 3).count(),
                "an ICMP error must not become a flow of its own");
    }

    @Test
    void pingSweepIsUnansweredEchoToEveryAddress() throws IOException {
        List<FlowRecord> flows = flows("scans/icmp_ping_sweep_24.pcap");
        List<FlowRecord> echo = flows.stream().filter(r -> r.getProtocol() == 1).toList();
        assertEquals(256, echo.stream().map(r -> ip(r, false)).distinct().count());
        assertTrue(echo.stream().allMatch(r -> r.getOutcome() == Outcome.UNANSWERED && r.getIcmpType() == 8
                && ip(r, true).equals("10.0.0.128")));
    }

    @Test
    void pingSweepWithRepliesPairsRequestAndReply() throws IOException {
        List<FlowRecord> flows = flows("scans/nmap_sn_ping_sweep_with_replies.pcap");
        long answered = flows.stream().filter(r -> r.getProtocol() == 1 && r.getOutcome() == Outcome.ESTABLISHED
                && r.getPacketsRev() > 0 && ip(r, true).equals("192.168.1.109")).count();
        assertTrue(answered >= 10, "answered echo flows: " + answered);
    }

    @Test
    void smallVerticalScanIsTenAttemptsFromTheScanner() throws IOException {
        List<FlowRecord> tcp = flows("scans/port_scan_10ports.pcap").stream().filter(r -> r.getProtocol() == 6).toList();
        assertEquals(10, tcp.size());
        assertEquals(Set.of("192.168.2.154"), tcp.stream().map(r -> ip(r, true)).collect(Collectors.toSet()));
        assertEquals(Set.of("192.168.2.22"), tcp.stream().map(r -> ip(r, false)).collect(Collectors.toSet()));
        assertEquals(10, tcp.stream().map(FlowRecord::getDstPort).distinct().count());
    }

    @Test
    void connectScanShowsRejectedAndEstablishedAttempts() throws IOException {
        Map<Outcome, Long> outcomes = flows("scans/nmap_sT_connect_1000ports.pcap").stream()
                .filter(r -> r.getProtocol() == 6 && ip(r, true).equals("192.168.56.103"))
                .collect(Collectors.groupingBy(FlowRecord::getOutcome, Collectors.counting()));
        assertTrue(outcomes.getOrDefault(Outcome.REJECTED, 0L) >= 900, outcomes.toString());
        assertTrue(outcomes.getOrDefault(Outcome.ESTABLISHED, 0L) >= 1, outcomes.toString());
    }

    @Test
    void bruteForceSessionsAreSynInitiatedByTheAttacker() throws IOException {
        List<FlowRecord> ssh = flows("scans/bruteforce_ssh_hydra_4tasks.pcap").stream()
                .filter(r -> r.getProtocol() == 6 && r.getDstPort() == 22).toList();
        assertEquals(243, ssh.size());
        assertTrue(ssh.stream().allMatch(r -> ip(r, true).equals("240.0.1.3")
                && r.getInitiatorBasis() == InitiatorBasis.SYN && r.getOutcome() == Outcome.ESTABLISHED));
    }

    @Test
    void replayingTheSameFileGivesTheSameFlows() throws IOException {
        Path file = SharedCaptures.root().resolve("scans/nmap_sT_connect_2hosts_5000ports_attacker.pcap");
        List<FlowRecord> first = flows(file, FlowTableSettings.defaults());
        List<FlowRecord> second = flows(file, FlowTableSettings.defaults());
        assertTrue(first.size() > 5000);
        assertEquals(first, second);
    }

    @Test
    void everySharedCaptureRunsThroughWithoutException() throws IOException {
        Path root = SharedCaptures.root();
        List<Path> files;
        try (Stream<Path> s = Stream.of("benign", "scans", "edge").flatMap(d -> list(root.resolve(d)))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(files.size() > 100, "captures: " + files.size());
        // A tiny table: every file also exercises eviction and emergency mode.
        FlowTableSettings tiny = FlowTableSettings.defaults().withMaxFlows(64);
        for (Path f : files) {
            for (FlowRecord r : flows(f, tiny)) {
                assertTrue(r.getLastTsUs() >= r.getFirstTsUs(), () -> f + ": " + r);
                assertTrue(r.getCommunityId().startsWith("1:"), () -> f + ": " + r);
            }
        }
    }

    private static Stream<Path> list(Path dir) {
        try {
            return Files.list(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }
}
