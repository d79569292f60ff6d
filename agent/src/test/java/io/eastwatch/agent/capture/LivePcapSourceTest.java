package io.eastwatch.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live capture on real veths: two network namespaces on a bridge exchange ICMP, TCP and UDP
 * while {@link LivePcapSource} captures the host-side veths it discovers.
 */
class LivePcapSourceTest {

    private static final String SUBNET = "10.251.77";

    /** One captured packet, copied out of the ring for the assertions. */
    record Seen(long tsMicros, int wireLen, int capLen, int linkType, int ifindex, byte[] bytes) {
        int etherType() {
            return ((bytes[12] & 0xff) << 8) | (bytes[13] & 0xff);
        }

        boolean ipv4() {
            return capLen >= 34 && etherType() == 0x0800;
        }

        int protocol() {
            return bytes[23] & 0xff;
        }

        String src() {
            return (bytes[26] & 0xff) + "." + (bytes[27] & 0xff) + "." + (bytes[28] & 0xff) + "." + (bytes[29] & 0xff);
        }

        String dst() {
            return (bytes[30] & 0xff) + "." + (bytes[31] & 0xff) + "." + (bytes[32] & 0xff) + "." + (bytes[33] & 0xff);
        }

        int l4() {
            return 14 + (bytes[14] & 0x0f) * 4;
        }

        int dstPort() {
            return ((bytes[l4() + 2] & 0xff) << 8) | (bytes[l4() + 3] & 0xff);
        }

        int tcpFlags() {
            return bytes[l4() + 13] & 0xff;
        }

        int icmpType() {
            return bytes[l4()] & 0xff;
        }
    }

    private NetnsLab lab;
    private LivePcapSource source;
    private Thread runner;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicLong ticks = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        lab = new NetnsLab("ewt-live-", SUBNET);
        lab.addNamespace("a", 1);
        lab.addNamespace("b", 2);
        // A silent address: a neighbour entry lets the SYN leave, nobody answers it.
        lab.exec("a", "ip neigh add " + SUBNET + ".99 lladdr 02:00:00:00:00:99 dev eth0 nud permanent", 5_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (source != null) {
                source.close();
                runner.join(10_000);
                assertFalse(runner.isAlive(), "processing thread stopped");
            }
        } finally {
            lab.close();
        }
    }

    private void start(CaptureSettings settings) throws Exception {
        start(settings, new DiscoverySettings(List.of(), true,
                List.of("ewt-live-h*", "ewt-live-br"), List.of(), 200, Path.of("/sys/class/net")),
                List.of("ewt-live-ha", "ewt-live-hb", "ewt-live-br"));
    }

    private void start(CaptureSettings settings, DiscoverySettings discovery, List<String> expected) throws Exception {
        source = new LivePcapSource(settings, new InterfaceDiscovery(discovery), registry);
        source.setTicker(wallMicros -> ticks.incrementAndGet());
        runner = new Thread(() -> source.run((ts, wire, buf, off, cap, link, ifId) -> {
            byte[] copy = new byte[cap];
            buf.get(off, copy, 0, cap);
            seen.add(new Seen(ts, wire, cap, link, ifId, copy));
        }), "test-processing");
        runner.start();
        await(() -> source.capturing().keySet().containsAll(expected), 5_000, "captures open");
    }

    @Test
    void aBridgeCapturedAloneSeesTheFramesItForwardsBetweenContainers() throws Exception {
        // Without promiscuous mode on the bridge device the kernel hands the packet socket only frames
        // addressed to the host: a bridge-only configuration would see no container traffic at all.
        start(CaptureSettings.defaults().withTickIntervalMillis(50), new DiscoverySettings(List.of("ewt-live-br"), false,
                List.of(), List.of(), 200, Path.of("/sys/class/net")), List.of("ewt-live-br"));
        int bridge = ifindex("ewt-live-br");
        assertEquals(0, lab.exec("a", "ping -c 3 -i 0.2 -W 1 " + SUBNET + ".2", 10_000));
        await(() -> count(s -> s.ipv4() && s.protocol() == 1 && s.icmpType() == 0) >= 3, 3_000, "echo replies captured on the bridge");
        assertEquals(3, count(s -> s.ipv4() && s.protocol() == 1 && s.icmpType() == 8 && s.ifindex() == bridge),
                "each echo request once, on the bridge");
    }

    @Test
    void capturesIcmpTcpAndUdpOnHostSideVethsOnce() throws Exception {
        start(CaptureSettings.defaults().withTickIntervalMillis(50));
        int ifA = ifindex("ewt-live-ha");
        int ifB = ifindex("ewt-live-hb");
        long before = wallMicros();

        Process server = lab.spawn("b", "nc -l -k -p 8080 > /dev/null");
        try {
            await(() -> rc(lab, "b", "ss -ltn | grep -q ':8080 '") == 0, 5_000, "server listening");
            assertEquals(0, lab.exec("a", "ping -c 3 -i 0.2 -W 1 " + SUBNET + ".2", 10_000));
            assertEquals(0, lab.exec("a", "exec 3<>/dev/tcp/" + SUBNET + ".2/8080 && printf 'hello eastwatch' >&3 && exec 3>&-", 5_000));
            // A closed port answers with RST; a silent address never answers.
            assertTrue(lab.exec("a", "exec 3<>/dev/tcp/" + SUBNET + ".2/9", 5_000) != 0);
            assertTrue(lab.exec("a", "timeout 1 bash -c 'exec 3<>/dev/tcp/" + SUBNET + ".99/22'", 5_000) != 0);
            // UDP to a closed port: ICMP port unreachable comes back.
            assertEquals(0, lab.exec("a", "printf 'x' | nc -u -w 1 " + SUBNET + ".2 5353 || true", 5_000));
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
        await(() -> count(s -> s.ipv4() && s.protocol() == 1 && s.icmpType() == 3) >= 1, 3_000, "port unreachable captured");
        long after = wallMicros();

        // Every IPv4 packet between a and b was seen exactly on the sender's veth, in time.
        for (Seen s : seen) {
            if (!s.ipv4() || !s.src().startsWith(SUBNET + ".")) {
                continue;
            }
            assertTrue(s.tsMicros() >= before - 1_000 && s.tsMicros() <= after + 1_000, "timestamp within the test: " + s);
            assertEquals(Math.min(s.wireLen(), CaptureSettings.DEFAULT_SNAPLEN), s.capLen());
            assertEquals(TcpControlPeek.LINKTYPE_ETHERNET, s.linkType());
            int expectedIf = s.src().equals(SUBNET + ".1") ? ifA : ifB;
            assertEquals(expectedIf, s.ifindex(), "seen on the sender's veth only: " + s.src() + " -> " + s.dst());
        }
        // ICMP echo: 56 bytes of data + 8 ICMP + 20 IP + 14 Ethernet = 98 on the wire.
        List<Seen> requests = select(s -> s.ipv4() && s.protocol() == 1 && s.icmpType() == 8);
        List<Seen> replies = select(s -> s.ipv4() && s.protocol() == 1 && s.icmpType() == 0);
        assertEquals(3, requests.size(), "echo requests, once each");
        assertEquals(3, replies.size(), "echo replies, once each");
        requests.forEach(s -> assertEquals(98, s.wireLen()));
        for (int i = 1; i < requests.size(); i++) {
            long gap = requests.get(i).tsMicros() - requests.get(i - 1).tsMicros();
            assertTrue(gap > 150_000 && gap < 1_000_000, "ping interval of 0.2 s seen in capture timestamps: " + gap);
        }
        // TCP to the listener: handshake, 15 bytes of data in one segment, teardown.
        List<Seen> toServer = select(s -> s.ipv4() && s.protocol() == 6 && s.dstPort() == 8080);
        assertTrue(toServer.stream().anyMatch(s -> (s.tcpFlags() & 0x12) == 0x02), "SYN");
        assertTrue(toServer.stream().anyMatch(s -> (s.tcpFlags() & 0x01) != 0), "FIN");
        assertTrue(toServer.stream().anyMatch(s -> s.wireLen() == 14 + 20 + 32 + 15), "data segment of 15 bytes with timestamps option");
        assertEquals(1, count(s -> s.ipv4() && s.protocol() == 6 && s.dstPort() == 8080 && (s.tcpFlags() & 0x12) == 0x02));
        // Closed port: SYN from a, RST from b.
        assertTrue(count(s -> s.ipv4() && s.protocol() == 6 && s.dstPort() == 9 && s.tcpFlags() == 0x02) >= 1);
        assertTrue(count(s -> s.ipv4() && s.protocol() == 6 && s.src().equals(SUBNET + ".2")
                && (s.tcpFlags() & 0x04) != 0 && s.ifindex() == ifB) >= 1, "RST from the closed port");
        // Silent address: SYNs (with retransmissions) and nothing back.
        assertTrue(count(s -> s.ipv4() && s.dst().equals(SUBNET + ".99") && s.tcpFlags() == 0x02) >= 1);
        assertEquals(0, count(s -> s.ipv4() && s.src().equals(SUBNET + ".99")));
        // UDP to a closed port.
        assertTrue(count(s -> s.ipv4() && s.protocol() == 17 && s.dstPort() == 5353) >= 1);

        assertTrue(ticks.get() > 0, "idle ticks reported");
        assertEquals(0.0, registry.get("eastwatch.agent.capture.kernel.drops").functionCounter().count());
        assertTrue(registry.get("eastwatch.agent.capture.packets").functionCounter().count() >= 20);
        assertEquals(3.0, registry.get("eastwatch.agent.capture.interfaces").gauge().value());
    }

    @Test
    void followsInterfacesThatAppearAndDisappear() throws Exception {
        start(CaptureSettings.defaults());
        String vethC = lab.addNamespace("c", 3);
        await(() -> source.capturing().containsKey(vethC), 3_000, "new veth picked up");
        int ifC = ifindex(vethC);
        NetInterface c = source.capturing().get(vethC);
        assertEquals(NetInterface.Kind.VETH, c.kind());
        assertEquals("ewt-live-br", c.master());
        assertEquals(peerIfindexInNamespace("c"), c.peerIfindex(), "peer ifindex is eth0's index inside the namespace");
        assertEquals(c.peerIfindex(), source.discovery().peerIfindex(ifC));
        assertEquals(NetInterface.Kind.BRIDGE, source.capturing().get("ewt-live-br").kind());

        assertEquals(0, lab.exec("c", "ping -c 2 -i 0.2 -W 1 " + SUBNET + ".1", 5_000));
        await(() -> count(s -> s.ipv4() && s.protocol() == 1 && s.ifindex() == ifC) == 2, 3_000, "echo requests from c");
        assertEquals(vethC, source.interfaceName(ifC));

        lab.removeHostLink(vethC);
        await(() -> !source.capturing().containsKey(vethC), 3_000, "removed veth dropped");
        assertEquals(vethC, source.interfaceName(ifC), "a removed interface keeps its name for queued packets");
        // The others keep capturing.
        int before = seen.size();
        assertEquals(0, lab.exec("a", "ping -c 1 -W 1 " + SUBNET + ".2", 5_000));
        await(() -> seen.size() >= before + 2, 3_000, "capture continues after a removal");
        assertTrue(source.capturing().keySet().containsAll(List.of("ewt-live-ha", "ewt-live-hb")));

        // A link that goes down and up again is captured afterwards (the capture either survives or
        // is reopened by the next discovery poll).
        NetnsLab.sh("ip link set ewt-live-hb down");
        Thread.sleep(500);
        NetnsLab.sh("ip link set ewt-live-hb up");
        await(() -> source.capturing().containsKey("ewt-live-hb"), 5_000, "capture resumed after link up");
        int ifB = ifindex("ewt-live-hb");
        int beforeReply = seen.size();
        assertEquals(0, lab.exec("a", "ping -c 1 -W 2 " + SUBNET + ".2", 5_000));
        await(() -> select(s -> s.ipv4() && s.ifindex() == ifB).size() > 0 && seen.size() > beforeReply, 3_000,
                "replies captured on the reopened veth");
    }

    @Test
    void thePerPacketPathAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        AtomicLong counted = new AtomicLong();
        DiscoverySettings discovery = DiscoverySettings.only(List.of("ewt-live-ha"));
        source = new LivePcapSource(CaptureSettings.defaults(), new InterfaceDiscovery(discovery), registry);
        runner = new Thread(() -> source.run((ts, wire, buf, off, cap, link, ifId) -> counted.incrementAndGet()),
                "test-processing");
        runner.start();
        await(() -> source.capturing().containsKey("ewt-live-ha"), 5_000, "capture open");
        Thread capture = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("eastwatch-capture-ewt-live-ha")).findFirst().orElseThrow();

        assertEquals(0, lab.exec("a", "ping -f -c 2000 -W 1 " + SUBNET + ".2 > /dev/null", 20_000));
        await(() -> counted.get() >= 2000, 5_000, "warm-up packets");
        long captureBefore = threads.getThreadAllocatedBytes(capture.getId());
        long processingBefore = threads.getThreadAllocatedBytes(runner.getId());
        long packetsBefore = counted.get();
        assertEquals(0, lab.exec("a", "ping -f -c 20000 -W 1 " + SUBNET + ".2 > /dev/null", 60_000));
        await(() -> counted.get() >= packetsBefore + 20_000, 10_000, "flood packets");
        long captureBytes = threads.getThreadAllocatedBytes(capture.getId()) - captureBefore;
        long processingBytes = threads.getThreadAllocatedBytes(runner.getId()) - processingBefore;
        System.out.printf("allocated for 20,000 packets: capture thread %d bytes, processing thread %d bytes%n",
                captureBytes, processingBytes);
        // A single allocation per packet would be >= 16 bytes x 20,000; what remains is per-second work.
        assertTrue(captureBytes < 32_768, "capture thread allocated " + captureBytes + " bytes for 20,000 packets");
        assertTrue(processingBytes < 32_768, "processing thread allocated " + processingBytes + " bytes for 20,000 packets");
    }

    private int peerIfindexInNamespace(String name) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", lab.ns(name), "cat", "/sys/class/net/eth0/ifindex").start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Integer.parseInt(out);
    }

    private static int rc(NetnsLab lab, String ns, String cmd) {
        try {
            return lab.exec(ns, cmd, 5_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int ifindex(String name) throws Exception {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "ifindex")).trim());
    }

    private static long wallMicros() {
        return TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    }

    private List<Seen> select(Predicate<Seen> p) {
        List<Seen> out = new ArrayList<>();
        for (Seen s : seen) {
            if (p.test(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private long count(Predicate<Seen> p) {
        return select(p).size();
    }

    static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
