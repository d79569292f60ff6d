package io.eastwatch.launcher;

import io.eastwatch.testkit.SecureBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorApp;
import io.eastwatch.collector.CollectorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent to collector through a broker that accepts only TLS: {@code eastwatch agent} exports the
 * flows of a capture over mutual TLS (client certificate, key store password from a file), the
 * collector consumes and commits them over SASL_SSL (SCRAM, password from a file). Neither
 * password appears in the agent's output.
 */
class KafkaTlsEndToEndTest {

    @Test
    @Timeout(180)
    void agentOverMutualTlsToCollectorOverSaslSsl(@TempDir Path dir) throws Exception {
        try (SecureBroker broker = new SecureBroker(dir.resolve("pki"))) {
            broker.createTopic("e2e.flows", 1);
            broker.addScramUser("collector", "e2e-scram-Pw-9034");
            Files.writeString(dir.resolve("keystore.pass"), SecureBroker.CLIENT_KEYSTORE_PASSWORD + "\n");
            Files.writeString(dir.resolve("scram.pass"), "e2e-scram-Pw-9034\n");

            Path agentCfg = dir.resolve("agent.yaml");
            Files.writeString(agentCfg, """
                    agent: {id: e2e-agent}
                    export:
                      topic: e2e.flows
                      state_dir: %s
                      spool: {dir: %s}
                      kafka:
                        bootstrap_servers: [%s]
                        security_protocol: ssl
                        ssl: {truststore: %s, truststore_type: pem, keystore: %s, keystore_password_file: keystore.pass}
                    ops: {enabled: false}
                    """.formatted(dir.resolve("state"), dir.resolve("spool"), broker.bootstrap("MTLS"), broker.caPem,
                    broker.clientKeystore));
            MainTest.Outcome agent = MainTest.launch("agent", "--config", agentCfg.toString(),
                    "--pcap", AgentPcapJsonTest.pcaps().resolve("scans/port_scan_10ports.pcap").toString());
            assertEquals(0, agent.status(), agent.err());
            assertFalse(agent.out().contains(SecureBroker.CLIENT_KEYSTORE_PASSWORD)
                    || agent.err().contains(SecureBroker.CLIENT_KEYSTORE_PASSWORD));

            Path collectorCfg = dir.resolve("collector.yaml");
            Files.writeString(collectorCfg, """
                    kafka:
                      bootstrap_servers: %s
                      group_id: e2e
                      flows_topic: e2e.flows
                      alerts_topic: e2e.alerts
                      dead_letter_topic: e2e.dlq
                      state_topic: e2e.state
                      instance_id: e2e-collector
                      commit_interval: 200ms
                      security:
                        security_protocol: sasl_ssl
                        sasl: {username: collector, password_file: scram.pass}
                        ssl: {truststore: %s, truststore_password_file: %s}
                    ops: {listen: "off"}
                    """.formatted(broker.bootstrap("SASL_SSL"), broker.truststore, "truststore.pass"));
            Files.writeString(dir.resolve("truststore.pass"), SecureBroker.TRUSTSTORE_PASSWORD + "\n");
            CollectorConfig cfg = CollectorConfig.load(collectorCfg);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CollectorApp app = new CollectorApp(cfg.ingest(), cfg.detection(), registry, null);
            app.security(cfg.security());
            app.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (registry.counter("eastwatch.collector.flows.ingested").count() < 10) {
                    assertTrue(System.nanoTime() < deadline && app.failure() == null,
                            "the collector did not ingest the agent's 10 flows; failure: " + app.failure());
                    Thread.sleep(100);
                }
            } finally {
                app.close();
            }
            assertNull(app.failure());
            assertEquals(10.0, registry.counter("eastwatch.collector.flows.ingested").count(), "each flow once");
        }
    }
}
