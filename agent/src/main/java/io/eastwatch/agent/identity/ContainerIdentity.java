package io.eastwatch.agent.identity;

import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import java.util.Objects;

/**
 * What a resolver knows about one container. The flow record's {@link Endpoint} is built once
 * here, so stamping it onto a flow costs no allocation.
 */
public final class ContainerIdentity {
    private final String id;
    private final String name;
    private final String image;
    private final String workload;
    private final Endpoint endpoint;

    public ContainerIdentity(String id, String name, String image, String workload, String host, String resolver) {
        this.id = Objects.requireNonNull(id, "id");
        this.name = name == null ? "" : name;
        this.image = image == null ? "" : image;
        this.workload = workload == null ? "" : workload;
        this.endpoint = Endpoint.newBuilder()
                .setKind(EndpointKind.CONTAINER)
                .setContainerId(id)
                .setName(this.name)
                .setWorkload(this.workload)
                .setImage(this.image)
                .setHost(host == null ? "" : host)
                .setResolver(Objects.requireNonNull(resolver, "resolver"))
                .build();
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String image() {
        return image;
    }

    public String workload() {
        return workload;
    }

    public String resolver() {
        return endpoint.getResolver();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return name + " (" + (id.length() > 12 ? id.substring(0, 12) : id) + ", " + workload + ", via " + resolver() + ")";
    }
}
