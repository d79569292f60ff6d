package io.eastwatch.agent.identity;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Names the workload of a container: the identity its replicas share, which baselines belong to.
 * Compose project/service first (what the operator named), then Kubernetes namespace + app label,
 * then the pod's owner (the pod name without the generated suffixes), and last the image
 * repository, so two replicas of one image always share a workload even without labels.
 */
public final class Workloads {
    public static final String COMPOSE_PROJECT = "com.docker.compose.project";
    public static final String COMPOSE_SERVICE = "com.docker.compose.service";
    public static final String K8S_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String K8S_POD_NAME = "io.kubernetes.pod.name";
    public static final String K8S_APP_NAME = "app.kubernetes.io/name";
    public static final String K8S_APP = "app";

    // Deployment pods: <owner>-<replica-set hash: 5-10 of bcdfghjklmnpqrstvwxz2456789>-<5 chars>.
    private static final Pattern DEPLOYMENT_POD = Pattern.compile("^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$");
    // StatefulSet pods: <owner>-<ordinal>; DaemonSet / Job pods: <owner>-<5 chars>.
    private static final Pattern ORDINAL_POD = Pattern.compile("^(.+)-\\d+$");
    private static final Pattern SUFFIXED_POD = Pattern.compile("^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$");

    private Workloads() {
    }

    /**
     * @param labels container labels (Docker labels, or CRI annotations mapped to the same keys)
     * @param image  the image reference as the runtime reports it
     * @param name   the container name, used when nothing else names the workload
     */
    public static String of(Map<String, String> labels, String image, String name) {
        String project = labels.get(COMPOSE_PROJECT);
        String service = labels.get(COMPOSE_SERVICE);
        if (notBlank(service)) {
            return notBlank(project) ? project + "/" + service : service;
        }
        String namespace = labels.get(K8S_NAMESPACE);
        if (notBlank(namespace)) {
            String app = labels.get(K8S_APP_NAME);
            if (!notBlank(app)) {
                app = labels.get(K8S_APP);
            }
            if (!notBlank(app)) {
                app = podOwner(labels.get(K8S_POD_NAME));
            }
            if (notBlank(app)) {
                return namespace + "/" + app;
            }
        }
        String repo = imageRepository(image);
        if (notBlank(repo)) {
            return repo;
        }
        return name == null ? "" : name;
    }

    /** The pod's owner from the pod name: the pod name without the replica-set hash and pod suffix. */
    static String podOwner(String podName) {
        if (!notBlank(podName)) {
            return null;
        }
        var m = DEPLOYMENT_POD.matcher(podName);
        if (m.matches()) {
            return m.group(1);
        }
        m = ORDINAL_POD.matcher(podName);
        if (m.matches()) {
            return m.group(1);
        }
        m = SUFFIXED_POD.matcher(podName);
        if (m.matches()) {
            return m.group(1);
        }
        return podName;
    }

    /** {@code registry:5000/shop/web:1.4@sha256:..} -> {@code registry:5000/shop/web}; an image id gives null. */
    static String imageRepository(String image) {
        if (!notBlank(image) || image.startsWith("sha256:")) {
            return null;
        }
        String ref = image;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon > slash) {
            ref = ref.substring(0, colon);
        }
        return ref.isEmpty() ? null : ref;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
