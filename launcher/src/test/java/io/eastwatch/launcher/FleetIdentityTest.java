package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.eastwatch.agent.export.IdentityAnnouncer;
import io.eastwatch.agent.identity.ContainerIdentity;
import io.eastwatch.agent.identity.ContainerResolver;
import io.eastwatch.agent.identity.HeldAddress;
import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.ingest.IngestSettings;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-host identity through a real broker: host B's agent announces its containers on the
 * identity topic; host A's agent, which cannot name B's containers, reports a flow from its own
 * container to one of them. The collector names the far end from the announcement (so the edge is
 * learned as workload to workload), and drops host B's copy of a flow whose initiator lives on
 * host A (A's agent reports it, under the right partition).
 */
class FleetIdentityTest {

    private static final String FLOWS = "eastwatch.flows";

    /** Host B's runtime as its resolver sees it: a fixed set of running containers. */
    private static final class HostResolver implements ContainerResolver {
        final List<HeldAddress> held = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "docker";
        }

        @Override
        public void start() {
        }

        @Override
        public ContainerIdentity lookup(ByteString address, long tsMicros, String captureInterface) {
            for (HeldAddress h : held) {
                if (h.address().equals(address)) {
                    return h.container();
                }
            }
            return null;
        }

        @Override
        public boolean inContainerNetwork(ByteString address) {
            return false;
        }

        @Override
        public int containersKnown() {
            return held.size();
        }

        @Override
        public List<HeldAddress> heldAddresses(int limit) {
            return held.subList(0, Math.min(limit, held.size()));
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFlowToAnotherHostsContainerIsNamedAndTheInitiatorsHostOwnsTheFlow(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis() * 1000;
        ByteString dbIp = ip("10.0.2.7");
        ByteString apiIp = ip("10.0.1.5");
        ContainerIdentity db = new ContainerIdentity("dbdbdbdb0001", "shop-db-1", "registry.local/shop/db:16", "shop/db",
                "host-b", "docker");
        ContainerIdentity api = new ContainerIdentity("apiapiapi001", "shop-api-1", "registry.local/shop/api:2", "shop/api",
                "host-a", "docker");

        try (EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(dir.resolve("kafka")))) {
            kafka.start();
            kafka.createTopic(FLOWS, 2);
            var collectorRegistry = new SimpleMeterRegistry();
            CollectorApp collector = new CollectorApp(
                    IngestSettings.defaults(kafka.bootstrapServers(), "fleet-test").withCommitIntervalMillis(100),
                    CollectorSettings.defaults().withLearning(Duration.ofHours(1)), collectorRegistry, a -> { });
            collector.identityTopic("eastwatch.identity");
            collector.start();

            // host B announces db (and host A announces api) through the agents' own announcer
            HostResolver hostB = new HostResolver();
            hostB.held.add(new HeldAddress(dbIp, db, now - 60_000_000));
            HostResolver hostA = new HostResolver();
            hostA.held.add(new HeldAddress(apiIp, api, now - 60_000_000));
            var agentRegistry = new SimpleMeterRegistry();
            IdentityAnnouncer.Settings d = IdentityAnnouncer.Settings.defaults();
            try (IdentityAnnouncer b = new IdentityAnnouncer(d, "agent-b", "host-b", List.of(hostB), kafka.bootstrapServers(),
                    Map.of(), agentRegistry);
                 IdentityAnnouncer a = new IdentityAnnouncer(d, "agent-a", "host-a", List.of(hostA), kafka.bootstrapServers(),
                         Map.of(), new SimpleMeterRegistry());
                 KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                b.start();
                a.start();
                await(() -> agentRegistry.counter("eastwatch.agent.identity.announcements", "outcome", "sent").count() >= 1,
                        "host B's announcement acknowledged");
                await(() -> collectorRegistry.find("eastwatch.collector.fleet.agents").gauge() != null
                        && collectorRegistry.find("eastwatch.collector.fleet.agents").gauge().value() == 2,
                        "the collector read both hosts' announcements");

                // host A's report: its own container api to host B's db, which A's runtime cannot name
                FlowRecord fromA = flow("agent-a", "host-a", 1, now, apiIp, dbIp, api.endpoint(),
                        Endpoint.newBuilder().setKind(EndpointKind.UNRESOLVED).build());
                // host B's copy of the same flow: B names db but not api
                FlowRecord fromB = flow("agent-b", "host-b", 1, now + 300, apiIp, dbIp,
                        Endpoint.newBuilder().setKind(EndpointKind.UNRESOLVED).build(), db.endpoint());
                producer.send(record(fromA, "shop/api")).get();
                producer.send(record(fromB, "10.0.1.5")).get();

                await(() -> count(collectorRegistry, "eastwatch.collector.fleet.endpoints.named") == 1
                        && count(collectorRegistry, "eastwatch.collector.fleet.remote.initiator") == 1,
                        "A's copy named, B's copy dropped");
                await(() -> edge(collector, "shop/api", "shop/db", 5432), "the baseline learned shop/api -> shop/db:5432");
                assertEquals(1, count(collectorRegistry, "eastwatch.collector.flows.ingested"),
                        "the flow counts once, at the initiator's host");
                assertEquals(0, count(collectorRegistry, "eastwatch.collector.fleet.ambiguous"));

                // a host-local address both hosts announce (Docker's default bridge) names nothing
                ContainerIdentity other = new ContainerIdentity("otherother01", "cache-1", "redis:7", "redis", "host-b", "docker");
                hostB.held.add(new HeldAddress(ip("172.17.0.2"), other, now - 30_000_000));
                hostA.held.add(new HeldAddress(ip("172.17.0.2"), api, now - 30_000_000));
                await(() -> agentRegistry.counter("eastwatch.agent.identity.announcements", "outcome", "sent").count() >= 2,
                        "host B announced the change");
                Thread.sleep(1500);
                FlowRecord local = flow("agent-c", "host-c", 1, now + 1_000_000, apiIp, ip("172.17.0.2"), api.endpoint(),
                        Endpoint.newBuilder().setKind(EndpointKind.UNRESOLVED).build()).toBuilder()
                        .setCommunityId("1:fleettestotherflow0000000000=").build();
                producer.send(record(local, "shop/api")).get();
                await(() -> count(collectorRegistry, "eastwatch.collector.fleet.ambiguous") >= 1, "ambiguous address left unnamed");
                assertEquals(1, count(collectorRegistry, "eastwatch.collector.fleet.endpoints.named"));
            } finally {
                collector.close();
            }
        }
    }

    private static double count(SimpleMeterRegistry r, String name) {
        var c = r.find(name).counter();
        return c == null ? 0 : c.count();
    }

    private static boolean edge(CollectorApp c, String workload, String peer, int port) {
        for (DetectionEngine.BaselineCopy b : c.baselines()) {
            if (b.workload().equals(workload)) {
                for (DetectionEngine.EdgeCopy e : b.edges()) {
                    if (e.peer().equals(peer) && e.port() == port) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static FlowRecord flow(String agent, String host, long seq, long ts, ByteString src, ByteString dst,
                                   Endpoint srcEp, Endpoint dstEp) {
        return FlowRecord.newBuilder().setAgentId(agent).setHost(host).setSequence(seq).setPartitionSequence(seq)
                .setFirstTsUs(ts).setLastTsUs(ts + 2_000).setSrcAddr(src).setDstAddr(dst).setSrcPort(40_000)
                .setDstPort(5432).setProtocol(6).setPacketsFwd(6).setBytesFwd(600).setPacketsRev(5).setBytesRev(900)
                .setTcpFlagsFwd(0x1b).setTcpFlagsRev(0x1b).setOutcome(Outcome.ESTABLISHED).setReport(ReportKind.FINAL)
                .setInitiatorBasis(InitiatorBasis.SYN).setSrc(srcEp).setDst(dstEp)
                .setCommunityId("1:fleettestflowid000000000000=").build();
    }

    private static ProducerRecord<byte[], byte[]> record(FlowRecord r, String key) {
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(FLOWS, key.getBytes(StandardCharsets.UTF_8), r.toByteArray());
        rec.headers().add("eastwatch-type", "flow".getBytes(StandardCharsets.UTF_8));
        return rec;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ByteString ip(String text) throws Exception {
        return ByteString.copyFrom(InetAddress.getByName(text).getAddress());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting: " + what);
            }
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), what);
    }
}
