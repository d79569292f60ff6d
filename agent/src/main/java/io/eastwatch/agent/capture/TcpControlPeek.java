package io.eastwatch.agent.capture;

/**
 * Tells, from the first captured bytes, whether a packet is a TCP SYN, FIN or RST: the packets
 * load shedding must never drop, because they decide a flow's outcome. Only what is needed to
 * find the TCP flags is looked at (link header, VLAN tags, IP header, IPv6 extension headers);
 * anything it cannot follow within the captured bytes counts as a data packet.
 */
final class TcpControlPeek {

    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int TCP_FIN_SYN_RST = 0x07;

    private TcpControlPeek() {
    }

    static boolean isTcpControl(byte[] b, int len, int linkType) {
        int off;
        int etherType;
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                if (len < 14) {
                    return false;
                }
                off = 14;
                etherType = u16(b, 12);
                for (int tags = 0; tags < 2 && (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100); tags++) {
                    if (len < off + 4) {
                        return false;
                    }
                    etherType = u16(b, off + 2);
                    off += 4;
                }
            }
            case LINKTYPE_LINUX_SLL -> {
                if (len < 16) {
                    return false;
                }
                off = 16;
                etherType = u16(b, 14);
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (len < 20) {
                    return false;
                }
                off = 20;
                etherType = u16(b, 0);
            }
            case LINKTYPE_RAW -> {
                if (len < 1) {
                    return false;
                }
                off = 0;
                int version = (b[0] & 0xff) >>> 4;
                etherType = version == 4 ? 0x0800 : version == 6 ? 0x86dd : 0;
            }
            default -> {
                return false;
            }
        }
        int tcp;
        if (etherType == 0x0800) {
            if (len < off + 20) {
                return false;
            }
            int ihl = (b[off] & 0x0f) * 4;
            boolean laterFragment = (u16(b, off + 6) & 0x1fff) != 0;
            if (ihl < 20 || laterFragment || (b[off + 9] & 0xff) != 6) {
                return false;
            }
            tcp = off + ihl;
        } else if (etherType == 0x86dd) {
            if (len < off + 40) {
                return false;
            }
            int next = b[off + 6] & 0xff;
            tcp = off + 40;
            for (int hops = 0; hops < 8 && next != 6; hops++) {
                if (next == 0 || next == 43 || next == 60) {
                    if (len < tcp + 2) {
                        return false;
                    }
                    next = b[tcp] & 0xff;
                    tcp += ((b[tcp + 1] & 0xff) + 1) * 8;
                } else if (next == 44) {
                    if (len < tcp + 8 || (u16(b, tcp + 2) & 0xfff8) != 0) {
                        return false;
                    }
                    next = b[tcp] & 0xff;
                    tcp += 8;
                } else {
                    return false;
                }
            }
            if (next != 6) {
                return false;
            }
        } else {
            return false;
        }
        return len > tcp + 13 && (b[tcp + 13] & TCP_FIN_SYN_RST) != 0;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
}
