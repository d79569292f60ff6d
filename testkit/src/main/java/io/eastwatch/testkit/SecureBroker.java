package io.eastwatch.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * A private CA ({@link TestPki}: the broker's certificate for localhost and 127.0.0.1, a client
 * certificate, and an unrelated second CA), and one KRaft broker with four listeners:
 * the test kit's plaintext one for the test's own admin, SSL, MTLS (SSL requiring a client
 * certificate) and SASL_SSL (SCRAM-SHA-512). One per test class: the broker starts in ~3 s.
 *
 * <p>The same fixture is in the agent's and the collector's test sources (modules do not share
 * test code).
 */
public final class SecureBroker implements AutoCloseable {

    public static final String CA_PASSWORD = "ca-store-Qx81";
    public static final String TRUSTSTORE_PASSWORD = "trust-store-Vb27";
    public static final String BROKER_PASSWORD = "broker-store-Lm55";
    public static final String CLIENT_KEYSTORE_PASSWORD = "client-store-Zt93";

    public final Path dir;
    /** PKCS12 with the test CA's certificate. */
    public final Path truststore;
    /** The test CA's certificate, PEM. */
    public final Path caPem;
    /** PKCS12 with an unrelated CA: every broker certificate fails against it. */
    public final Path wrongTruststore;
    /** PKCS12 with the client's key and certificate (signed by the test CA), for MTLS. */
    public final Path clientKeystore;
    public final KafkaClusterTestKit kafka;

    public SecureBroker(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        caPem = dir.resolve("ca.pem");
        truststore = dir.resolve("truststore.p12");
        wrongTruststore = dir.resolve("wrong-truststore.p12");
        clientKeystore = dir.resolve("client.p12");
        Path brokerKeystore = dir.resolve("broker.p12");
        TestPki ca = new TestPki("eastwatch test CA");
        ca.writePem(caPem);
        ca.writeTruststore(truststore, TRUSTSTORE_PASSWORD);
        new TestPki("unrelated test CA").writeTruststore(wrongTruststore, TRUSTSTORE_PASSWORD);
        TestPki.writeKeystore(clientKeystore, ca.issue("eastwatch-test-client", new String[0], new byte[0][]),
                CLIENT_KEYSTORE_PASSWORD);
        TestPki.writeKeystore(brokerKeystore, ca.issue("localhost", new String[] {"localhost"},
                new byte[][] {{127, 0, 0, 1}}), BROKER_PASSWORD);

        kafka = TestBroker.start(TestBroker.singleNode(2)
                // the test kit's own listeners keep their pre-bound ports; the others bind any free port
                .setConfigProp("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SSL://localhost:0,"
                        + "MTLS://localhost:0,SASL_SSL://localhost:0")
                .setConfigProp("listener.security.protocol.map",
                        "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL")
                .setConfigProp("ssl.keystore.location", brokerKeystore.toString())
                .setConfigProp("ssl.keystore.type", "PKCS12")
                .setConfigProp("ssl.keystore.password", BROKER_PASSWORD)
                .setConfigProp("ssl.key.password", BROKER_PASSWORD)
                .setConfigProp("ssl.truststore.location", truststore.toString())
                .setConfigProp("ssl.truststore.type", "PKCS12")
                .setConfigProp("ssl.truststore.password", TRUSTSTORE_PASSWORD)
                .setConfigProp("listener.name.mtls.ssl.client.auth", "required")
                .setConfigProp("sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .setConfigProp("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"));
    }

    /** localhost:port of one listener (SSL, MTLS, SASL_SSL). */
    public String bootstrap(String listener) {
        return "localhost:" + kafka.brokers().values().iterator().next().boundPort(ListenerName.normalised(listener));
    }

    /** The test's own admin, over the plaintext listener. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** A SCRAM-SHA-512 user for the SASL_SSL listener; returns once the broker accepts the login. */
    public void addScramUser(String user, String password) throws Exception {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> p = new java.util.HashMap<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap("SASL_SSL"),
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "ssl.truststore.location", caPem.toString(), "ssl.truststore.type", "PEM"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (true) {
            try (Admin a = Admin.create(p)) {
                a.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the credential reaches the broker's cache through the metadata log, shortly after
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            kafka.close();
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
