package io.eastwatch.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.agent.AgentConfig;
import io.eastwatch.daemon.config.ConfigDef;
import io.eastwatch.daemon.kafka.KafkaSecurity;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every agent example of docs/kafka-security.md loads through the agent's configuration, with its files in place. */
class KafkaSecurityDocTest {

    @Test
    void everyAgentExampleLoads(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("eastwatch.root", "..")).resolve("docs/kafka-security.md"));
        Matcher block = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> protocols = new ArrayList<>();
        while (block.find()) {
            String yaml = block.group(1);
            if (!yaml.startsWith("export:")) {
                continue;
            }
            Matcher file = Pattern.compile("/etc/eastwatch/([A-Za-z0-9._-]+)").matcher(yaml);
            while (file.find()) {
                Files.writeString(dir.resolve(file.group(1)), "from-a-file\n");
            }
            yaml = yaml.replace("/etc/eastwatch/", dir + "/");
            Map<String, Object> root = ConfigDef.parseYaml(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                    "docs/kafka-security.md");
            Map<String, String> env = Map.of("EASTWATCH_EXPORT_KAFKA_SASL_PASSWORD", "from-the-environment");
            KafkaSecurity s = AgentConfig.from(AgentConfig.DEFINITION.parse(root, Map.of(), env::get, dir)).export().security();
            protocols.add(s.protocol());
            Map<String, Object> p = s.clientProperties();
            if (s.protocol().startsWith("SASL")) {
                assertTrue(p.get("sasl.jaas.config").toString().contains("password=\"from-the-environment\""));
            }
            if (p.containsKey("ssl.truststore.password")) {
                assertEquals("from-a-file", p.get("ssl.truststore.password"), "the _file's trailing newline is dropped");
            }
        }
        assertEquals(List.of("SSL", "SSL", "SASL_SSL"), protocols, "the agent examples: TLS, mutual TLS, SASL_SSL");
    }
}
