package io.eastwatch.collector.detect;

/** The container (or, for a health finding, the host) a finding is about. */
public record Suspect(String containerId, String name, String workload, String image, String host, String ip) {
}
