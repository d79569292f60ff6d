package io.eastwatch.agent.decode;

/**
 * Outcome of decoding one packet. {@link #OK} means {@link PacketMeta} holds a usable 5-tuple;
 * every other value says why not, and is one bounded {@code reason} tag of either
 * {@code eastwatch.agent.decode.errors} (the bytes are malformed or cut short) or
 * {@code eastwatch.agent.packets.undecoded} (well-formed, but not traffic eastwatch tracks).
 */
public enum DecodeResult {
    OK("ok", false),

    // Malformed: eastwatch.agent.decode.errors
    /** The captured bytes end inside a header that is needed for the 5-tuple. */
    TRUNCATED("truncated", true),
    /** IPv4 IHL below 5. */
    BAD_IP_HEADER_LENGTH("bad_ip_header_length", true),
    /** IPv4 total length smaller than its own header. */
    BAD_IP_TOTAL_LENGTH("bad_ip_total_length", true),
    /** The version nibble does not match what the link layer announced (or is neither 4 nor 6). */
    BAD_IP_VERSION("bad_ip_version", true),
    /** TCP data offset below 5 words or beyond the IP payload. */
    BAD_TCP_HEADER_LENGTH("bad_tcp_header_length", true),
    /** More VLAN tags, MPLS labels, IPv6 extension headers or nested tunnels than any sane packet has. */
    TOO_MANY_HEADERS("too_many_headers", true),
    /**
     * Counted only, never returned: a tunnel's inner frame (VXLAN, Geneve, GRE, ERSPAN) could not
     * be decoded, so the outer packet was reported instead.
     */
    INNER_FRAME_UNDECODED("inner_frame_undecoded", true),
    /** Counted only, never returned: an ICMP error's quoted packet could not be read. */
    ICMP_QUOTE_UNDECODED("icmp_quote_undecoded", true),

    // Not tracked: eastwatch.agent.packets.undecoded
    /** ARP, RARP: layer 2 only. */
    NON_IP("non_ip", false),
    /** An Ethernet type (or SLL protocol, NFLOG family, loopback family) that is not IP. */
    UNSUPPORTED_ETHERTYPE("unsupported_ethertype", false),
    /** A pcap link type the decoder has no layer-2 parser for. */
    UNSUPPORTED_LINKTYPE("unsupported_linktype", false);

    private final String tag;
    private final boolean error;

    DecodeResult(String tag, boolean error) {
        this.tag = tag;
        this.error = error;
    }

    /** The metric tag value. */
    public String tag() {
        return tag;
    }

    /** True for malformed input (counted as a decode error), false for untracked traffic. */
    public boolean isError() {
        return error;
    }
}
