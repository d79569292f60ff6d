package io.eastwatch.agent.decode;

/**
 * Remembers the ports of recently seen first IP fragments so that later fragments of the same
 * datagram, which carry no transport header, can be attributed to their flow. Keyed as in
 * reassembly (RFC 791 / RFC 8200): source, destination, protocol and identification.
 *
 * <p>Direct-mapped and fixed in size: a colliding datagram overwrites the older entry, so memory is
 * bounded whatever the traffic and lookups cost one probe. A lost entry only means a later
 * fragment is reported without ports, as it would be without the table. Entries expire by packet
 * time, like a reassembly timeout, so a recycled identification does not inherit stale ports.
 */
final class FragmentPortTable {
    private static final long EMPTY = Long.MIN_VALUE;

    private final int mask;
    private final long timeoutMicros;
    private final long[] srcHi;
    private final long[] srcLo;
    private final long[] dstHi;
    private final long[] dstLo;
    private final int[] protoVersion;
    private final int[] ident;
    private final int[] ports;
    private final long[] stamp;

    FragmentPortTable(int size, long timeoutMicros) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: a power of two)");
        }
        this.mask = size - 1;
        this.timeoutMicros = timeoutMicros;
        srcHi = new long[size];
        srcLo = new long[size];
        dstHi = new long[size];
        dstLo = new long[size];
        protoVersion = new int[size];
        ident = new int[size];
        ports = new int[size];
        stamp = new long[size];
        java.util.Arrays.fill(stamp, EMPTY);
    }

    private int slot(long sHi, long sLo, long dHi, long dLo, int pv, int id) {
        long h = sHi * 0x9E3779B97F4A7C15L;
        h = (h ^ sLo) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ dHi) * 0x9E3779B97F4A7C15L;
        h = (h ^ dLo) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ (((long) pv << 32) | (id & 0xffffffffL))) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    void put(int version, int proto, int id, long sHi, long sLo, long dHi, long dLo,
             int srcPort, int dstPort, long tsMicros) {
        int pv = proto | version << 8;
        int i = slot(sHi, sLo, dHi, dLo, pv, id);
        srcHi[i] = sHi;
        srcLo[i] = sLo;
        dstHi[i] = dHi;
        dstLo[i] = dLo;
        protoVersion[i] = pv;
        ident[i] = id;
        ports[i] = srcPort << 16 | dstPort;
        stamp[i] = tsMicros;
    }

    /** Ports packed as {@code src << 16 | dst}, or -1 when the first fragment was not seen (recently). */
    int get(int version, int proto, int id, long sHi, long sLo, long dHi, long dLo, long tsMicros) {
        int pv = proto | version << 8;
        int i = slot(sHi, sLo, dHi, dLo, pv, id);
        long t = stamp[i];
        if (t == EMPTY || ident[i] != id || protoVersion[i] != pv || srcLo[i] != sLo || dstLo[i] != dLo
                || srcHi[i] != sHi || dstHi[i] != dHi) {
            return -1;
        }
        long age = tsMicros - t;
        if (age > timeoutMicros || age < -timeoutMicros) {
            return -1;
        }
        return ports[i];
    }
}
