package io.eastwatch.agent.flow;

import io.eastwatch.agent.decode.PacketMeta;

/**
 * Recognises the second capture of one IP packet on another interface: a container's packet seen
 * on its veth and again on the bridge, or routed (by the host or by a router container) from one
 * captured bridge to another, where it is seen once per hop with the TTL one lower.
 *
 * <p>The idea is the packet-identity test of trajectory sampling (Duffield and Grossglauser,
 * "Trajectory Sampling for Direct Traffic Observation", IEEE/ACM ToN 2001): a hash of the fields
 * that forwarding leaves unchanged (addresses, protocol, ports, IPv4 identification or IPv6 flow
 * label, payload length, and transport fields such as TCP sequence, acknowledgement and checksum)
 * names the packet at every hop, and TTL, MAC addresses, VLAN and the header checksum are left
 * out because they change on the way. A packet whose hash was seen within {@link #WINDOW_MICROS}
 * on a different interface is a duplicate; the first capture (normally the sender's veth, since
 * packets reach the flow table in timestamp order) is the one counted.
 *
 * <p>Bounded and allocation-free: a direct-mapped table of the last {@link #SLOTS} packets by
 * hash, filled only from the moment a second interface appears (a capture file from one interface
 * never pays for the hashing; a live agent sees its interfaces within its first milliseconds). A collision overwrites, so under heavy load a duplicate can be missed (counted
 * twice, as before), never a distinct packet dropped unless two differ in none of the hashed
 * fields within the window.
 */
final class DuplicatePackets {

    /**
     * How far apart two captures of one packet may be. Forwarding on one host takes microseconds;
     * the margin covers capture threads scheduled late under load. A real retransmission repeats
     * on the same interface, and a TCP one carries a new IPv4 identification.
     */
    static final long WINDOW_MICROS = 50_000;
    static final int SLOTS = 1 << 16;

    private int firstInterface = Integer.MIN_VALUE;
    private long[] hashes;
    private long[] times;
    private int[] interfaces;
    private byte[] ttls;
    private int lastTtlDelta;

    /** Whether {@code m} was already seen on another interface; remembers it otherwise. */
    boolean seen(PacketMeta m) {
        if (hashes == null) {
            if (firstInterface == Integer.MIN_VALUE) {
                firstInterface = m.interfaceId;
                return false;
            }
            if (m.interfaceId == firstInterface) {
                return false;
            }
            hashes = new long[SLOTS];
            times = new long[SLOTS];
            interfaces = new int[SLOTS];
            ttls = new byte[SLOTS];
        }
        long h = hash(m);
        int i = (int) (h ^ (h >>> 32)) & (SLOTS - 1);
        if (hashes[i] == h && interfaces[i] != m.interfaceId && Math.abs(m.tsMicros - times[i]) <= WINDOW_MICROS) {
            lastTtlDelta = (ttls[i] & 0xff) - m.ttl;
            return true;
        }
        hashes[i] = h;
        times[i] = m.tsMicros;
        interfaces[i] = m.interfaceId;
        ttls[i] = (byte) m.ttl;
        return false;
    }

    /** For the duplicate just reported: the first capture's TTL minus this one's (routing hops). */
    int lastTtlDelta() {
        return lastTtlDelta;
    }

    static long hash(PacketMeta m) {
        long h = mix(m.srcLo ^ 0x9e3779b97f4a7c15L);
        h = mix(h ^ m.srcHi);
        h = mix(h ^ m.dstLo);
        h = mix(h ^ m.dstHi);
        h = mix(h ^ ((long) m.protocol << 56 | (long) (m.srcPort & 0xffff) << 40 | (long) (m.dstPort & 0xffff) << 24
                | (m.ipId & 0xffffffL)));
        h = mix(h ^ ((long) m.payloadLen << 32 | (m.icmpType & 0xff) << 8 | (m.icmpId & 0xff)));
        return mix(h ^ m.l4Digest);
    }

    /** The finaliser of SplitMix64 (Steele, Lea and Flood, OOPSLA 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
