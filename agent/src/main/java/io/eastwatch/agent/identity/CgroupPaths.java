package io.eastwatch.agent.identity;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the container id in a process's cgroup paths ({@code /proc/<pid>/cgroup}). Each runtime
 * and cgroup driver spells it differently:
 * <pre>
 *   /docker/&lt;id&gt;                                              Docker, cgroupfs driver
 *   /system.slice/docker-&lt;id&gt;.scope                           Docker, systemd driver
 *   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid&gt;.slice/cri-containerd-&lt;id&gt;.scope
 *   /kubepods/besteffort/pod&lt;uid&gt;/&lt;id&gt;                          containerd / kubelet, cgroupfs driver
 *   /kubepods.slice/.../crio-&lt;id&gt;.scope                          CRI-O
 *   /machine.slice/libpod-&lt;id&gt;.scope[/container]                 podman
 * </pre>
 * The monitor processes next to a container ({@code crio-conmon-<id>}, {@code libpod-conmon-<id>})
 * are not the container and do not match.
 */
final class CgroupPaths {
    private static final Pattern ID = Pattern.compile(
            "(?:^|/)(docker-|cri-containerd-|crio-|libpod-)?([0-9a-f]{64})(?:\\.scope)?(?=/|$)");

    record Match(String runtime, String id) {
    }

    private CgroupPaths() {
    }

    /** The container of the first cgroup line naming one, or null for a process of the host. */
    static Match containerOf(CharSequence procCgroupFile) {
        String text = procCgroupFile.toString();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            // hierarchy-ID:controller-list:cgroup-path
            int c1 = text.indexOf(':', start);
            int c2 = c1 < 0 || c1 >= end ? -1 : text.indexOf(':', c1 + 1);
            if (c2 >= 0 && c2 < end) {
                Match m = match(text.substring(c2 + 1, end));
                if (m != null) {
                    return m;
                }
            }
            start = end + 1;
        }
        return null;
    }

    static Match match(String path) {
        Matcher m = ID.matcher(path);
        Match found = null;
        while (m.find()) {   // the innermost id wins (a nested runtime's container)
            String prefix = m.group(1);
            String runtime;
            if (prefix == null) {
                runtime = path.contains("kubepods") ? "containerd" : path.startsWith("/docker/") || path.contains("/docker/") ? "docker" : "unknown";
            } else {
                runtime = switch (prefix) {
                    case "docker-" -> "docker";
                    case "cri-containerd-" -> "containerd";
                    case "crio-" -> "cri-o";
                    default -> "podman";
                };
            }
            found = new Match(runtime, m.group(2));
        }
        return found;
    }
}
