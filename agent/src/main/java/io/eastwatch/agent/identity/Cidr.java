package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address prefix, IPv4 or IPv6, such as a container network's subnet. */
record Cidr(byte[] prefix, int bits) {

    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = Addresses.parse(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("network: " + text + " (expected: an IPv4 or IPv6 prefix such as 172.30.0.0/20)");
        }
        int bits;
        try {
            bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("network: " + text + " (expected: a prefix length after '/')", e);
        }
        if (bits < 0 || bits > bytes.length * 8) {
            throw new IllegalArgumentException("network: " + text + " (expected: prefix length 0.." + bytes.length * 8 + ")");
        }
        return new Cidr(bytes, bits);
    }

    boolean contains(ByteString address) {
        if (address.size() != prefix.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (address.byteAt(i) != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address.byteAt(full) & mask) == (prefix[full] & mask);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.prefix, prefix);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(prefix) + bits;
    }
}
