package io.eastwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/config-collector.md names every key the loader accepts; the new sections load and fail by name. */
class CollectorConfigReferenceTest {

    private static Path root() {
        String r = System.getProperty("eastwatch.root");
        return r != null ? Path.of(r) : Path.of("..");
    }

    @Test
    void everyAcceptedKeyIsDocumented() throws Exception {
        String doc = Files.readString(root().resolve("docs/config-collector.md"));
        List<String> missing = new ArrayList<>();
        Map<String, Set<String>> sections = Map.of("kafka", CollectorConfig.KAFKA, "detection", CollectorConfig.DETECTION,
                "ops", CollectorConfig.OPS, "delivery", CollectorConfig.DELIVERY, "webhooks[i]", CollectorConfig.WEBHOOK);
        sections.forEach((section, keys) -> keys.forEach(k -> {
            String key = k.endsWith("_file") ? k.substring(0, k.length() - 5) : k;
            if (!doc.contains("`" + section + "." + key)) {
                missing.add(section + "." + k);
            }
        }));
        for (String s : CollectorConfig.SECTIONS) {
            assertTrue(doc.contains("## " + s), "section " + s);
        }
        assertEquals(List.of(), missing, "keys the loader accepts but docs/config-collector.md does not name");
    }

    @Test
    void opsWebhooksAndSecurityLoad(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("soc.secret");
        Files.writeString(secret, "from-a-file\n");
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, """
                kafka:
                  bootstrap_servers: 127.0.0.1:9092
                  security: {security_protocol: sasl_plaintext, sasl: {mechanism: plain, username: c, password: p}}
                ops: {listen: "127.0.0.1:0", api_tokens: ["0123456789abcdef"]}
                webhooks:
                  - {name: soc, url: "http://127.0.0.1:1/h", secret_file: %s, min_severity: high}
                """.formatted(secret));
        CollectorConfig c = CollectorConfig.load(cfg);
        assertEquals("SASL_PLAINTEXT", c.security().clientProperties().get("security.protocol"));
        assertEquals("from-a-file", c.webhooks().get(0).secret());
        assertEquals(List.of("0123456789abcdef"), c.apiTokens());

        Files.writeString(cfg, "kafka: {bootstrap_servers: x:1}\nwebhooks:\n  - {name: soc}\n");
        var e = org.junit.jupiter.api.Assertions.assertThrows(CollectorConfig.ConfigError.class, () -> CollectorConfig.load(cfg));
        assertTrue(e.getMessage().startsWith("webhooks[0].url"), e.getMessage());
        Files.writeString(cfg, "kafka: {bootstrap_servers: x:1}\nops: {api_tokens: [short]}\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(CollectorConfig.ConfigError.class, () -> CollectorConfig.load(cfg));
        assertTrue(e.getMessage().startsWith("ops.api_tokens"), e.getMessage());
        assertTrue(!e.getMessage().contains("short"), "a token never appears in a message");
        Files.writeString(cfg, "kafka: {bootstrap_servers: x:1, security: {security_protocol: sasl_ssl}}\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(CollectorConfig.ConfigError.class, () -> CollectorConfig.load(cfg));
        assertTrue(e.getMessage().contains("kafka.security.sasl.username"), e.getMessage());
    }
}
