package io.eastwatch.agent.identity;

/**
 * Which resolvers run, in the order they are asked (first match wins), and the enricher's settings.
 * A resolver switched off costs nothing; its settings may then be null.
 *
 * @param docker    the Docker Engine API resolver (most exact: names, labels and events as they happen)
 * @param proc      the /proc + cgroup resolver, for hosts with containerd, CRI-O or podman and no Docker
 *                  API; with Docker also on, it covers containers of other runtimes on the same host
 * @param inventory the inventory file resolver, for replays and hosts without a runtime
 */
public record IdentitySettings(boolean dockerEnabled, DockerResolverSettings docker,
                               boolean procEnabled, ProcResolverSettings proc,
                               boolean inventoryEnabled, InventorySettings inventory,
                               IdentityEnricherSettings enricher) {
    public IdentitySettings {
        if (dockerEnabled && docker == null) {
            throw new IllegalArgumentException("docker: null (expected: settings when the Docker resolver is enabled)");
        }
        if (procEnabled && proc == null) {
            throw new IllegalArgumentException("proc: null (expected: settings when the /proc resolver is enabled)");
        }
        if (inventoryEnabled && inventory == null) {
            throw new IllegalArgumentException("inventory: null (expected: settings with a file when the inventory resolver is enabled)");
        }
        if (enricher == null) {
            throw new IllegalArgumentException("enricher: null (expected: enricher settings)");
        }
    }
}
