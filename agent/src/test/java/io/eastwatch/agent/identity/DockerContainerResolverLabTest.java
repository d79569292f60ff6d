package io.eastwatch.agent.identity;

import io.eastwatch.testkit.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker resolver against the lab's real engine: it lists the running containers, follows
 * containers started and removed during the test through /events, and names their workloads from
 * compose labels, Kubernetes labels or the image. The /proc resolver, with no Docker API, must
 * attribute the same containers.
 */
class DockerContainerResolverLabTest {
    private static final String PREFIX = "ewt-identity-";

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
    void followsContainersStartedAndStoppedDuringTheTest() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (var docker = new DockerContainerResolver(DockerResolverSettings.defaults("lab-host"), registry);
             var proc = new ProcContainerResolver(ProcResolverSettings.defaults("lab-host"), new SimpleMeterRegistry())) {
            docker.start();
            docker.firstSync().get(20, TimeUnit.SECONDS);

            long now = System.currentTimeMillis() * 1000;
            for (Lab.Row row : Lab.procmap()) {
                ContainerIdentity c = docker.lookup(Addresses.of(row.ips().get(0)), now, null);
                assertNotNull(c, row.name() + " listed at start");
                assertEquals(row.name(), c.name());
                assertEquals(row.hostVeth(), vethOf(docker, c, now), row.name());
            }
            assertTrue(docker.inContainerNetwork(Addresses.of("172.30.15.1")), "lab-net's subnet from /networks");
            var announced = docker.heldAddresses(100_000);
            for (Lab.Row row : Lab.procmap()) {
                assertTrue(announced.stream().anyMatch(h -> h.address().equals(Addresses.of(row.ips().get(0)))
                        && h.container().name().equals(row.name())), row.name() + " is in the host's announcement");
            }

            try (var compose = Lab.start(PREFIX + "compose", "lab/web:1", "com.docker.compose.project=ewt",
                    "com.docker.compose.service=probe");
                 var k8s = Lab.start(PREFIX + "k8s", "lab/client:1", "io.kubernetes.pod.namespace=shop",
                         "io.kubernetes.pod.name=cart-7d9f8b6c5d-x2x4q");
                 var plain = Lab.start(PREFIX + "plain", "lab/db:1")) {
                await(() -> docker.lookup(Addresses.of(plain.ip()), nowMicros(), null) != null, "docker learns " + plain.name());
                await(() -> docker.lookup(Addresses.of(k8s.ip()), nowMicros(), null) != null, "docker learns " + k8s.name());
                await(() -> docker.lookup(Addresses.of(compose.ip()), nowMicros(), null) != null, "docker learns " + compose.name());
                proc.scan();
                long t = nowMicros();
                for (var c : new Lab.TestContainer[] {compose, k8s, plain}) {
                    ContainerIdentity viaDocker = docker.lookup(Addresses.of(c.ip()), t, null);
                    ContainerIdentity viaProc = proc.lookup(Addresses.of(c.ip()), t, null);
                    assertEquals(c.id(), viaDocker.id());
                    assertNotNull(viaProc, "/proc attributes " + c.name());
                    assertEquals(c.id(), viaProc.id());
                    assertEquals(c.name(), viaDocker.name());
                    assertEquals(c.name(), viaProc.name());
                    assertEquals(viaDocker.workload(), viaProc.workload(), c.name());
                    assertEquals(viaDocker.image(), viaProc.image(), c.name());
                    String veth = Lab.hostVeth(c.pid());
                    assertEquals(veth, vethOf(docker, viaDocker, t), c.name());
                    assertEquals(c.id(), proc.byInterface(veth, t).id(), c.name());
                }
                assertEquals("ewt/probe", docker.lookup(Addresses.of(compose.ip()), t, null).workload());
                assertEquals("shop/cart", docker.lookup(Addresses.of(k8s.ip()), t, null).workload());
                assertEquals("lab/db", docker.lookup(Addresses.of(plain.ip()), t, null).workload());
                assertEquals("docker", docker.lookup(Addresses.of(plain.ip()), t, null).resolver());

                long beforeStop = nowMicros();
                Lab.docker("rm", "-f", plain.name());
                ByteString plainIp = Addresses.of(plain.ip());
                await(() -> docker.lookup(plainIp, nowMicros(), null) == null, "docker forgets " + plain.name());
                assertEquals(plain.id(), docker.lookup(plainIp, beforeStop, null).id(),
                        "a flow from before the stop keeps its owner");
                proc.scan();
                assertNull(proc.lookup(plainIp, nowMicros() + 3_000_000, null), "/proc forgets " + plain.name());
                assertEquals(plain.id(), proc.lookup(plainIp, beforeStop, null).id());
            }
            assertTrue(registry.counter("eastwatch.agent.identity.docker.events", "action", "start").count() >= 3);
            assertTrue(registry.counter("eastwatch.agent.identity.docker.events", "action", "die").count() >= 3);
        }
    }

    @Test
    void reconnectsAfterTheDaemonGoesAwayAndCatchesUpOnWhatChanged(@TempDir Path dir) throws Exception {
        var registry = new SimpleMeterRegistry();
        Path socket = dir.resolve("docker.sock");
        var d = DockerResolverSettings.defaults("lab-host");
        var settings = new DockerResolverSettings(socket, d.apiVersion(), Duration.ofSeconds(10), Duration.ofMillis(50),
                Duration.ofMillis(400), d.maxResponseBytes(), d.maxEventBytes(), d.procRoot(), d.sysClassNet(), d.hostName(),
                d.limits());
        try (var proxy = new UnixSocketProxy(socket, Lab.SOCKET);
             var docker = new DockerContainerResolver(settings, registry);
             var before = Lab.start(PREFIX + "before", "lab/web:1", "com.docker.compose.project=ewt",
                     "com.docker.compose.service=before")) {
            proxy.start();
            docker.start();
            docker.firstSync().get(20, TimeUnit.SECONDS);
            await(() -> docker.lookup(Addresses.of(before.ip()), nowMicros(), null) != null, "docker knows " + before.name());
            long startedBefore = nowMicros();

            proxy.stop();   // as if dockerd went away: the event stream ends, reconnects are refused
            await(() -> registry.counter("eastwatch.agent.identity.docker.reconnects").count() >= 1, "stream end noticed");
            await(() -> registry.counter("eastwatch.agent.identity.errors", "resolver", "docker", "reason", "connect").count() >= 1,
                    "a refused reconnect");
            Lab.docker("rm", "-f", before.name());
            try (var during = Lab.start(PREFIX + "during", "lab/db:1", "com.docker.compose.project=ewt",
                    "com.docker.compose.service=during")) {
                ContainerIdentity stale = docker.lookup(Addresses.of(during.ip()), nowMicros(), null);
                assertTrue(stale == null || stale.id().equals(before.id()), "cut off: cannot know it yet, got " + stale);
                proxy.start();
                await(() -> docker.lookup(Addresses.of(during.ip()), nowMicros(), null) != null
                                && docker.lookup(Addresses.of(during.ip()), nowMicros(), null).id().equals(during.id()),
                        "after reconnecting, the container started while away is known");
                assertEquals("ewt/during", docker.lookup(Addresses.of(during.ip()), nowMicros(), null).workload());
                await(() -> docker.lookup(Addresses.of(before.ip()), nowMicros(), null) == null
                                || !docker.lookup(Addresses.of(before.ip()), nowMicros(), null).id().equals(before.id()),
                        "the container removed while away is released");
                if (before.ip().equals(during.ip())) {
                    // Docker handed the removed container's address straight to the new one: both owners stay answerable.
                    assertEquals(during.id(), docker.lookup(Addresses.of(during.ip()), nowMicros(), null).id());
                    assertEquals(before.id(), docker.lookup(Addresses.of(before.ip()), startedBefore, null).id());
                }
            }
        }
    }

    private static String vethOf(DockerContainerResolver docker, ContainerIdentity c, long t) {
        for (String line : Lab.run(10, "ls", "/sys/class/net").split("\\s+")) {
            ContainerIdentity on = docker.byInterface(line, t);
            if (on != null && on.id().equals(c.id())) {
                return line;
            }
        }
        return null;
    }

    static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + what);
            Thread.sleep(20);
        }
    }
}
