package io.eastwatch.sim.wire;

/**
 * One network interface of the simulated cluster: an IPv4 address (as an int, network order
 * when written) and a MAC address (low 48 bits of the long).
 */
public record Nic(int ip, long mac) {

    /** Docker-style MAC for a container address: 02:42 followed by the four address bytes. */
    public static Nic container(int ip) {
        return new Nic(ip, 0x0242_0000_0000L | (ip & 0xFFFF_FFFFL));
    }

    /** A host or external address behind a fixed vendor prefix (52:54:00, the KVM/QEMU OUI). */
    public static Nic host(int ip) {
        return new Nic(ip, 0x5254_0000_0000L | (ip & 0xFF_FFFFL));
    }

    public static int ipv4(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    public static String format(int ip) {
        return ((ip >>> 24) & 0xFF) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    @Override
    public String toString() {
        return format(ip);
    }
}
