package io.eastwatch.collector.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the collector's output topics if they are missing (the flows topic belongs to the agents' deployment). */
public final class TopicSetup {

    private TopicSetup() {
    }

    public static void ensure(IngestSettings ingest) throws InterruptedException {
        ensure(ingest, Map.of());
    }

    /** With the collector's TLS / SASL client properties ({@code kafka.security}). */
    public static void ensure(IngestSettings ingest, Map<String, Object> clientProperties) throws InterruptedException {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ingest.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("listing topics at " + ingest.bootstrapServers() + " failed", e.getCause());
            }
            List<NewTopic> create = new ArrayList<>();
            if (!existing.contains(ingest.alertsTopic())) {
                create.add(new NewTopic(ingest.alertsTopic(), Optional.empty(), Optional.empty()));
            }
            if (!existing.contains(ingest.deadLetterTopic())) {
                create.add(new NewTopic(ingest.deadLetterTopic(), Optional.empty(), Optional.empty()));
            }
            if (!existing.contains(ingest.stateTopic())) {
                create.add(new NewTopic(ingest.stateTopic(), Optional.of(1), Optional.empty()).configs(Map.of(
                        "cleanup.policy", "compact",
                        "max.message.bytes", String.valueOf(SnapshotStore.MAX_SNAPSHOT_BYTES))));
            }
            if (create.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(create).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topics " + create + " failed", e.getCause());
                }
            }
        }
    }
}
