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

    @Test
    void aSeparateKeyPasswordOnlyWithAKeyStore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path ks = java.nio.file.Files.writeString(dir.resolve("client.p12"), "x");
        KafkaSecurity s = load(Map.of("kafka.security_protocol", "ssl", "kafka.ssl.keystore", ks.toString(),
                "kafka.ssl.keystore_password", "store-pw", "kafka.ssl.key_password", "key-pw"));
        assertEquals("store-pw", s.clientProperties().get("ssl.keystore.password"));
        assertEquals("key-pw", s.clientProperties().get("ssl.key.password"));
        s = load(Map.of("kafka.security_protocol", "ssl", "kafka.ssl.keystore", ks.toString(),
                "kafka.ssl.keystore_password", "store-pw"));
        assertEquals("store-pw", s.clientProperties().get("ssl.key.password"), "unset: the store's password");

        ConfigException e = assertThrows(ConfigException.class,
                () -> load(Map.of("kafka.security_protocol", "ssl", "kafka.ssl.key_password", "key-pw")));
        assertTrue(e.getMessage().contains("kafka.ssl.key_password") && !e.getMessage().contains("key-pw"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load(Map.of("kafka.security_protocol", "ssl",
                "kafka.ssl.truststore", ks.toString(), "kafka.ssl.truststore_type", "pem",
                "kafka.ssl.truststore_password", "trust-pw")));
        assertTrue(e.getMessage().contains("kafka.ssl.truststore_password") && !e.getMessage().contains("trust-pw"),
                e.getMessage());
    }

    @Test
    void secretsFromAFileOrTheEnvironmentButNotBothWays(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("pw"), "from-file\n");
        Map<String, String> env = Map.of("EASTWATCH_KAFKA_SASL_PASSWORD", "from-env");
        Map<String, String> sasl = Map.of("kafka.security_protocol", "sasl_ssl", "kafka.sasl.username", "u");
        KafkaSecurity s = KafkaSecurity.from(def.parse(Map.of(), sasl, env::get, dir), "kafka");
        assertTrue(s.clientProperties().get("sasl.jaas.config").toString().contains("password=\"from-env\""));
        Map<String, String> withFile = new java.util.HashMap<>(sasl);
        withFile.put("kafka.sasl.password_file", "pw");
        s = KafkaSecurity.from(def.parse(Map.of(), withFile, env::get, dir), "kafka");
        assertTrue(s.clientProperties().get("sasl.jaas.config").toString().contains("password=\"from-file\""),
                "the file wins over the environment, its trailing newline dropped");
        withFile.put("kafka.sasl.password", "inline");
        ConfigException e = assertThrows(ConfigException.class, () -> def.parse(Map.of(), withFile, env::get, dir));
        assertTrue(e.getMessage().contains("kafka.sasl.password") && !e.getMessage().contains("inline"), e.getMessage());
    }
}
