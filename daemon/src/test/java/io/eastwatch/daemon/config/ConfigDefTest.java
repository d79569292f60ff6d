package io.eastwatch.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigDefTest {

    private static ConfigDef def() {
        return new ConfigDef()
                .define("name", ConfigType.STRING, ConfigDef.REQUIRED, ConfigValidator.nonEmpty(), "The name.")
                .define("capture.snaplen", ConfigType.INT, 128, ConfigValidator.range(64, 65535), "Snap length.")
                .define("capture.promiscuous", ConfigType.BOOLEAN, false, "Promiscuous mode.")
                .define("capture.interfaces", ConfigType.LIST, List.of(), "Interfaces.")
                .define("flow.idle_timeout", ConfigType.DURATION, "30s",
                        ConfigValidator.durationRange(Duration.ofSeconds(1), Duration.ofHours(1)), "Idle timeout.")
                .define("spool.max_bytes", ConfigType.SIZE, "64MiB", ConfigValidator.atLeast(1 << 20), "Spool size.")
                .define("ratio", ConfigType.DOUBLE, 0.5, ConfigValidator.range(0.0, 1.0), "A ratio.")
                .define("output", ConfigType.STRING, "kafka", ConfigValidator.oneOf("kafka", "json"), "Output.")
                .define("ops.bind", ConfigType.STRING, "127.0.0.1", ConfigValidator.ipAddress(), "Bind address.")
                .define("kafka.password", ConfigType.SECRET, null, "SASL password.");
    }

    private static ConfigValues parseYaml(String yaml) {
        return parseYaml(yaml, Map.of());
    }

    private static ConfigValues parseYaml(String yaml, Map<String, String> env) {
        Map<String, Object> root = ConfigDef.parseYaml(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
        return def().parse(root, Map.of(), env::get, null);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parseYaml(yaml)).getMessage();
    }

    @Test
    void nestedAndDottedKeysParseToTypedValues() {
        ConfigValues v = parseYaml("""
                name: edge-1
                capture:
                  snaplen: "256"
                  interfaces: [eth0, docker0]
                capture.promiscuous: yes
                flow: {idle_timeout: 2m}
                spool: {max_bytes: 2GiB}
                ratio: 0.25
                """);
        assertEquals("edge-1", v.getString("name"));
        assertEquals(256, v.getInt("capture.snaplen"));
        assertTrue(v.getBoolean("capture.promiscuous"));
        assertEquals(List.of("eth0", "docker0"), v.getList("capture.interfaces"));
        assertEquals(Duration.ofMinutes(2), v.getDuration("flow.idle_timeout"));
        assertEquals(2L << 30, v.getLong("spool.max_bytes"));
        assertEquals(0.25, v.getDouble("ratio"));
        assertEquals("kafka", v.getString("output"));
        assertFalse(v.isSet("kafka.password"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key     | name: a\\nsnaplen: 96                         | Unknown configuration key snaplen
            unknown nested key, hint  | name: a\\ncapture: {snaplenn: 96}             | Unknown configuration key capture.snaplenn (did you mean capture.snaplen?)
            unknown section           | name: a\\nexporter: {topic: x}                | Unknown configuration key exporter
            wrong type int            | name: a\\ncapture: {snaplen: big}             | Invalid value big for configuration capture.snaplen: must be an integer
            wrong type boolean        | name: a\\ncapture: {promiscuous: 3}           | Invalid value 3 for configuration capture.promiscuous: must be true or false
            wrong type list           | name: a\\ncapture: {interfaces: {a: 1}}       | Invalid value {a=1} for configuration capture.interfaces: must be a list
            mapping for a scalar      | name: a\\noutput: {mode: json}                | Invalid value {mode=json} for configuration output: must be a string
            below minimum             | name: a\\ncapture: {snaplen: 10}              | Invalid value 10 for configuration capture.snaplen: must be at least 64
            above maximum             | name: a\\ncapture: {snaplen: 70000}           | Invalid value 70000 for configuration capture.snaplen: must be no more than 65535
            duration below minimum    | name: a\\nflow: {idle_timeout: 500ms}         | Invalid value PT0.5S for configuration flow.idle_timeout: must be at least 1s
            bad duration              | name: a\\nflow: {idle_timeout: soon}          | Invalid value soon for configuration flow.idle_timeout: must be a duration such as 500ms, 30s, 5m, 2h or 1d
            bad size                  | name: a\\nspool: {max_bytes: lots}            | Invalid value lots for configuration spool.max_bytes: must be a size in bytes such as 1048576, 512KiB, 64MiB or 2GiB
            size below minimum        | name: a\\nspool: {max_bytes: 1KiB}            | Invalid value 1024 for configuration spool.max_bytes: must be at least 1048576
            double out of range       | name: a\\nratio: 1.5                          | Invalid value 1.5 for configuration ratio: must be no more than 1.0
            not one of                | name: a\\noutput: xml                         | Invalid value xml for configuration output: must be one of [kafka, json]
            not an address            | name: a\\nops: {bind: localhost}              | Invalid value localhost for configuration ops.bind: must be a literal IPv4 or IPv6 address
            empty value with default  | name: a\\ncapture: {snaplen: }                | Invalid value null for configuration capture.snaplen: must not be empty (remove the key to use the default 128)
            missing required          | capture: {snaplen: 96}                        | Missing required configuration name: The name.
            empty required            | name: ''                                      | Invalid value  for configuration name: must not be empty
            set twice                 | name: a\\ncapture: {snaplen: 96}\\ncapture.snaplen: 97 | Configuration capture.snaplen is set twice
            """)
    void everyKindOfErrorNamesTheKey(String kind, String yaml, String expected) {
        assertEquals(expected, error(yaml.replace("\\n", "\n")), kind);
    }

    @Test
    void malformedYamlAndNonMappingAreConfigErrors() {
        assertTrue(error("name: [unclosed").startsWith("Configuration file test.yaml is not valid YAML"));
        assertEquals("Configuration file test.yaml must be a YAML mapping of keys to values", error("- a\n- b"));
        assertTrue(error("name: a\nname: b").contains("not valid YAML"), "duplicate keys are refused");
    }

    @Test
    void exceptionCarriesTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> parseYaml("name: a\ncapture: {snaplen: 1}"));
        assertEquals("capture.snaplen", e.key());
    }

    @Test
    void secretComesFromFileOrEnvironmentAndIsMasked(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "s3cret\n");
        ConfigValues fromFile = parseYaml("name: a\nkafka: {password_file: " + file + "}");
        assertEquals("s3cret", fromFile.getSecret("kafka.password").reveal());
        assertTrue(fromFile.describe().contains("kafka.password = [hidden]"), fromFile.describe().toString());
        assertFalse(fromFile.describe().toString().contains("s3cret"));

        ConfigValues fromEnv = parseYaml("name: a", Map.of("EASTWATCH_KAFKA_PASSWORD", "envpw"));
        assertEquals("envpw", fromEnv.getSecret("kafka.password").reveal());

        ConfigValues inline = parseYaml("name: a\nkafka: {password: inline}", Map.of("EASTWATCH_KAFKA_PASSWORD", "envpw"));
        assertEquals("inline", inline.getSecret("kafka.password").reveal(), "the file wins over the environment");

        assertEquals("Configuration kafka.password and kafka.password_file are both set: set only one",
                error("name: a\nkafka: {password: x, password_file: " + file + "}"));
        String missing = error("name: a\nkafka: {password_file: " + dir.resolve("nope") + "}");
        assertTrue(missing.startsWith("Invalid value " + dir.resolve("nope") + " for configuration kafka.password_file: cannot be read"), missing);
        assertEquals("Unknown configuration key name_file", error("name: a\nname_file: /x"),
                "only secrets have a _file form");
    }

    @Test
    void overridesAreValidatedLikeTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "name: a\noutput: kafka\n");
        assertEquals("json", def().load(file, Map.of("output", "json")).getString("output"));
        assertEquals("Invalid value xml for configuration output: must be one of [kafka, json]",
                assertThrows(ConfigException.class, () -> def().load(file, Map.of("output", "xml"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> def().load(dir.resolve("missing.yaml"), Map.of()))
                .getMessage().startsWith("Cannot read configuration file"));
    }

    @Test
    void badDefaultOrDuplicateDeclarationFailsAtDeclaration() {
        assertThrows(ConfigException.class, () -> new ConfigDef()
                .define("x", ConfigType.INT, 1, ConfigValidator.atLeast(2), "x"));
        assertThrows(IllegalArgumentException.class, () -> new ConfigDef()
                .define("x", ConfigType.INT, 1, "x").define("x", ConfigType.INT, 1, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ConfigDef()
                .define("x", ConfigType.INT, 1, "x").define("x.y", ConfigType.INT, 1, "x"));
    }

    @Test
    void describeRendersUserFormsAndMarkdownListsEveryKey() {
        ConfigValues v = parseYaml("name: a");
        assertTrue(v.describe().contains("flow.idle_timeout = 30s"));
        assertTrue(v.describe().contains("spool.max_bytes = 64MiB"));
        String md = def().toMarkdown("Test configuration", "Intro.");
        for (ConfigKey k : def().keys()) {
            assertTrue(md.contains("### `" + k.name() + "`"), k.name());
        }
        assertTrue(md.contains("- Default: `30s`"));
        assertTrue(md.contains("- Valid values: [64,...,65535]"));
        assertTrue(md.contains("`EASTWATCH_KAFKA_PASSWORD`"));
    }
}
