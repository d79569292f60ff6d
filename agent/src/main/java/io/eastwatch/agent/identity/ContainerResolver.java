package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * One source of container identity. The enricher asks its resolvers in order and the first that
 * knows an address wins. Lookups come from the flow thread and must not block; resolvers learn in
 * the background (their own threads) and answer from what they learned so far.
 */
public interface ContainerResolver extends AutoCloseable {

    /** The name stamped on endpoints this resolver identified: "docker", "proc", "inventory". */
    String name();

    /** Starts learning (connects, scans, loads); returns without waiting for the first answer. */
    void start();

    /**
     * The container that owned {@code address} (4 or 16 bytes) at {@code tsMicros}, or null.
     * {@code captureInterface} (may be null) is the interface the flow was seen on: when it is a
     * container's host-side veth, that container wins among several owners of the address.
     */
    ContainerIdentity lookup(ByteString address, long tsMicros, String captureInterface);

    /**
     * The container whose host-side veth is {@code hostInterface} at {@code tsMicros}, or null
     * (also for a resolver that does not know veths).
     */
    default ContainerIdentity byInterface(String hostInterface, long tsMicros) {
        return null;
    }

    /** Whether {@code address} lies in a network this resolver knows to hold containers. */
    boolean inContainerNetwork(ByteString address);

    /**
     * The addresses this host's containers hold now, at most {@code limit}, for the fleet-wide
     * identity announcement. Only resolvers that see this host's own runtime answer (Docker, /proc);
     * an inventory describes the whole fleet and answers nothing here.
     */
    default List<HeldAddress> heldAddresses(int limit) {
        return List.of();
    }

    /** Containers known to be running now. */
    int containersKnown();

    @Override
    void close();
}
