package io.eastwatch.agent.decode;

/**
 * pcap LINKTYPE_* values the decoder understands (tcpdump.org/linktypes.html). DLT_RAW has had
 * three numbers over time (12 on most BSDs, 14 on OpenBSD, 101 as the portable LINKTYPE_RAW);
 * all three mean "the packet starts with an IPv4 or IPv6 header".
 */
public final class LinkType {
    /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
    public static final int NULL = 0;
    /** Ethernet II / 802.3 (with 802.1Q tags, LLC/SNAP). */
    public static final int EN10MB = 1;
    /** DLT_RAW as numbered on most BSDs. */
    public static final int DLT_RAW_BSD = 12;
    /** DLT_RAW as numbered on OpenBSD. */
    public static final int DLT_RAW_OPENBSD = 14;
    /** Raw IPv4 or IPv6, the portable number. */
    public static final int RAW = 101;
    /** OpenBSD loopback: like NULL but the family is always in network byte order. */
    public static final int LOOP = 108;
    /** Linux "cooked" capture v1 (tcpdump -i any): a 16-byte pseudo header. */
    public static final int LINUX_SLL = 113;
    /** Raw IPv4 only. */
    public static final int IPV4 = 228;
    /** Raw IPv6 only. */
    public static final int IPV6 = 229;
    /** Linux netfilter NFLOG messages (iptables -j NFLOG): TLVs around the IP packet. */
    public static final int NFLOG = 239;
    /** Linux "cooked" capture v2: a 20-byte pseudo header with the interface index. */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /** True when {@link PacketDecoder} decodes this link type. */
    public static boolean isSupported(int linkType) {
        return switch (linkType) {
            case NULL, EN10MB, DLT_RAW_BSD, DLT_RAW_OPENBSD, RAW, LOOP, LINUX_SLL, IPV4, IPV6, NFLOG, LINUX_SLL2 -> true;
            default -> false;
        };
    }
}
