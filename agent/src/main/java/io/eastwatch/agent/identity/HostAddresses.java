package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of this host: configured ones plus, if asked, those of its interfaces (read again
 * after {@code refreshMillis} so a bridge created later, such as a new Docker network's gateway,
 * counts as the host). A flow endpoint with one of these is the host itself, not a container.
 */
public final class HostAddresses {
    private static final Logger log = LoggerFactory.getLogger(HostAddresses.class);

    private final Set<ByteString> configured;
    private final boolean readInterfaces;
    private final long refreshMillis;
    private volatile Set<ByteString> current;
    private volatile long readAtMillis;

    public HostAddresses(List<String> configuredAddresses, boolean readInterfaces, long refreshMillis) {
        Set<ByteString> c = new HashSet<>();
        for (String a : configuredAddresses) {
            ByteString b = Addresses.of(a);
            if (b == null) {
                throw new IllegalArgumentException("hostAddresses: " + a + " (expected: an IPv4 or IPv6 address)");
            }
            c.add(b);
        }
        if (refreshMillis < 100) {
            throw new IllegalArgumentException("refreshMillis: " + refreshMillis + " (expected: >= 100)");
        }
        this.configured = Set.copyOf(c);
        this.readInterfaces = readInterfaces;
        this.refreshMillis = refreshMillis;
        this.current = read();
        this.readAtMillis = System.currentTimeMillis();
    }

    public boolean contains(ByteString address) {
        long now = System.currentTimeMillis();
        if (readInterfaces && now - readAtMillis > refreshMillis) {
            readAtMillis = now;
            current = read();
        }
        return current.contains(address);
    }

    private Set<ByteString> read() {
        if (!readInterfaces) {
            return configured;
        }
        Set<ByteString> all = new HashSet<>(configured);
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    all.add(ByteString.copyFrom(a.getAddress()));
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list this host's interfaces, using configured host addresses only: {}", e.toString());
        }
        return Set.copyOf(all);
    }
}
