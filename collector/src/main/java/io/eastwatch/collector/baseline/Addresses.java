package io.eastwatch.collector.baseline;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Printing addresses from flow records (4 or 16 bytes) without a DNS lookup. */
public final class Addresses {

    private Addresses() {
    }

    /** As {@link #format(byte[])}, without copying the record's bytes for an IPv4 address. */
    public static String format(com.google.protobuf.ByteString addr) {
        if (addr.size() == 4) {
            StringBuilder b = new StringBuilder(15);
            return b.append(addr.byteAt(0) & 0xff).append('.').append(addr.byteAt(1) & 0xff).append('.')
                    .append(addr.byteAt(2) & 0xff).append('.').append(addr.byteAt(3) & 0xff).toString();
        }
        return format(addr.toByteArray());
    }

    public static String format(byte[] addr) {
        if (addr.length == 4) {
            // dotted quad by hand: the detectors name a destination on most flows, and going through
            // InetAddress allocates an address object and a holder each time for the same text
            StringBuilder b = new StringBuilder(15);
            return b.append(addr[0] & 0xff).append('.').append(addr[1] & 0xff).append('.').append(addr[2] & 0xff)
                    .append('.').append(addr[3] & 0xff).toString();
        }
        if (addr.length != 16) {
            return "";
        }
        try {
            return InetAddress.getByAddress(addr).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length checked above", e);
        }
    }
}
