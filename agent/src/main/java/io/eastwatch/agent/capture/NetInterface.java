package io.eastwatch.agent.capture;

/**
 * A network interface of this host as {@code /sys/class/net} describes it.
 *
 * @param name       interface name in the host namespace
 * @param ifindex    kernel interface index in the host namespace; the capture's interface id
 * @param peerIfindex for a veth, the index of its peer inside the container's network namespace
 *                   ({@code iflink}); equal to {@code ifindex} for interfaces without a peer. The
 *                   identity stage finds the container whose namespace holds an interface with
 *                   this index.
 * @param master     name of the bridge this interface is a port of, or null
 * @param kind       what the interface is, which decides the capture direction
 * @param configured named in the configuration (as opposed to auto-discovered)
 */
public record NetInterface(String name, int ifindex, int peerIfindex, String master, Kind kind, boolean configured) {

    public enum Kind {
        /** Host side of a veth pair (or another device with a peer in a namespace): a container. */
        VETH,
        /** A Linux bridge joining containers. */
        BRIDGE,
        /** Anything else, captured only when configured. */
        OTHER
    }
}
