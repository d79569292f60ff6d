package io.eastwatch.agent.identity;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/** Builds the enabled resolvers in precedence order: Docker, /proc, inventory. */
public final class IdentityResolvers {
    private IdentityResolvers() {
    }

    /**
     * @throws InventoryException the inventory resolver is enabled and its file is unusable (the
     *                            message names the file and the JSON path of the problem)
     */
    public static List<ContainerResolver> create(IdentitySettings settings, MeterRegistry registry) throws InventoryException {
        List<ContainerResolver> resolvers = new ArrayList<>();
        if (settings.dockerEnabled()) {
            resolvers.add(new DockerContainerResolver(settings.docker(), registry));
        }
        if (settings.procEnabled()) {
            resolvers.add(new ProcContainerResolver(settings.proc(), registry));
        }
        if (settings.inventoryEnabled()) {
            try {
                resolvers.add(new InventoryResolver(settings.inventory(), registry));
            } catch (InventoryException e) {
                resolvers.forEach(ContainerResolver::close);
                throw e;
            }
        }
        return List.copyOf(resolvers);
    }
}
