package io.eastwatch.agent.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Name, image and labels of a container found by its id in the runtimes' own state on disk, for
 * the /proc resolver (no runtime API). Docker keeps {@code containers/<id>/config.v2.json};
 * containerd, CRI-O and podman keep the OCI bundle's {@code config.json}, whose annotations carry
 * the Kubernetes pod namespace, pod name, container name and image (CRI-O also the pod labels).
 */
final class RuntimeMetadata {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Metadata(String name, String image, Map<String, String> labels, boolean sandbox) {
        static final Metadata UNKNOWN = new Metadata("", "", Map.of(), false);
    }

    private final Path dockerContainers;
    private final List<Path> bundleRoots;

    /**
     * @param dockerContainers Docker's {@code /var/lib/docker/containers}
     * @param bundleRoots      directories holding {@code <namespace>/<id>/config.json} (containerd task
     *                         dirs) or {@code <id>/userdata/config.json} (CRI-O / podman storage)
     */
    RuntimeMetadata(Path dockerContainers, List<Path> bundleRoots) {
        this.dockerContainers = dockerContainers;
        this.bundleRoots = List.copyOf(bundleRoots);
    }

    Metadata of(String id) throws IOException {
        Path docker = dockerContainers.resolve(id).resolve("config.v2.json");
        if (Files.isRegularFile(docker)) {
            return fromDocker(JSON.readTree(docker.toFile()));
        }
        for (Path root : bundleRoots) {
            Path config = findBundle(root, id);
            if (config != null) {
                return fromOci(JSON.readTree(config.toFile()));
            }
        }
        return Metadata.UNKNOWN;
    }

    private static Path findBundle(Path root, String id) throws IOException {
        Path direct = root.resolve(id).resolve("userdata/config.json");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        direct = root.resolve(id).resolve("config.json");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (DirectoryStream<Path> namespaces = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path ns : namespaces) {
                Path c = ns.resolve(id).resolve("config.json");
                if (Files.isRegularFile(c)) {
                    return c;
                }
            }
        }
        return null;
    }

    static Metadata fromDocker(JsonNode root) {
        String name = root.path("Name").asText("");
        if (name.startsWith("/")) {
            name = name.substring(1);
        }
        JsonNode cfg = root.path("Config");
        return new Metadata(name, cfg.path("Image").asText(""), strings(cfg.path("Labels")), false);
    }

    static Metadata fromOci(JsonNode root) {
        Map<String, String> a = strings(root.path("annotations"));
        Map<String, String> labels = new HashMap<>();
        String ns = first(a, "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace");
        String pod = first(a, "io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name");
        String container = first(a, "io.kubernetes.cri.container-name", "io.kubernetes.container.name");
        String image = first(a, "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName", "org.opencontainers.image.ref.name");
        String type = first(a, "io.kubernetes.cri.container-type", "io.kubernetes.cri-o.ContainerType");
        String crioLabels = a.get("io.kubernetes.cri-o.Labels");
        if (crioLabels != null) {
            try {
                labels.putAll(strings(JSON.readTree(crioLabels)));
            } catch (IOException e) {
                // Malformed pod labels: the workload falls back to namespace + pod owner.
                labels.remove(Workloads.K8S_APP);
            }
        }
        if (ns != null) {
            labels.put(Workloads.K8S_NAMESPACE, ns);
        }
        if (pod != null) {
            labels.put(Workloads.K8S_POD_NAME, pod);
        }
        String name = pod != null ? pod : container != null ? container : first(a, "io.podman.annotations.name", "name");
        return new Metadata(name == null ? "" : name, image == null ? "" : image, labels, "sandbox".equals(type));
    }

    private static String first(Map<String, String> m, String... keys) {
        for (String k : keys) {
            String v = m.get(k);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    private static Map<String, String> strings(JsonNode obj) {
        Map<String, String> m = new HashMap<>();
        if (obj != null && obj.isObject()) {
            obj.fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) {
                    m.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return m;
    }
}
