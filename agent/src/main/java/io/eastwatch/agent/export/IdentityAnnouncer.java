package io.eastwatch.agent.export;

import com.google.protobuf.ByteString;
import io.eastwatch.agent.identity.ContainerResolver;
import io.eastwatch.agent.identity.HeldAddress;
import io.eastwatch.flow.v1.HeldAddress.Builder;
import io.eastwatch.flow.v1.HostContainers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes which containers this host runs and the addresses they hold ({@code HostContainers})
 * on the identity topic, keyed by agent id, so the topic compacts to one current set per agent.
 *
 * <p>Why: an agent's runtime API knows only its own host's containers, so the far end of a flow
 * that crosses hosts reaches Kafka unresolved. Every collector reads the whole identity topic and
 * names such endpoints from the announcing agent's set; it also learns that the initiator of such
 * a flow lives on a host whose own agent reports the flow, and counts it once, there.
 *
 * <p>An announcement goes out when the set changes (checked every {@code checkInterval}) and at
 * least every {@code refreshInterval}, so a collector that starts late still has every host after
 * reading the compacted topic. Sending is asynchronous and best effort: a failed send is counted
 * and the next change or refresh sends the whole set again. Flow export never waits on it.
 */
public final class IdentityAnnouncer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityAnnouncer.class);

    /**
     * @param topic           the identity topic (compacted)
     * @param checkInterval   how often the resolvers' sets are compared with the last announced one;
     *                        shorter names new containers on other hosts sooner, at a scan of the
     *                        resolvers' tables each time
     * @param refreshInterval the set is announced at least this often even unchanged
     * @param maxAddresses    most addresses one announcement carries (the record stays under Kafka's
     *                        default 1 MB message limit at about 150 bytes each); more are left out
     *                        and the announcement is marked truncated
     */
    public record Settings(String topic, Duration checkInterval, Duration refreshInterval, int maxAddresses) {
        public Settings {
            if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("topic: " + topic + " (expected: a Kafka topic name)");
            }
            if (checkInterval.toMillis() < 100) {
                throw new IllegalArgumentException("checkInterval: " + checkInterval + " (expected: >= 100ms)");
            }
            if (refreshInterval.compareTo(checkInterval) < 0) {
                throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: >= checkInterval)");
            }
            if (maxAddresses < 1 || maxAddresses > 6_000) {
                throw new IllegalArgumentException("maxAddresses: " + maxAddresses + " (expected: 1 to 6000)");
            }
        }

        public static Settings defaults() {
            return new Settings("eastwatch.identity", Duration.ofSeconds(1), Duration.ofMinutes(5), 5_000);
        }
    }

    private final Settings settings;
    private final String agentId;
    private final String host;
    private final List<ContainerResolver> resolvers;
    private final Producer<byte[], byte[]> producer;
    private final ScheduledExecutorService timer;
    private final Counter sent;
    private final Counter failed;
    private final Counter truncated;
    private final AtomicInteger announced = new AtomicInteger();

    private record Held(ByteString address, String containerId) {
    }

    private Set<Held> lastSet = Set.of();
    private long lastSentNanos;
    private volatile boolean resend;
    private volatile boolean failing;

    public IdentityAnnouncer(Settings settings, String agentId, String host, List<ContainerResolver> resolvers,
                             String bootstrapServers, Map<String, Object> clientProperties, MeterRegistry registry) {
        this(settings, agentId, host, resolvers, new KafkaProducer<>(producerConfig(bootstrapServers, agentId, clientProperties),
                new ByteArraySerializer(), new ByteArraySerializer()), registry);
    }

    IdentityAnnouncer(Settings settings, String agentId, String host, List<ContainerResolver> resolvers,
                      Producer<byte[], byte[]> producer, MeterRegistry registry) {
        this.settings = settings;
        this.agentId = agentId;
        this.host = host;
        this.resolvers = List.copyOf(resolvers);
        this.producer = producer;
        this.sent = Counter.builder("eastwatch.agent.identity.announcements").tags(Tags.of("outcome", "sent"))
                .description("Announcements of this host's containers on the identity topic").register(registry);
        this.failed = Counter.builder("eastwatch.agent.identity.announcements").tags(Tags.of("outcome", "failed"))
                .description("Announcements of this host's containers on the identity topic").register(registry);
        this.truncated = Counter.builder("eastwatch.agent.identity.announcements.truncated")
                .description("Announcements that left addresses out (a host holding more than " + settings.maxAddresses()
                        + " container addresses: the record stays under Kafka's 1 MB default)")
                .register(registry);
        registry.gauge("eastwatch.agent.identity.announced.addresses", announced);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "eastwatch-identity-announcer");
            t.setDaemon(true);
            return t;
        });
    }

    private static Map<String, Object> producerConfig(String bootstrap, String agentId, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>(extra);
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "eastwatch-agent-identity-" + agentId);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // never block the timer thread on metadata: a send that cannot start fails and is counted
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return c;
    }

    public void start() {
        long ms = settings.checkInterval().toMillis();
        timer.scheduleWithFixedDelay(this::check, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** Compares the current set with the last announced one and announces it if needed. */
    void check() {
        try {
            List<HeldAddress> held = new ArrayList<>();
            for (ContainerResolver r : resolvers) {
                held.addAll(r.heldAddresses(settings.maxAddresses() + 1));
            }
            // first resolver wins for an address, as in flow enrichment
            Map<ByteString, HeldAddress> byAddr = new LinkedHashMap<>();
            for (HeldAddress h : held) {
                byAddr.putIfAbsent(h.address(), h);
            }
            Set<Held> set = new HashSet<>();
            for (HeldAddress h : byAddr.values()) {
                set.add(new Held(h.address(), h.container().id()));
            }
            long now = System.nanoTime();
            boolean changed = !set.equals(lastSet);
            if (!changed && !resend && now - lastSentNanos < settings.refreshInterval().toNanos()) {
                return;
            }
            HostContainers.Builder m = HostContainers.newBuilder().setAgentId(agentId).setHost(host)
                    .setTakenAtUs(System.currentTimeMillis() * 1000);
            int n = 0;
            for (HeldAddress h : byAddr.values()) {
                if (n == settings.maxAddresses()) {
                    m.setTruncated(true);
                    break;
                }
                Builder b = io.eastwatch.flow.v1.HeldAddress.newBuilder().setAddr(h.address())
                        .setOwner(h.container().endpoint()).setSinceUs(h.sinceMicros());
                m.addAddresses(b);
                n++;
            }
            if (m.getTruncated()) {
                truncated.increment();
            }
            announced.set(n);
            lastSet = set;
            lastSentNanos = now;
            resend = false;
            producer.send(new ProducerRecord<>(settings.topic(), agentId.getBytes(StandardCharsets.UTF_8),
                    m.build().toByteArray()), (md, e) -> {
                if (e == null) {
                    sent.increment();
                    if (failing) {
                        failing = false;
                        LOG.info("identity announcements on {} sent again", settings.topic());
                    }
                } else {
                    notSent(e);
                }
            });
        } catch (RuntimeException e) {
            notSent(e);
        }
    }

    /** Counted each time; logged once per failing spell (the next change or refresh retries). */
    private void notSent(Exception e) {
        failed.increment();
        resend = true;
        if (!failing) {
            failing = true;
            LOG.warn("identity announcement on {} not sent ({}); other hosts' collectors cannot name this host's "
                    + "containers until it is; retrying", settings.topic(), e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }
}
