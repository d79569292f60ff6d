package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeMetadataTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void dockerStateNamesTheComposeService() throws Exception {
        var md = RuntimeMetadata.fromDocker(JSON.readTree(Fixtures.text("runtime/docker-config.v2.json")));
        assertEquals("lab-web-001", md.name());
        assertEquals("lab/web:1", md.image());
        assertEquals("lab/web", Workloads.of(md.labels(), md.image(), md.name()));
    }

    @Test
    void containerdCriAnnotationsNameThePodAndItsOwner() throws Exception {
        var md = RuntimeMetadata.fromOci(JSON.readTree(Fixtures.text("runtime/containerd-k8s-config.json")));
        assertEquals("cart-7d9f8b6c5d-x2x4q", md.name());
        assertEquals("registry.local/shop/cart:2.3.1", md.image());
        assertFalse(md.sandbox());
        assertEquals("shop/cart", Workloads.of(md.labels(), md.image(), md.name()));
        assertTrue(RuntimeMetadata.fromOci(JSON.readTree(Fixtures.text("runtime/containerd-k8s-sandbox-config.json"))).sandbox());
    }

    @Test
    void crioPodLabelsGiveTheAppName() throws Exception {
        var md = RuntimeMetadata.fromOci(JSON.readTree(Fixtures.text("runtime/crio-config.json")));
        assertEquals("payments-api-0", md.name());
        assertEquals("billing/payments", Workloads.of(md.labels(), md.image(), md.name()));
    }

    @Test
    void findsBundlesInContainerdAndCrioLayouts(@TempDir Path dir) throws Exception {
        String k8sId = "a".repeat(64);
        String crioId = "b".repeat(64);
        Path containerd = dir.resolve("containerd");
        Files.createDirectories(containerd.resolve("k8s.io").resolve(k8sId));
        Files.writeString(containerd.resolve("k8s.io").resolve(k8sId).resolve("config.json"),
                Fixtures.text("runtime/containerd-k8s-config.json"));
        Path crio = dir.resolve("crio");
        Files.createDirectories(crio.resolve(crioId).resolve("userdata"));
        Files.writeString(crio.resolve(crioId).resolve("userdata/config.json"), Fixtures.text("runtime/crio-config.json"));
        var metadata = new RuntimeMetadata(dir.resolve("docker-absent"), List.of(containerd, crio));
        assertEquals("cart-7d9f8b6c5d-x2x4q", metadata.of(k8sId).name());
        assertEquals("payments-api-0", metadata.of(crioId).name());
        assertEquals(RuntimeMetadata.Metadata.UNKNOWN, metadata.of("c".repeat(64)));
    }
}
