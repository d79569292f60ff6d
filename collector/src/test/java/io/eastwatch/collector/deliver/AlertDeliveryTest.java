package io.eastwatch.collector.deliver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery against a real broker and a real HTTP receiver on loopback: signatures verify, 5xx is
 * retried with the same delivery id, 4xx lands in the dead letter, a restart in the middle of
 * delivery loses nothing and repeats only what was in flight (same delivery id).
 */
class AlertDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cret-for-tests";
    private static KafkaClusterTestKit kafka;

    private HttpServer receiver;
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Set<String> reject = ConcurrentHashMap.newKeySet();
    private volatile long delayMillis;
    private String topic;
    private int testNo;
    private static final AtomicInteger TESTS = new AtomicInteger();

    record Received(String alertId, int revision, String deliveryId, boolean signatureOk, int status, JsonNode body) {
    }

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void startReceiver() throws Exception {
        testNo = TESTS.incrementAndGet();
        topic = "alerts-" + testNo;
        try (var admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
                    .all().get();
        }
        WebhookSigner verifier = new WebhookSigner(SECRET);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            JsonNode n = JSON.readTree(body);
            String id = n.path("id").asText();
            boolean sigOk = verifier.verify(body, ex.getRequestHeaders().getFirst("X-Eastwatch-Signature"));
            int status = 200;
            AtomicInteger left = failuresLeft.get(id);
            if (reject.contains(id)) {
                status = 400;
            } else if (left != null && left.getAndDecrement() > 0) {
                status = 500;
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            received.add(new Received(id, n.path("revision").asInt(1),
                    ex.getRequestHeaders().getFirst("X-Eastwatch-Delivery"), sigOk, status, n));
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private URI hookUri() {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    }

    private Map<String, Object> clientProps() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers());
    }

    private void publish(String id, int revision, String severity) throws Exception {
        String json = "{\"id\":\"" + id + "\",\"detector\":\"port-scan\",\"severity\":\"" + severity + "\","
                + "\"score\":0.9,\"first_seen\":\"2026-01-08T19:14:17.929Z\",\"detected_at\":\"2026-01-08T19:14:18.210Z\","
                + "\"source\":{\"container_id\":\"c-" + id + "\",\"name\":\"web-" + id + "\",\"workload\":\"shop/web\","
                + "\"image\":\"shop/web:1\",\"host\":\"node-1\",\"ip\":\"10.0.0.1\"},"
                + "\"targets\":{\"count\":3,\"sample\":[]},\"evidence\":{},\"mitre\":[\"T1046\"],"
                + "\"summary\":\"web probed 3 addresses\",\"revision\":" + revision + "}";
        Map<String, Object> p = new HashMap<>(clientProps());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (var producer = new KafkaProducer<byte[], byte[]>(p)) {
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private AlertDelivery delivery(SimpleMeterRegistry registry, String minSeverity) {
        WebhookTargetSettings t = new WebhookTargetSettings("soc", hookUri(), DeliveryFormat.GENERIC, minSeverity,
                SECRET, null, Duration.ofSeconds(2), 4, Duration.ofMillis(50), Duration.ofMillis(200));
        return new AlertDelivery(clientProps(), topic, topic + ".dlq", "eastwatch-test-" + testNo, List.of(t), 100, registry);
    }

    private static void await(String what, java.util.function.BooleanSupplier cond, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private double count(SimpleMeterRegistry r, String outcome) {
        return r.get("eastwatch.collector.webhook.deliveries").tag("target", "soc").tag("outcome", outcome).counter().count();
    }

    @Test
    void signedDeliveryRetriesOn500AndDeadLettersOn400() throws Exception {
        failuresLeft.put("a2", new AtomicInteger(2));
        reject.add("a3");
        publish("a1", 1, "high");
        publish("a2", 1, "high");
        publish("a3", 1, "high");
        publish("a4", 1, "low"); // below the threshold: skipped, never sent
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AlertDelivery d = delivery(registry, "medium")) {
            d.start();
            await("three alerts handled", () -> count(registry, "delivered") == 2 && count(registry, "dead_letter") == 1
                    && count(registry, "skipped") == 1, Duration.ofSeconds(30));
            assertEquals(1, d.deadLetters().recent().size());
            DeadLetter dl = d.deadLetters().recent().get(0);
            assertEquals("a3", dl.alertId());
            assertEquals(400, dl.status());
        }
        assertTrue(received.stream().allMatch(Received::signatureOk), "every body verifies with the shared secret");
        assertTrue(received.stream().noneMatch(r -> r.alertId().equals("a4")));
        List<Received> a2 = received.stream().filter(r -> r.alertId().equals("a2")).toList();
        assertEquals(List.of(500, 500, 200), a2.stream().map(Received::status).toList(), "two 500s, then delivered");
        assertEquals(1, a2.stream().map(Received::deliveryId).distinct().count(), "retries keep the delivery id");
        assertEquals(2.0, count(registry, "retried"));
        assertEquals(1, received.stream().filter(r -> r.alertId().equals("a3")).count(), "a 400 is not retried");

        // the dead letter is durable on its topic, with the reason
        Map<String, Object> c = new HashMap<>(clientProps());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + testNo);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
            consumer.subscribe(List.of(topic + ".dlq"));
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 15000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(1, got.size());
            assertEquals("a3", new String(got.get(0).key(), StandardCharsets.UTF_8));
            assertEquals("http 400", new String(got.get(0).headers().lastHeader("eastwatch-reason").value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void restartMidDeliveryLosesNothingAndRepeatsOnlyInFlightIds() throws Exception {
        int n = 30;
        for (int i = 0; i < n; i++) {
            publish("r" + i, 1, "high");
        }
        delayMillis = 40; // a slow receiver, so the stop lands in the middle
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        AlertDelivery d1 = delivery(first, "low");
        d1.start();
        await("some delivered", () -> count(first, "delivered") >= 5, Duration.ofSeconds(30));
        d1.close();
        int afterFirst = received.size();
        assertTrue(afterFirst < n, "stopped mid-delivery (" + afterFirst + " of " + n + ")");

        delayMillis = 0;
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        try (AlertDelivery d2 = delivery(second, "low")) {
            d2.start();
            await("all delivered", () -> received.stream().map(Received::alertId).distinct().count() == n,
                    Duration.ofSeconds(30));
            Thread.sleep(300); // nothing more may arrive
        }
        Map<String, List<Received>> byId = new HashMap<>();
        received.forEach(r -> byId.computeIfAbsent(r.alertId(), k -> new ArrayList<>()).add(r));
        assertEquals(n, byId.size(), "every alert arrived");
        int repeated = 0;
        for (List<Received> rs : byId.values()) {
            Set<String> ids = new HashSet<>();
            rs.forEach(r -> ids.add(r.deliveryId()));
            assertEquals(1, ids.size(), "a repeat carries the same delivery id");
            repeated += rs.size() - 1;
        }
        assertTrue(repeated <= 2, "only the alerts in flight at the stop may repeat, got " + repeated);
        assertFalse(received.isEmpty());
    }

    /** A receiver that hangs holds up only its own target: the other target gets every alert at once. */
    @Test
    void aDeadReceiverDoesNotSlowTheOtherTarget() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HttpServer hung = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hung.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hung.createContext("/hook", ex -> {
            try {
                release.await(); // never answers while the test runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        hung.start();
        try {
            for (int i = 0; i < 10; i++) {
                publish("s" + i, 1, "high");
            }
            WebhookTargetSettings fast = new WebhookTargetSettings("soc", hookUri(), DeliveryFormat.GENERIC, "low",
                    SECRET, null, Duration.ofSeconds(2), 4, Duration.ofMillis(50), Duration.ofMillis(200));
            WebhookTargetSettings dead = new WebhookTargetSettings("dead",
                    URI.create("http://127.0.0.1:" + hung.getAddress().getPort() + "/hook"), DeliveryFormat.GENERIC,
                    "low", SECRET, null, Duration.ofSeconds(30), 6, Duration.ofSeconds(1), Duration.ofSeconds(5));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            long t0 = System.nanoTime();
            try (AlertDelivery d = new AlertDelivery(clientProps(), topic, topic + ".dlq", "eastwatch-test-" + testNo,
                    List.of(dead, fast), 100, registry)) {
                d.start();
                await("the healthy target got every alert", () -> received.size() == 10, Duration.ofSeconds(20));
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertTrue(seconds < 20, "took " + seconds + " s");
                assertEquals(0.0, registry.get("eastwatch.collector.webhook.deliveries").tag("target", "dead")
                        .tag("outcome", "delivered").counter().count(), "the hung receiver answered nothing");
                release.countDown();
            }
        } finally {
            release.countDown();
            hung.stop(0);
        }
    }
}
