package io.eastwatch.collector.baseline;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Printing addresses from flow records (4 or 16 bytes) without a DNS lookup. */
public final class Addresses {

    private Addresses() {
    }

    public static String format(byte[] addr) {
        if (addr.length != 4 && addr.length != 16) {
            return "";
        }
        try {
            return InetAddress.getByAddress(addr).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length checked above", e);
        }
    }
}
