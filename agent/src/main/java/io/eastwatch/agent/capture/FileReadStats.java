package io.eastwatch.agent.capture;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one pass over a capture file delivered and what it could not.
 *
 * @param format           "pcap" or "pcapng" (as detected by magic number), or "unknown" before a read
 * @param packetsDelivered packets handed to the handler
 * @param packetsSkipped   packet records seen but not delivered (unknown interface, truncated tail, ...)
 * @param bytesDelivered   sum of the captured lengths delivered
 * @param errors           count per reason; reasons that never happened are absent
 */
public record FileReadStats(String format, long packetsDelivered, long packetsSkipped, long bytesDelivered,
                            Map<CaptureFileError, Long> errors) {

    public FileReadStats {
        errors = Collections.unmodifiableMap(errors.isEmpty()
                ? new EnumMap<>(CaptureFileError.class) : new EnumMap<>(errors));
    }

    /** How often {@code reason} happened (0 if never). */
    public long count(CaptureFileError reason) {
        return errors.getOrDefault(reason, 0L);
    }

    /** True when the file ended inside a record. */
    public boolean truncated() {
        return count(CaptureFileError.TRUNCATED_RECORD) > 0;
    }
}
