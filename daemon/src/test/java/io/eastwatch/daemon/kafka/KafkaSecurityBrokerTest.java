package io.eastwatch.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.config.ConfigDef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;

/** The SASL settings against a real broker with a SASL_PLAINTEXT listener (PLAIN). */
class KafkaSecurityBrokerTest {

    private static Map<String, Object> props(KafkaClusterTestKit kafka, String user, String password) {
        ConfigDef def = KafkaSecurity.define(new ConfigDef(), "kafka");
        KafkaSecurity s = KafkaSecurity.from(def.defaults(Map.of("kafka.security_protocol", "sasl_plaintext",
                "kafka.sasl.mechanism", "plain", "kafka.sasl.username", user, "kafka.sasl.password", password)), "kafka");
        Map<String, Object> p = new HashMap<>(s.clientProperties());
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("request.timeout.ms", 5000);
        p.put("default.api.timeout.ms", 8000);
        return p;
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void saslPlainAuthenticatesAndRefusesAWrongPassword() throws Exception {
        try (KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT).build())
                // the controller listener stays plaintext inside the one process: let it register
                .setConfigProp("super.users", "User:plain-admin;User:ANONYMOUS")
                .build()) {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            try (Admin admin = Admin.create(props(kafka, "plain-admin", "plain-admin-secret"))) {
                assertEquals(1, admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size());
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("secured", 1, (short) 1)))
                        .all().get(10, TimeUnit.SECONDS);
            }
            try (Admin admin = Admin.create(props(kafka, "plain-admin", "wrong-password"))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof SaslAuthenticationException, e.getCause().toString());
            }
        }
    }
}
