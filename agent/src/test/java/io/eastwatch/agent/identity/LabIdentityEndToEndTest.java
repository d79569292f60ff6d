package io.eastwatch.agent.identity;

import io.eastwatch.testkit.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.agent.capture.CaptureSettings;
import io.eastwatch.agent.capture.DiscoverySettings;
import io.eastwatch.agent.capture.InterfaceDiscovery;
import io.eastwatch.agent.capture.LiveFlowPipeline;
import io.eastwatch.agent.capture.LivePcapSource;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTable;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.ReportKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole agent path on the lab's real containers: live capture on br-lab and the containers'
 * veths, decoder, flow table, identity enricher with the Docker resolver. Lab clients call lab web
 * and db replicas, a client started during the capture calls a web replica at once, and a
 * container talks from an address it added itself (unknown to Docker: only its veth names it).
 * Every flow between containers must name both containers and their workloads.
 */
class LabIdentityEndToEndTest {
    private static final String PREFIX = "ewt-e2e-";
    private static final String SECONDARY = "172.30.9.200";

    @BeforeAll
    static void lab() {
        Lab.ensureUp();
        Lab.removeByPrefix(PREFIX);
    }

    @AfterAll
    static void cleanUp() {
        Lab.removeByPrefix(PREFIX);
    }

    @Test
    void everyFlowOnTheLabBridgeNamesItsContainersAndWorkloads() throws Exception {
        var registry = new SimpleMeterRegistry();
        List<FlowRecord> flows = new CopyOnWriteArrayList<>();
        FlowSink collect = f -> flows.add(f.build());
        Map<String, Lab.Row> truthByIp = new HashMap<>();
        Map<String, Lab.Row> truthByVeth = new HashMap<>();
        for (Lab.Row row : Lab.procmap()) {
            row.ips().forEach(ip -> truthByIp.put(ip, row));
            truthByVeth.put(row.hostVeth(), row);
        }
        Lab.Row web = Lab.procmap().stream().filter(r -> r.name().startsWith("lab-web-")).findFirst().orElseThrow();
        List<Lab.Row> clients = Lab.procmap().stream().filter(r -> r.name().startsWith("lab-client-")).toList();
        assertFalse(clients.isEmpty());

        try (var docker = new DockerContainerResolver(DockerResolverSettings.defaults("lab-host"), registry)) {
            docker.start();
            docker.firstSync().get(20, TimeUnit.SECONDS);
            var enricher = new IdentityEnricher(new IdentityEnricherSettings(Duration.ofSeconds(3), 10_000, List.of(), "lab-host"),
                    List.of(docker), new HostAddresses(List.of(), true, 1000), collect, registry);
            var discovery = new DiscoverySettings(List.of("br-lab"), true, List.of("veth*"), List.of(), 200,
                    Path.of("/sys/class/net"));
            var source = new LivePcapSource(CaptureSettings.defaults().withTickIntervalMillis(100),
                    new InterfaceDiscovery(discovery), registry);
            var table = new FlowTable(new FlowTableSettings(4096, Duration.ofSeconds(2), Duration.ofSeconds(60),
                    Duration.ofSeconds(2), Duration.ofMillis(300), 0.9, 0.7, Duration.ofSeconds(2), Duration.ofSeconds(1)),
                    enricher, source::interfaceName, registry);
            Thread runner = LiveFlowPipeline.start(source, table, registry, enricher::flush, "e2e-processing");
            Lab.TestContainer newcomer = null;
            Lab.TestContainer alias = null;
            try {
                DockerContainerResolverLabTest.await(() -> source.capturing().containsKey("br-lab")
                        && source.capturing().keySet().containsAll(truthByVeth.keySet()), "captures open on br-lab and every veth");
                for (Lab.Row c : clients) {
                    Lab.docker("exec", c.name(), "sh", "-c",
                            "timeout 3 wget -q -O /dev/null http://web/; echo ping | timeout 3 nc db 5432 >/dev/null; true");
                }
                // A container born during the capture talks at once: its identity must catch up within the grace period.
                newcomer = startClient(web.ips().get(0));
                Lab.TestContainer n = newcomer;
                DockerContainerResolverLabTest.await(() -> flows.stream().anyMatch(f -> f.getReport() == ReportKind.FINAL
                        && Addresses.format(f.getSrcAddr()).equals(n.ip()) && f.getDstPort() == 80), "the newcomer's flow exported");
                // A container that adds an address Docker does not know and talks from it: only its veth names it.
                alias = Lab.start(PREFIX + "alias", "lab/web:1", "com.docker.compose.project=ewt", "com.docker.compose.service=alias");
                String pid = Integer.toString(alias.pid());
                Lab.run(10, "nsenter", "-t", pid, "-n", "ip", "addr", "add", SECONDARY + "/20", "dev", "eth0");
                Lab.run(15, "nsenter", "-t", pid, "-n", "curl", "-s", "-o", "/dev/null", "--max-time", "3",
                        "--interface", SECONDARY, "http://" + web.ips().get(0) + "/");
                DockerContainerResolverLabTest.await(() -> flows.stream().anyMatch(f -> f.getReport() == ReportKind.FINAL
                        && Addresses.format(f.getSrcAddr()).equals(SECONDARY) && f.getDstPort() == 80), "the secondary address's flow exported");
                for (Lab.Row c : clients) {
                    DockerContainerResolverLabTest.await(() -> flows.stream().anyMatch(f -> f.getReport() == ReportKind.FINAL
                            && c.ips().contains(Addresses.format(f.getSrcAddr())) && f.getDstPort() == 5432), c.name() + " -> db exported");
                }
            } finally {
                source.close();
                runner.join(10_000);
                assertFalse(runner.isAlive());
                if (newcomer != null) {
                    truthByIp.put(newcomer.ip(), new Lab.Row(newcomer.name(), newcomer.id().substring(0, 12), newcomer.pid(),
                            List.of(newcomer.ip()), "", "", ""));
                    newcomer.close();
                }
                if (alias != null) {
                    truthByIp.put(SECONDARY, new Lab.Row(alias.name(), alias.id().substring(0, 12), alias.pid(),
                            List.of(SECONDARY), "", "", ""));
                    alias.close();
                }
            }

            int checked = 0;
            StringBuilder wrong = new StringBuilder();
            for (FlowRecord f : flows) {
                String src = Addresses.format(f.getSrcAddr());
                String dst = Addresses.format(f.getDstAddr());
                checked += check(f, src, f.getSrc(), truthByIp, wrong) + check(f, dst, f.getDst(), truthByIp, wrong);
                Lab.Row onVeth = truthByVeth.get(f.getInterface());
                if (onVeth != null && !onVeth.ips().contains(src) && !onVeth.ips().contains(dst)) {
                    wrong.append("\n  seen on ").append(f.getInterface()).append(" of ").append(onVeth.name())
                            .append(" but neither end is it: ").append(src).append(" -> ").append(dst);
                }
                assertTrue(f.getSrc().getKind() != EndpointKind.ENDPOINT_KIND_UNSPECIFIED
                        && f.getDst().getKind() != EndpointKind.ENDPOINT_KIND_UNSPECIFIED, "every endpoint classified");
            }
            System.out.printf("e2e: %d flows, %d container endpoints checked, delayed %.0f, resolved after wait %.0f%n", flows.size(),
                    checked, registry.counter("eastwatch.agent.identity.flows.delayed").count(),
                    registry.counter("eastwatch.agent.identity.flows.resolved.after.wait").count());
            assertEquals("", wrong.toString(), "flows attributed wrongly");
            assertTrue(checked >= 4 * clients.size() + 2, "container endpoints checked: " + checked);
            assertEquals(0.0, registry.counter("eastwatch.agent.identity.endpoints", "kind", "unresolved", "resolver", "none").count(),
                    "no endpoint left unresolved");
            assertTrue(registry.counter("eastwatch.agent.identity.endpoints.by.interface").count() >= 1,
                    "the secondary address was attributed by its veth");
        }
    }

    /** Checks one endpoint against the truth; returns 1 if it was a lab container. */
    private static int check(FlowRecord f, String ip, Endpoint e, Map<String, Lab.Row> truth, StringBuilder wrong) {
        Lab.Row row = truth.get(ip);
        if (row == null) {
            if (ip.startsWith("172.30.") && !ip.equals("172.30.0.1")) {
                wrong.append("\n  ").append(ip).append(" is in lab-net but not a known container: ").append(e.getKind());
            }
            return 0;
        }
        String role = row.name().replaceAll("^lab-(bridge-)?([a-z]+)(-\\d+)?$", "$2");
        String workload = row.name().startsWith(PREFIX) ? "ewt/" + row.name().substring(PREFIX.length()) : "lab/" + role;
        if (e.getKind() != EndpointKind.CONTAINER || !e.getName().equals(row.name()) || !e.getWorkload().equals(workload)
                || !e.getContainerId().startsWith(row.idPrefix())) {
            wrong.append("\n  ").append(ip).append(" should be ").append(row.name()).append(" (").append(workload).append(") but is ")
                    .append(e.getKind()).append(" ").append(e.getName()).append(" ").append(e.getWorkload())
                    .append(" in flow ").append(f.getProtocol()).append(" :").append(f.getSrcPort()).append(" -> :").append(f.getDstPort());
        }
        return 1;
    }

    private static Lab.TestContainer startClient(String webIp) {
        String name = PREFIX + "client";
        String id = Lab.run(60, "docker", "run", "-d", "--name", name, "--network", Lab.NETWORK, "--label", "lab.managed=1",
                "--label", "com.docker.compose.project=ewt", "--label", "com.docker.compose.service=client",
                "lab/client:1", "sh", "-c", "timeout 3 wget -q -O /dev/null http://" + webIp + "/; exec sleep 600");
        String ip = Lab.docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id);
        int pid = Integer.parseInt(Lab.docker("inspect", "-f", "{{.State.Pid}}", id));
        assertNotNull(ip);
        return new Lab.TestContainer(name, id, ip, pid);
    }
}
