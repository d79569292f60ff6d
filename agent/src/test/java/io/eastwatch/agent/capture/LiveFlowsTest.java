package io.eastwatch.agent.capture;

import static io.eastwatch.agent.capture.LivePcapSourceTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * End to end on real veths: live capture, decoder and flow table, with the idle ticker driving
 * expiry. Each kind of exchange must come out as one flow with the right outcome.
 */
class LiveFlowsTest {

    private static final String SUBNET = "10.251.78";

    @Test
    void exportsFlowsWithTheirOutcomes() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<FlowRecord> flows = new CopyOnWriteArrayList<>();
        FlowSink sink = flow -> flows.add(flow.build());
        FlowTableSettings tableSettings = new FlowTableSettings(4096, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(2), Duration.ofMillis(300), 0.9, 0.7, Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (NetnsLab lab = new NetnsLab("ewt-live-", SUBNET)) {
            lab.addNamespace("a", 1);
            lab.addNamespace("b", 2);
            lab.exec("a", "ip neigh add " + SUBNET + ".99 lladdr 02:00:00:00:00:99 dev eth0 nud permanent", 5_000);

            DiscoverySettings discovery = new DiscoverySettings(List.of(), true, List.of("ewt-live-h*", "ewt-live-br"),
                    List.of(), 200, Path.of("/sys/class/net"));
            LivePcapSource source = new LivePcapSource(CaptureSettings.defaults().withTickIntervalMillis(100),
                    new InterfaceDiscovery(discovery), registry);
            FlowTable table = new FlowTable(tableSettings, sink, source::interfaceName, registry);
            Thread runner = LiveFlowPipeline.start(source, table, registry, () -> { }, "test-processing");
            try {
                await(() -> source.capturing().keySet().containsAll(List.of("ewt-live-ha", "ewt-live-hb")), 5_000, "captures open");

                Process server = lab.spawn("b", "nc -l -k -p 8080 > /dev/null");
                try {
                    await(() -> {
                        try {
                            return lab.exec("b", "ss -ltn | grep -q ':8080 '", 5_000) == 0;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, 5_000, "server listening");
                    assertEquals(0, lab.exec("a", "ping -c 3 -i 0.2 -W 1 " + SUBNET + ".2", 10_000));
                    assertEquals(0, lab.exec("a", "exec 3<>/dev/tcp/" + SUBNET + ".2/8080 && printf 'hello eastwatch' >&3 && exec 3>&-", 5_000));
                    assertTrue(lab.exec("a", "exec 3<>/dev/tcp/" + SUBNET + ".2/9", 5_000) != 0);
                    assertTrue(lab.exec("a", "timeout 1 bash -c 'exec 3<>/dev/tcp/" + SUBNET + ".99/22'", 5_000) != 0);
                    assertEquals(0, lab.exec("a", "printf 'x' | nc -u -w 1 " + SUBNET + ".2 5353 || true", 5_000));
                } finally {
                    server.destroy();
                    server.waitFor(5, TimeUnit.SECONDS);
                }
                // Nothing more is sent: only the idle ticker can expire the unanswered attempt.
                try {
                    await(() -> find(flows, 6, SUBNET + ".99", 22).isPresent(), 8_000, "unanswered SYN exported by the idle ticker");
                    await(() -> find(flows, 17, SUBNET + ".2", 5353).isPresent()
                            && find(flows, 6, SUBNET + ".2", 9).isPresent()
                            && find(flows, 6, SUBNET + ".2", 8080).isPresent()
                            && find(flows, 1, SUBNET + ".2", -1).isPresent(), 8_000, "all flows exported");
                } catch (AssertionError e) {
                    StringBuilder all = new StringBuilder(e.getMessage()).append("; exported:");
                    flows.forEach(f -> all.append("\n  ").append(describe(f)));
                    throw new AssertionError(all.toString(), e);
                }
            } finally {
                source.close();
                runner.join(10_000);
                assertFalse(runner.isAlive());
            }

            FlowRecord tcp = find(flows, 6, SUBNET + ".2", 8080).orElseThrow();
            assertEquals(Outcome.ESTABLISHED, tcp.getOutcome());
            assertEquals(EndReason.END_FIN, tcp.getEndReason());
            assertEquals(SUBNET + ".1", ip(tcp.getSrcAddr().toByteArray()));
            assertTrue(tcp.getPacketsFwd() >= 4 && tcp.getPacketsRev() >= 2, tcp.toString());
            assertEquals(0x1b, tcp.getTcpFlagsFwd() & 0x1b, "SYN, FIN, PSH and ACK from the client");
            assertEquals("ewt-live-ha", tcp.getInterface());

            FlowRecord rejected = find(flows, 6, SUBNET + ".2", 9).orElseThrow();
            assertEquals(Outcome.REJECTED, rejected.getOutcome());
            assertEquals(1, rejected.getPacketsRev());

            FlowRecord silent = find(flows, 6, SUBNET + ".99", 22).orElseThrow();
            assertEquals(Outcome.UNANSWERED, silent.getOutcome());
            assertEquals(EndReason.END_UNANSWERED_TIMEOUT, silent.getEndReason());
            assertEquals(0, silent.getPacketsRev());
            assertTrue(silent.getPacketsFwd() >= 1);

            FlowRecord udp = find(flows, 17, SUBNET + ".2", 5353).orElseThrow();
            assertEquals(Outcome.ICMP_UNREACHABLE, udp.getOutcome());
            assertEquals(3, udp.getIcmpErrorType());
            assertEquals(3, udp.getIcmpErrorCode());

            FlowRecord ping = find(flows, 1, SUBNET + ".2", -1).orElseThrow();
            assertEquals(Outcome.ESTABLISHED, ping.getOutcome());
            assertEquals(3, ping.getPacketsFwd());
            assertEquals(3, ping.getPacketsRev());
            assertEquals(3 * 98, ping.getBytesFwd(), "wire lengths, not captured lengths");

            // Each exchange is one flow: the receiver's veth did not count the packets again.
            assertEquals(1, flows.stream().filter(f -> f.getReport() == ReportKind.FINAL && f.getProtocol() == 6
                    && f.getDstPort() == 8080).count());
        }
    }

    private static Optional<FlowRecord> find(List<FlowRecord> flows, int protocol, String dst, int dstPort) {
        return flows.stream()
                .filter(f -> f.getReport() == ReportKind.FINAL && f.getProtocol() == protocol)
                .filter(f -> ip(f.getDstAddr().toByteArray()).equals(dst))
                .filter(f -> dstPort < 0 || f.getDstPort() == dstPort)
                .findFirst();
    }

    private static String describe(FlowRecord f) {
        return f.getProtocol() + " " + ip(f.getSrcAddr().toByteArray()) + ":" + f.getSrcPort()
                + " -> " + ip(f.getDstAddr().toByteArray()) + ":" + f.getDstPort() + " " + f.getOutcome() + " " + f.getEndReason()
                + " " + f.getReport() + " fwd " + f.getPacketsFwd() + "/" + f.getBytesFwd() + " rev " + f.getPacketsRev()
                + " flags " + f.getTcpFlagsFwd() + "/" + f.getTcpFlagsRev() + " " + f.getInterface();
    }

    private static String ip(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "invalid:" + address.length;
        }
    }
}
