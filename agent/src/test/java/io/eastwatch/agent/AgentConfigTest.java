package io.eastwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

    @TempDir
    Path dir;

    private AgentConfig load(String yaml) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, yaml);
        return AgentConfig.load(f, Map.of());
    }

    @Test
    void defaultsAreUsableAndDocumented() {
        AgentConfig c = AgentConfig.load(null, Map.of());
        assertEquals(AgentConfig.Output.KAFKA, c.output());
        assertEquals(128, c.capture().snaplen());
        assertTrue(c.capture().autoDiscover());
        assertEquals(Duration.ofSeconds(3), c.flowTable().unansweredTimeout());
        assertEquals("127.0.0.1", c.ops().bindAddress());
        assertEquals("eastwatch.flows", c.export().topic());
        assertFalse(c.agent().id().isBlank());
        assertTrue(c.effective().contains("capture.buffer_size = 32MiB"), c.effective().toString());
    }

    @Test
    void fullFileMapsOntoRecords() throws Exception {
        AgentConfig c = load("""
                agent: {id: node-05, host: node-05.example}
                capture:
                  interfaces: [docker0]
                  auto_discover: false
                  snaplen: 256
                  buffer_size: 64MiB
                  bpf_filter: "not port 22"
                flow_table: {max_flows: 1000, unanswered_timeout: 5s, emergency: {high_water: 0.8, low_water: 0.5}}
                identity: {docker: {enabled: false}, inventory: {file: /tmp/inv.json}, grace_period: 500ms}
                export:
                  kafka: {bootstrap_servers: "k1:9092,k2:9092"}
                  compression: zstd
                  spool: {max_bytes: 10MiB}
                ops: {bind_address: "::1", port: 0}
                output: json
                """);
        assertEquals("node-05", c.agent().id());
        assertEquals(List.of("docker0"), c.capture().interfaces());
        assertEquals(64 << 20, c.capture().bufferBytes());
        assertEquals("not port 22", c.capture().bpfFilter());
        assertEquals(1000, c.flowTable().maxFlows());
        assertEquals(0.5, c.flowTable().emergencyLowWater());
        assertFalse(c.identity().dockerEnabled());
        assertEquals(Path.of("/tmp/inv.json"), c.identity().inventoryFile());
        assertEquals(Duration.ofMillis(500), c.identity().gracePeriod());
        assertEquals(List.of("k1:9092", "k2:9092"), c.export().bootstrapServers());
        assertEquals(10L << 20, c.export().spoolMaxBytes());
        assertEquals("::1", c.ops().bindAddress());
        assertEquals(AgentConfig.Output.JSON, c.output());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            capture.snaplen: 10                                        | capture.snaplen              | Invalid value 10 for configuration capture.snaplen: must be at least 64
            capture: {ring_slots: 1000}                                | capture.ring_slots           | Invalid value 1000 for configuration capture.ring_slots: must be a power of two
            capture: {auto_discover: false}                            | capture.interfaces           | Invalid value [] for configuration capture.interfaces: must name at least one interface when capture.auto_discover is false
            flow_table: {emergency: {low_water: 0.95}}                 | flow_table.emergency.low_water | Invalid value 0.95 for configuration flow_table.emergency.low_water: must be less than flow_table.emergency.high_water (0.9)
            flow_table: {idle_timeout: 5s}                             | flow_table.emergency.idle_timeout | Invalid value 10s for configuration flow_table.emergency.idle_timeout: must be at most flow_table.idle_timeout (5s)
            export: {compression: brotli}                              | export.compression           | Invalid value brotli for configuration export.compression: must be one of [none, gzip, snappy, lz4, zstd]
            export: {kafka: {bootstrap_servers: [kafka]}}              | export.kafka.bootstrap_servers | Invalid value kafka for configuration export.kafka.bootstrap_servers: must be host:port
            identity: {container_networks: [10.0.0.0]}                 | identity.container_networks  | Invalid value 10.0.0.0 for configuration identity.container_networks: must be a CIDR prefix such as 10.244.0.0/16
            ops: {port: 70000}                                         | ops.port                     | Invalid value 70000 for configuration ops.port: must be no more than 65535
            ops: {bind_address: everywhere}                            | ops.bind_address             | Invalid value everywhere for configuration ops.bind_address: must be a literal IPv4 or IPv6 address
            agent: {id: 'bad id'}                                      | agent.id                     | Invalid value bad id for configuration agent.id: must be 1 to 63 letters, digits, '.', '_' or '-'
            identity: {grace: 2s}                                      | identity.grace               | Unknown configuration key identity.grace
            """)
    void badValuesNameTheKey(String yaml, String key, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
        assertEquals(message, e.getMessage());
        assertEquals(key, e.key());
    }
}
