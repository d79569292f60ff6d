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

/**
 * docs/config-collector.md against the loader, both ways: every key the loader accepts is
 * documented, and every key the document names is one the loader accepts. The kafka.security
 * table is generated from the shared declarations ({@code KafkaSecurity.define}); to regenerate it
 * after changing a security key:
 * {@code mvn -B -q -pl collector -am test -Dtest=CollectorConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Deastwatch.writeDocs=true}
 */
class CollectorConfigReferenceTest {

    private static final String BEGIN = "<!-- kafka.security keys: generated from KafkaSecurity.define by "
            + "CollectorConfigReferenceTest; do not edit by hand -->";
    private static final String END = "<!-- end of generated kafka.security keys -->";

    private static Path root() {
        String r = System.getProperty("eastwatch.root");
        return r != null ? Path.of(r) : Path.of("..");
    }

    private static Map<String, Set<String>> sections() {
        return Map.of("kafka", CollectorConfig.KAFKA, "detection", CollectorConfig.DETECTION,
                "ops", CollectorConfig.OPS, "delivery", CollectorConfig.DELIVERY, "webhooks[i]", CollectorConfig.WEBHOOK);
    }

    /** The kafka.security table, one row per declared key. */
    static String securityTable() {
        StringBuilder sb = new StringBuilder(BEGIN).append("\n\n| key | default | meaning |\n|---|---|---|\n");
        for (io.eastwatch.daemon.config.ConfigKey k : CollectorConfig.securityKeys()) {
            String meaning = k.doc().strip();
            if (k.validator() != null) {
                meaning += " Valid values: " + k.validator().describe() + ".";
            }
            if (k.secret()) {
                meaning += " Secret: never logged; also `" + k.name() + "_file` (a file holding it, relative to the "
                        + "configuration file) or the environment variable `"
                        + io.eastwatch.daemon.config.ConfigDef.envName(k.name()) + "`.";
            }
            sb.append("| `").append(k.name()).append("` | ")
                    .append(k.defaultValue() == null ? "" : "`" + k.defaultValue() + "`").append(" | ")
                    .append(meaning.replace("|", "\\|")).append(" |\n");
        }
        return sb.append("\n").append(END).toString();
    }

    @Test
    void theSecurityTableIsGeneratedFromTheDeclarations() throws Exception {
        Path file = root().resolve("docs/config-collector.md");
        String doc = Files.readString(file);
        int a = doc.indexOf(BEGIN);
        int b = doc.indexOf(END);
        assertTrue(a >= 0 && b > a, "the generated kafka.security block is missing from " + file);
        String current = doc.substring(a, b + END.length());
        if (Boolean.getBoolean("eastwatch.writeDocs")) {
            doc = doc.substring(0, a) + securityTable() + doc.substring(b + END.length());
            Files.writeString(file, doc);
            current = securityTable();
        }
        assertEquals(securityTable(), current, file + ": the kafka.security table is stale; regenerate it (see this "
                + "test's javadoc)");
    }

    @Test
    void everyAcceptedKeyIsDocumented() throws Exception {
        String doc = Files.readString(root().resolve("docs/config-collector.md"));
        List<String> missing = new ArrayList<>();
        sections().forEach((section, keys) -> keys.forEach(k -> {
            String key = k.endsWith("_file") ? k.substring(0, k.length() - 5) : k;
            if (!doc.contains("`" + section + "." + key + "`")) {
                missing.add(section + "." + k);
            }
        }));
        for (io.eastwatch.daemon.config.ConfigKey k : CollectorConfig.securityKeys()) {
            if (!doc.contains("`" + k.name() + "`")) {
                missing.add(k.name());
            }
            if (k.secret() && !doc.contains("`" + io.eastwatch.daemon.config.ConfigDef.envName(k.name()) + "`")) {
                missing.add(io.eastwatch.daemon.config.ConfigDef.envName(k.name()));
            }
        }
        for (String s : CollectorConfig.SECTIONS) {
            assertTrue(doc.contains("## " + s), "section " + s);
        }
        assertEquals(List.of(), missing, "keys the loader accepts but docs/config-collector.md does not name");
    }

    @Test
    void everyDocumentedKeyIsAccepted() throws Exception {
        String doc = Files.readString(root().resolve("docs/config-collector.md"));
        Set<String> security = new java.util.HashSet<>();
        for (io.eastwatch.daemon.config.ConfigKey k : CollectorConfig.securityKeys()) {
            security.add(k.name());
            if (k.secret()) {
                security.add(k.name() + "_file");
            }
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("`(kafka|detection|ops|delivery|webhooks\\[i])\\.([a-z0-9_.]+)`").matcher(doc);
        List<String> unknown = new ArrayList<>();
        int seen = 0;
        while (m.find()) {
            seen++;
            String section = m.group(1);
            String key = m.group(2);
            boolean known = section.equals("kafka") && key.startsWith("security.")
                    ? security.contains("kafka." + key)
                    : sections().get(section).contains(key);
            if (!known) {
                unknown.add(section + "." + key);
            }
        }
        assertTrue(seen > 40, "the pattern found only " + seen + " keys: is the document's format changed?");
        assertEquals(List.of(), unknown, "keys docs/config-collector.md names but the loader does not accept");
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
