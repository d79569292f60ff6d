package io.eastwatch.daemon.kafka;

import io.eastwatch.testkit.SecureBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.config.ConfigDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The security keys against a real broker with SSL, mutual-TLS and SASL_SSL (SCRAM) listeners
 * behind a private CA: each working setting reaches the broker, each wrong one fails fast with a
 * {@link KafkaAuthFailure} line that names the problem and never a password.
 */
@Timeout(120)
class KafkaTlsBrokerTest {

    private static final String SCRAM_PASSWORD = "scram-Pw-4410";
    private static SecureBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = new SecureBroker(Files.createTempDirectory("ewt-kafkatls-daemon-"));
        broker.addScramUser("daemon-test", SCRAM_PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaSecurity security(Map<String, String> keys) {
        ConfigDef def = KafkaSecurity.define(new ConfigDef(), "kafka.security");
        return KafkaSecurity.from(def.parse(Map.of(), keys, k -> null, null), "kafka.security");
    }

    private static Map<String, Object> props(String listener, KafkaSecurity s) {
        Map<String, Object> p = new HashMap<>(s.clientProperties());
        p.put("bootstrap.servers", broker.bootstrap(listener));
        p.put("request.timeout.ms", 5000);
        p.put("default.api.timeout.ms", 10000);
        return p;
    }

    private static void connects(String listener, KafkaSecurity s) throws Exception {
        try (Admin admin = Admin.create(props(listener, s))) {
            assertEquals(1, admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size());
        }
    }

    /** The failure a client with {@code s} meets, as the daemon would report it. */
    private static String refused(String listener, KafkaSecurity s, Class<? extends Exception> expected) {
        try (Admin admin = Admin.create(props(listener, s))) {
            long start = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "an authentication failure ends the call fast");
            assertTrue(expected.isInstance(e.getCause()), e.getCause().toString());
            String line = KafkaAuthFailure.describe(e, s);
            assertNotNull(line, "not recognised as an authentication failure: " + e.getCause());
            return line;
        }
    }

    private static Map<String, String> tls(Path truststore) {
        return Map.of("kafka.security.security_protocol", "ssl", "kafka.security.ssl.truststore", truststore.toString(),
                "kafka.security.ssl.truststore_password", SecureBroker.TRUSTSTORE_PASSWORD);
    }

    @Test
    void tlsWithThePrivateCaInPkcs12OrPem() throws Exception {
        connects("SSL", security(tls(broker.truststore)));
        connects("SSL", security(Map.of("kafka.security.security_protocol", "ssl",
                "kafka.security.ssl.truststore", broker.caPem.toString(), "kafka.security.ssl.truststore_type", "pem")));
    }

    @Test
    void anUnknownCaIsReportedAsSuch() {
        KafkaSecurity s = security(tls(broker.wrongTruststore));
        String line = refused("SSL", s, SslAuthenticationException.class);
        assertTrue(line.startsWith("TLS handshake with the Kafka brokers failed"), line);
        assertTrue(line.contains("not signed by a CA in kafka.security.ssl.truststore"), line);
        assertFalse(line.contains(SecureBroker.TRUSTSTORE_PASSWORD), line);
    }

    @Test
    void mutualTlsNeedsTheClientCertificate() throws Exception {
        Map<String, String> keys = new HashMap<>(tls(broker.truststore));
        keys.put("kafka.security.ssl.keystore", broker.clientKeystore.toString());
        keys.put("kafka.security.ssl.keystore_password", SecureBroker.CLIENT_KEYSTORE_PASSWORD);
        connects("MTLS", security(keys));

        KafkaSecurity without = security(tls(broker.truststore));
        String line = refused("MTLS", without, SslAuthenticationException.class);
        assertTrue(line.startsWith("TLS handshake with the Kafka brokers failed"), line);
    }

    @Test
    void scramOverTlsAndAWrongPassword() throws Exception {
        Map<String, String> keys = new HashMap<>(tls(broker.truststore));
        keys.put("kafka.security.security_protocol", "sasl_ssl");
        keys.put("kafka.security.sasl.username", "daemon-test");
        keys.put("kafka.security.sasl.password", SCRAM_PASSWORD);
        connects("SASL_SSL", security(keys));

        keys.put("kafka.security.sasl.password", "not-the-Pw-8812");
        KafkaSecurity wrong = security(keys);
        String line = refused("SASL_SSL", wrong, SaslAuthenticationException.class);
        assertTrue(line.startsWith("SASL authentication to the Kafka brokers failed for user daemon-test (SCRAM-SHA-512)"),
                line);
        assertFalse(line.contains("not-the-Pw-8812"), line);
        assertFalse(line.contains(SecureBroker.TRUSTSTORE_PASSWORD), line);
    }

    /** What Kafka's clients print of their configuration ("ProducerConfig values: ...") hides every password. */
    @Test
    void kafkasOwnConfigDumpHidesTheSecrets() {
        Map<String, String> keys = new HashMap<>(tls(broker.truststore));
        keys.put("kafka.security.security_protocol", "sasl_ssl");
        keys.put("kafka.security.sasl.username", "daemon-test");
        keys.put("kafka.security.sasl.password", SCRAM_PASSWORD);
        keys.put("kafka.security.ssl.keystore", broker.clientKeystore.toString());
        keys.put("kafka.security.ssl.keystore_password", SecureBroker.CLIENT_KEYSTORE_PASSWORD);
        keys.put("kafka.security.ssl.key_password", "separate-key-Pw-3321");
        KafkaSecurity s = security(keys);
        Map<String, Object> p = props("SASL_SSL", s);
        p.put("key.serializer", ByteArraySerializer.class);
        p.put("value.serializer", ByteArraySerializer.class);
        String dump = new ProducerConfig(p).values().toString();
        assertTrue(dump.contains("sasl.jaas.config=[hidden]"), dump);
        assertTrue(dump.contains("ssl.key.password=[hidden]"), dump);
        for (String secret : new String[] {SCRAM_PASSWORD, SecureBroker.TRUSTSTORE_PASSWORD,
                SecureBroker.CLIENT_KEYSTORE_PASSWORD, "separate-key-Pw-3321"}) {
            assertFalse(dump.contains(secret), "Kafka's config dump shows a secret");
            assertFalse(s.toString().contains(secret), s.toString());
        }
        assertEquals("x [hidden] y [hidden]", s.redact("x " + SCRAM_PASSWORD + " y separate-key-Pw-3321"));
    }
}
