package io.eastwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.kafka.KafkaSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every collector example of docs/kafka-security.md loads through the collector's configuration, with its files in place. */
class KafkaSecurityDocTest {

    @Test
    void everyCollectorExampleLoads(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("eastwatch.root", "..")).resolve("docs/kafka-security.md"));
        Matcher block = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> protocols = new ArrayList<>();
        int n = 0;
        while (block.find()) {
            String yaml = block.group(1);
            if (!yaml.startsWith("kafka:")) {
                continue;
            }
            Matcher file = Pattern.compile("/etc/eastwatch/([A-Za-z0-9._-]+)").matcher(yaml);
            while (file.find()) {
                Files.writeString(dir.resolve(file.group(1)), "from-a-file\n");
            }
            Path cfg = dir.resolve("collector-" + n++ + ".yaml");
            Files.writeString(cfg, yaml.replace("/etc/eastwatch/", dir + "/"));
            Map<String, String> env = Map.of("EASTWATCH_KAFKA_SECURITY_SSL_KEYSTORE_PASSWORD", "from-the-environment");
            KafkaSecurity s = CollectorConfig.load(cfg, env::get).security();
            protocols.add(s.protocol());
            Map<String, Object> p = s.clientProperties();
            if (s.protocol().startsWith("SASL")) {
                assertTrue(p.get("sasl.jaas.config").toString().contains("password=\"from-a-file\""),
                        "the _file's trailing newline is dropped");
            }
            if (p.containsKey("ssl.keystore.location")) {
                assertEquals("from-the-environment", p.get("ssl.keystore.password"));
            }
        }
        assertEquals(List.of("SSL", "SSL", "SASL_SSL"), protocols, "the collector examples: TLS, mutual TLS, SASL_SSL");
    }
}
