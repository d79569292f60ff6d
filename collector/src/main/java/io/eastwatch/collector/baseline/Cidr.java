package io.eastwatch.collector.baseline;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address prefix, for the cluster's address plan. */
record Cidr(byte[] prefix, int bits) {

    static Cidr parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("clusterNetworks: " + text + " (expected: CIDR such as 10.244.0.0/16)");
        }
        String addr = text.substring(0, slash);
        if (!addr.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("clusterNetworks: " + text + " (expected: a numeric address before /)");
        }
        try {
            byte[] bytes = InetAddress.getByName(addr).getAddress();
            int bits = Integer.parseInt(text.substring(slash + 1));
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("clusterNetworks: " + text + " (expected: prefix length 0.." + bytes.length * 8 + ")");
            }
            return new Cidr(bytes, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("clusterNetworks: " + text + " (expected: CIDR such as 10.244.0.0/16)", e);
        }
    }

    boolean contains(byte[] addr) {
        if (addr.length != prefix.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (addr[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (addr[full] & mask) == (prefix[full] & mask);
    }
}
