package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one resolver has learned: which container owned which address and which host-side
 * interface when, and which networks hold containers. Shared shape of every resolver's state.
 */
final class ContainerTable {
    private final OwnershipTable owners;
    private final List<Cidr> networks = new CopyOnWriteArrayList<>();

    ContainerTable(ResolverLimits limits) {
        this.owners = new OwnershipTable(limits.retention().toNanos() / 1000, limits.clockSlack().toNanos() / 1000,
                limits.maxIntervals());
    }

    /**
     * Records that {@code container} holds exactly {@code addresses} and {@code hostInterfaces} (host-side
     * veths) from {@code atMicros}: keys it held before and no longer holds are released at that time.
     */
    void attach(ContainerIdentity container, Collection<ByteString> addresses, Collection<String> hostInterfaces,
                long atMicros) {
        synchronized (owners) {
            for (Object k : owners.openKeys(container.id())) {
                boolean still = k instanceof ByteString b ? addresses.contains(b)
                        : hostInterfaces.contains(((InterfaceKey) k).name());
                if (!still) {
                    owners.close(k, container.id(), atMicros);
                }
            }
            for (ByteString a : addresses) {
                owners.open(a, container, atMicros);
            }
            for (String iface : hostInterfaces) {
                owners.open(ifaceKey(iface), container, atMicros);
            }
        }
    }

    /** The container stopped (or disappeared) at {@code atMicros}. */
    void release(String containerId, long atMicros) {
        owners.closeAll(containerId, atMicros);
    }

    void prune(long nowMicros) {
        owners.prune(nowMicros);
    }

    void addNetwork(Cidr network) {
        if (!networks.contains(network)) {
            networks.add(network);
        }
    }

    boolean hasNetwork(Cidr network) {
        return networks.contains(network);
    }

    boolean inNetwork(ByteString address) {
        for (Cidr c : networks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    ContainerIdentity lookup(ByteString address, long tMicros, String captureInterface) {
        ContainerIdentity onIface = captureInterface == null ? null : owners.lookup(ifaceKey(captureInterface), tMicros, null);
        return owners.lookup(address, tMicros, onIface);
    }

    ContainerIdentity byInterface(String iface, long tMicros) {
        return owners.lookup(ifaceKey(iface), tMicros, null);
    }

    /** The addresses containers hold now (at most {@code limit}). */
    List<HeldAddress> held(int limit) {
        List<HeldAddress> out = new java.util.ArrayList<>();
        for (var e : owners.openOwnerships(ByteString.class, limit)) {
            out.add(new HeldAddress(e.getKey(), e.getValue().container(), e.getValue().fromMicros()));
        }
        return out;
    }

    int containersKnown() {
        return owners.openContainers();
    }

    long overflow() {
        return owners.overflow();
    }

    void clear() {
        owners.clear();
    }

    private static Object ifaceKey(String iface) {
        return iface == null ? null : new InterfaceKey(iface);
    }

    private record InterfaceKey(String name) {
    }
}
