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
 * Two bridges joined by a router namespace (ip_forward on inside it only), a client on one and a
 * server on the other, every host-side veth captured as auto-discovery does: a packet from the
 * client is captured on the client's veth and again, one TTL lower, on the router's veth into the
 * second bridge. Each flow must count each packet once. A ping to an address on the second
 * bridge that nobody has makes the router answer host unreachable: that ends the echo flow as
 * ICMP_UNREACHABLE.
 */
class RoutedDuplicateLiveTest {

    private static final String P = "ewt-ap-";
    private static final String NET1 = "10.251.91";
    private static final String NET2 = "10.251.92";

    @Test
    void aRoutedPacketIsCountedOnceAndHostUnreachableEndsTheEchoFlow() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<FlowRecord> flows = new CopyOnWriteArrayList<>();
        FlowSink sink = flow -> flows.add(flow.build());
        FlowTableSettings tableSettings = new FlowTableSettings(4096, Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofSeconds(3), Duration.ofMillis(300), 0.9, 0.7, Duration.ofSeconds(2), Duration.ofSeconds(1));
        cleanUp();
        try {
            NetnsLab.sh("ip link add " + P + "br1 type bridge && ip link set " + P + "br1 up");
            NetnsLab.sh("ip link add " + P + "br2 type bridge && ip link set " + P + "br2 up");
            attach("a", "eth0", "ha", "br1", NET1 + ".2/24");
            attach("r", "eth1", "hr1", "br1", NET1 + ".1/24");
            attach("r", "eth2", "hr2", "br2", NET2 + ".1/24");
            attach("b", "eth0", "hb", "br2", NET2 + ".2/24");
            NetnsLab.sh("ip netns exec " + P + "r sysctl -qw net.ipv4.ip_forward=1");
            NetnsLab.sh("ip netns exec " + P + "a ip route add default via " + NET1 + ".1");
            NetnsLab.sh("ip netns exec " + P + "b ip route add default via " + NET2 + ".1");

            DiscoverySettings discovery = new DiscoverySettings(List.of(), true, List.of(P + "h*", P + "br*"),
                    List.of(), 200, Path.of("/sys/class/net"));
            LivePcapSource source = new LivePcapSource(CaptureSettings.defaults().withTickIntervalMillis(100),
                    new InterfaceDiscovery(discovery), registry);
            FlowTable table = new FlowTable(tableSettings, sink, source::interfaceName, registry);
            Thread runner = LiveFlowPipeline.start(source, table, registry, () -> { }, "test-processing");
            try {
                await(() -> source.capturing().keySet().containsAll(List.of(P + "ha", P + "hr1", P + "hr2", P + "hb")),
                        5_000, "captures open");
                Process server = spawn("b", "nc -l -k -p 8080 > /dev/null");
                try {
                    await(() -> exec("b", "ss -ltn | grep -q ':8080 '") == 0, 5_000, "server listening");
                    assertEquals(0, exec("a", "ping -c 3 -i 0.2 -W 1 " + NET2 + ".2"));
                    assertEquals(0, exec("a", "exec 3<>/dev/tcp/" + NET2 + ".2/8080 && printf 'through the router' >&3 && exec 3>&-"));
                    // Nobody has .77: the router's ARP fails and it answers host unreachable (after ~3 s).
                    assertTrue(exec("a", "ping -c 4 -i 0.5 -W 5 " + NET2 + ".77") != 0);
                } finally {
                    server.destroy();
                    server.waitFor(5, TimeUnit.SECONDS);
                }
                try {
                    await(() -> find(flows, 1, NET2 + ".2", -1).isPresent() && find(flows, 6, NET2 + ".2", 8080).isPresent()
                            && find(flows, 1, NET2 + ".77", -1).isPresent(), 10_000, "flows exported");
                } catch (AssertionError e) {
                    StringBuilder all = new StringBuilder(e.getMessage()).append("; exported:");
                    flows.forEach(f -> all.append("\n  ").append(f.toString().replace('\n', ' ')));
                    throw new AssertionError(all.toString(), e);
                }
            } finally {
                source.close();
                runner.join(10_000);
                assertFalse(runner.isAlive());
            }

            FlowRecord ping = find(flows, 1, NET2 + ".2", -1).orElseThrow();
            assertEquals(Outcome.ESTABLISHED, ping.getOutcome());
            assertEquals(3, ping.getPacketsFwd(), "each request once, not once per hop: " + ping);
            assertEquals(3, ping.getPacketsRev(), "each reply once, not once per hop: " + ping);
            assertEquals(P + "ha", ping.getInterface(), "counted where the sender sent it");

            FlowRecord tcp = find(flows, 6, NET2 + ".2", 8080).orElseThrow();
            assertEquals(Outcome.ESTABLISHED, tcp.getOutcome());
            assertEquals(P + "ha", tcp.getInterface());
            double routed = registry.get("eastwatch.agent.flow.packets.duplicate").tag("path", "routed").counter().count();
            // Every packet of the ping and the connection crossed the router once: half of what
            // the captures saw of them was a routed copy.
            long counted = ping.getPacketsFwd() + ping.getPacketsRev() + tcp.getPacketsFwd() + tcp.getPacketsRev();
            assertTrue(routed >= counted, "routed copies " + routed + " for " + counted + " counted packets");
            assertEquals(1, flows.stream().filter(f -> f.getReport() == ReportKind.FINAL && f.getProtocol() == 6
                    && f.getDstPort() == 8080).count());

            FlowRecord unreachable = find(flows, 1, NET2 + ".77", -1).orElseThrow();
            assertEquals(Outcome.ICMP_UNREACHABLE, unreachable.getOutcome(), unreachable.toString());
            assertEquals(EndReason.END_ICMP, unreachable.getEndReason());
            assertEquals(3, unreachable.getIcmpErrorType());
            assertEquals(1, unreachable.getIcmpErrorCode(), "host unreachable");
            assertEquals(0, unreachable.getPacketsRev());
        } finally {
            cleanUp();
        }
    }

    private static void attach(String ns, String inside, String host, String bridge, String cidr) throws Exception {
        String name = P + ns;
        if (NetnsLab.run(List.of("ip", "netns", "exec", name, "true"), 5_000) != 0) {
            NetnsLab.sh("ip netns add " + name + " && ip netns exec " + name + " ip link set lo up");
        }
        NetnsLab.sh("ip link add " + P + host + " type veth peer name " + inside + " netns " + name);
        NetnsLab.sh("ip link set " + P + host + " master " + P + bridge + " && ip link set " + P + host + " up");
        NetnsLab.sh("ip netns exec " + name + " ip addr add " + cidr + " dev " + inside
                + " && ip netns exec " + name + " ip link set " + inside + " up");
    }

    private static int exec(String ns, String command) {
        try {
            return NetnsLab.run(List.of("ip", "netns", "exec", P + ns, "bash", "-c", command), 15_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Process spawn(String ns, String command) throws Exception {
        return new ProcessBuilder("ip", "netns", "exec", P + ns, "bash", "-c", command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Deletes this test's namespaces and links (and leftovers of a killed run): only ewt-ap- names. */
    private static void cleanUp() throws Exception {
        NetnsLab.run(List.of("bash", "-c", "for n in a r b; do ip netns del " + P + "$n 2>/dev/null; done;"
                + " for l in ha hr1 hr2 hb br1 br2; do ip link del " + P + "$l 2>/dev/null; done; true"), 20_000);
    }

    private static Optional<FlowRecord> find(List<FlowRecord> flows, int protocol, String dst, int dstPort) {
        return flows.stream()
                .filter(f -> f.getReport() == ReportKind.FINAL && f.getProtocol() == protocol)
                .filter(f -> ip(f.getDstAddr().toByteArray()).equals(dst))
                .filter(f -> dstPort < 0 || f.getDstPort() == dstPort)
                .findFirst();
    }

    private static String ip(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "invalid:" + address.length;
        }
    }
}
