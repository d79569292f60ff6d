package io.eastwatch.agent.capture;

/**
 * Why part of a capture file could not be delivered as-is. Each value is one bounded {@code reason}
 * tag of the {@code eastwatch.agent.capture.file.errors} counter. Most reasons are survivable: the
 * reader counts them and goes on; the ones that lose the record framing end the read.
 */
public enum CaptureFileError {
    /** The last record (or block) is cut short by the end of the file; its packet is not delivered. */
    TRUNCATED_RECORD("truncated_record"),
    /** A record claims more captured bytes than any sane snap length: framing lost, reading stops. */
    BAD_CAPTURE_LENGTH("bad_capture_length"),
    /** Captured length larger than the file's snap length: delivered, the header lied. */
    CAPLEN_EXCEEDS_SNAPLEN("caplen_exceeds_snaplen"),
    /** Captured length larger than the wire length: delivered with the wire length raised to it. */
    CAPLEN_EXCEEDS_WIRELEN("caplen_exceeds_wirelen"),
    /** The file header's snap length is 0 or beyond 256 KiB: ignored, the per-record lengths rule. */
    BOGUS_SNAPLEN("bogus_snaplen"),
    /** A classic pcap header with a version other than 2.x: read as 2.4 anyway. */
    UNSUPPORTED_VERSION("unsupported_version"),
    /** A timestamp earlier than the previous packet's: delivered unchanged (flows must not assume order). */
    TIMESTAMP_BACKWARDS("timestamp_backwards"),
    /** Sub-second part at or beyond one second (e.g. microseconds >= 1,000,000): clamped to the
     * last microsecond of that second, so garbage cannot move a packet by more than a second. */
    TIMESTAMP_FRACTION_OVERFLOW("timestamp_fraction_overflow"),
    /** pcapng block length below the minimum, not a multiple of 4, or past the end: reading stops. */
    BAD_BLOCK_LENGTH("bad_block_length"),
    /** pcapng trailing block length differs from the leading one: the leading one is trusted. */
    BLOCK_LENGTH_MISMATCH("block_length_mismatch"),
    /** pcapng block too short for its own fixed fields (EPB, IDB, ...): skipped. */
    MALFORMED_BLOCK("malformed_block"),
    /** pcapng packet naming an interface no IDB of its section described: skipped. */
    UNKNOWN_INTERFACE("unknown_interface"),
    /** More interface descriptions than the reader keeps: later ones' packets are skipped. */
    TOO_MANY_INTERFACES("too_many_interfaces"),
    /** pcapng section header with an unknown byte-order magic: reading stops. */
    BAD_SECTION_HEADER("bad_section_header"),
    /** pcapng block type this reader does not know: skipped. */
    UNKNOWN_BLOCK("unknown_block"),
    /** Malformed pcapng option list (IDB): the options after the fault are ignored. */
    BAD_OPTION("bad_option");

    private final String tag;

    CaptureFileError(String tag) {
        this.tag = tag;
    }

    /** The metric tag value. */
    public String tag() {
        return tag;
    }
}
