package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Textual addresses to the 4- or 16-byte form of the flow record, without name resolution. */
final class Addresses {
    private Addresses() {
    }

    /** The address bytes of a literal IPv4 / IPv6 address, or null if {@code text} is not one. */
    static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        boolean v6 = text.indexOf(':') >= 0;
        if (!v6) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                    return null;
                }
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return b;
        }
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
            return null;
        }
        try {
            // A literal with only hex digits, colons and dots never triggers a DNS lookup.
            byte[] b = InetAddress.getByName(text).getAddress();
            if (b.length == 4) {   // IPv4-mapped: keep the 16-byte form the flow record carries
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(b, 0, m, 12, 4);
                return m;
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static ByteString of(String text) {
        byte[] b = parse(text);
        return b == null ? null : ByteString.copyFrom(b);
    }

    static String format(ByteString address) {
        try {
            return InetAddress.getByAddress(address.toByteArray()).getHostAddress();
        } catch (UnknownHostException e) {
            return "<" + address.size() + " bytes>";
        }
    }
}
