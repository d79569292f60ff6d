package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /proc resolver on a host layout the lab cannot show: a Kubernetes pod under containerd (a
 * sandbox and an app container sharing one network namespace), a CRI-O container, a host process
 * and a host-network container, laid out as /proc, /sys and the runtimes' state directories.
 */
class ProcContainerResolverTreeTest {
    private static final String SANDBOX = "a".repeat(64);
    private static final String APP = "b".repeat(64);
    private static final String CRIO = "c".repeat(64);
    private static final String HOSTNET = "d".repeat(64);

    @TempDir
    Path root;

    private Path proc() {
        return root.resolve("proc");
    }

    private void process(int pid, String cgroup, long netns, long startTicks, String fibTrie, String igmp, int ifindex, int iflink)
            throws IOException {
        Path d = Files.createDirectories(proc().resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("cgroup"), cgroup);
        Files.createDirectories(d.resolve("ns"));
        Files.createSymbolicLink(d.resolve("ns/net"), Path.of("net:[" + netns + "]"));
        Files.writeString(d.resolve("stat"), pid + " (some (proc) name) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
                + startTicks + " 0 0");
        if (fibTrie != null) {
            Files.createDirectories(d.resolve("net"));
            Files.writeString(d.resolve("net/fib_trie"), fibTrie);
            Files.writeString(d.resolve("net/igmp"), igmp);
            Path eth0 = Files.createDirectories(d.resolve("root/sys/class/net/eth0"));
            Files.writeString(eth0.resolve("ifindex"), ifindex + "\n");
            Files.writeString(eth0.resolve("iflink"), iflink + "\n");
        }
    }

    private static String fib(String ip) {
        return "Main:\n  +-- 0.0.0.0/0 3 0 5\n     +-- 10.244.1.0/24 2 0 2\n        |-- 10.244.1.0\n           /24 link UNICAST\n"
                + "        |-- " + ip + "\n           /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host LOCAL\n";
    }

    private static String igmp(int ifindex) {
        return "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n1\tlo        :     1      V3\n"
                + ifindex + "\teth0      :     1      V3\n";
    }

    private ProcContainerResolver layOut(SimpleMeterRegistry registry) throws IOException {
        Files.createDirectories(proc().resolve("self/ns"));
        Files.createSymbolicLink(proc().resolve("self/ns/net"), Path.of("net:[4026531833]"));
        Files.writeString(proc().resolve("stat"), "cpu 1 2 3\nbtime 1767225600\n");   // 2026-01-01T00:00:00Z
        String pod = "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-";
        process(100, pod + SANDBOX + ".scope\n", 4026532001L, 1000, fib("10.244.1.7"), igmp(3), 3, 41);
        process(120, pod + APP + ".scope\n", 4026532001L, 1200, fib("10.244.1.7"), igmp(3), 3, 41);
        process(121, pod + APP + ".scope\n", 4026532001L, 1300, null, null, 0, 0);
        process(200, "0::/kubepods.slice/kubepods-pod2.slice/crio-" + CRIO + ".scope\n", 4026532002L, 2000,
                fib("10.244.1.9"), igmp(5), 5, 42);
        process(300, "0::/system.slice/sshd.service\n", 4026531833L, 10, null, null, 0, 0);
        process(400, "0::/system.slice/docker-" + HOSTNET + ".scope\n", 4026531833L, 4000, null, null, 0, 0);

        Path sys = root.resolve("sys/class/net");
        for (String[] veth : new String[][] {{"cali41aa", "41"}, {"veth42bb", "42"}, {"eth0", "2"}}) {
            Files.createDirectories(sys.resolve(veth[0]));
            Files.writeString(sys.resolve(veth[0]).resolve("ifindex"), veth[1] + "\n");
        }
        Path containerd = root.resolve("run/containerd/io.containerd.runtime.v2.task/k8s.io");
        Files.createDirectories(containerd.resolve(SANDBOX));
        Files.writeString(containerd.resolve(SANDBOX).resolve("config.json"), Fixtures.text("runtime/containerd-k8s-sandbox-config.json"));
        Files.createDirectories(containerd.resolve(APP));
        Files.writeString(containerd.resolve(APP).resolve("config.json"), Fixtures.text("runtime/containerd-k8s-config.json"));
        Path crio = root.resolve("run/containers/storage/overlay-containers");
        Files.createDirectories(crio.resolve(CRIO).resolve("userdata"));
        Files.writeString(crio.resolve(CRIO).resolve("userdata/config.json"), Fixtures.text("runtime/crio-config.json"));

        var settings = new ProcResolverSettings(Duration.ofSeconds(1), proc(), sys, root.resolve("var/lib/docker/containers"),
                List.of(root.resolve("run/containerd/io.containerd.runtime.v2.task"), crio), "node-07", ResolverLimits.DEFAULTS);
        return new ProcContainerResolver(settings, registry);
    }

    @Test
    void attributesPodsAndCrioContainersAndSkipsTheHostNamespace() throws Exception {
        try (var proc = layOut(new SimpleMeterRegistry())) {
            proc.scan();
            long now = System.currentTimeMillis() * 1000;
            ContainerIdentity app = proc.lookup(Addresses.of("10.244.1.7"), now, null);
            assertEquals(APP, app.id(), "the pod's address goes to its app container, not the sandbox");
            assertEquals("cart-7d9f8b6c5d-x2x4q", app.name());
            assertEquals("shop/cart", app.workload());
            assertEquals("registry.local/shop/cart:2.3.1", app.image());
            assertEquals("node-07", app.endpoint().getHost());
            assertEquals(APP, proc.byInterface("cali41aa", now).id(), "host side of the pod's eth0 (iflink 41)");
            long started = 1767225600L * 1_000_000 + 1200L * 10_000;   // btime + start ticks / USER_HZ
            assertEquals(APP, proc.lookup(Addresses.of("10.244.1.7"), started + 1, null).id(), "owned from the process start");
            assertNull(proc.lookup(Addresses.of("10.244.1.7"), started - 3_000_000, null), "not before it");

            ContainerIdentity crio = proc.lookup(Addresses.of("10.244.1.9"), now, null);
            assertEquals("billing/payments", crio.workload());
            assertEquals(CRIO, proc.byInterface("veth42bb", now).id());
            assertTrue(proc.inContainerNetwork(Addresses.of("10.244.1.200")));
            assertEquals(3, proc.containersKnown(), "sandbox, app and CRI-O; the host-network container owns no address (its traffic is the host's)");

            // The CRI-O container stops: its address is released at the next scan.
            deleteTree(proc().resolve("200"));
            proc.scan();
            assertNull(proc.lookup(Addresses.of("10.244.1.9"), System.currentTimeMillis() * 1000 + 3_000_000, null));
            assertEquals(CRIO, proc.lookup(Addresses.of("10.244.1.9"), now, null).id(), "a flow from before the stop keeps it");
        }
    }

    @Test
    void anAddressNoResolverKnowsIsNamedByTheVethThatCarriedIt() throws Exception {
        var registry = new SimpleMeterRegistry();
        List<FlowRecord.Builder> out = new ArrayList<>();
        FlowSink sink = out::add;
        try (var proc = layOut(registry)) {
            proc.scan();
            long t = System.currentTimeMillis() * 1000;
            var enricher = new IdentityEnricher(new IdentityEnricherSettings(Duration.ofSeconds(1), 100, List.of(), "node-07"),
                    List.of(proc), new HostAddresses(List.of(), false, 1000), sink, registry);
            // From an address the pod added itself, captured on the pod's veth, to the CRI-O container.
            enricher.accept(flowOn("cali41aa", "10.244.1.77", "10.244.1.9", t));
            // To that address from the CRI-O container, captured on the CRI-O veth: the veth's own container is
            // the known side, so the unknown side stays unresolved.
            enricher.accept(flowOn("veth42bb", "10.244.1.9", "10.244.1.78", t));
            enricher.advance(t + 2_000_000);
            assertEquals(2, out.size());
            assertEquals(APP, out.get(0).getSrc().getContainerId());
            assertEquals(CRIO, out.get(0).getDst().getContainerId());
            assertEquals(EndpointKind.UNRESOLVED, out.get(1).getDst().getKind());
            assertEquals(1.0, registry.counter("eastwatch.agent.identity.endpoints.by.interface").count());
        }
    }

    private static FlowRecord.Builder flowOn(String iface, String src, String dst, long t) {
        return FlowRecord.newBuilder().setInterface(iface).setSrcAddr(Addresses.of(src)).setDstAddr(Addresses.of(dst))
                .setFirstTsUs(t).setLastTsUs(t).setProtocol(6).setDstPort(443);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
