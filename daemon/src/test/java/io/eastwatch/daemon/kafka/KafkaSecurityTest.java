package io.eastwatch.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.config.ConfigDef;
import io.eastwatch.daemon.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {
    private final ConfigDef def = KafkaSecurity.define(new ConfigDef(), "kafka");

    private KafkaSecurity load(Map<String, String> values) {
        return KafkaSecurity.from(def.defaults(values), "kafka");
    }

    @Test
    void plaintextByDefault() {
        KafkaSecurity s = load(Map.of());
        assertEquals(Map.of("security.protocol", "PLAINTEXT"), s.clientProperties());
    }

    @Test
    void scramJaasConfigEscapesAndNeverShowsThePassword() {
        KafkaSecurity s = load(Map.of("kafka.security_protocol", "sasl_ssl", "kafka.sasl.username", "agent\"1",
                "kafka.sasl.password", "p\\w\"d"));
        Map<String, Object> p = s.clientProperties();
        assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"agent\\\"1\" "
                + "password=\"p\\\\w\\\"d\";", p.get("sasl.jaas.config"));
        assertEquals("https", p.get("ssl.endpoint.identification.algorithm"));
        assertFalse(s.toString().contains("p\\w"), s.toString());
    }

    @Test
    void crossKeyRulesNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load(Map.of("kafka.security_protocol", "sasl_plaintext", "kafka.sasl.password", "x")));
        assertTrue(e.getMessage().contains("kafka.sasl.username"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> load(Map.of("kafka.security_protocol", "sasl_plaintext", "kafka.sasl.username", "u")));
        assertTrue(e.getMessage().contains("kafka.sasl.password"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load(Map.of("kafka.security_protocol", "tls")));
        assertTrue(e.getMessage().contains("kafka.security_protocol"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> load(Map.of("kafka.security_protocol", "ssl", "kafka.ssl.truststore", "/nonexistent/ca.p12")));
        assertTrue(e.getMessage().contains("kafka.ssl.truststore") && e.getMessage().contains("readable"), e.getMessage());
    }
}
