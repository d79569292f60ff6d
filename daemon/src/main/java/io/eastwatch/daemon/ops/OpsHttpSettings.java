package io.eastwatch.daemon.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the ops server listens.
 *
 * @param bindAddress literal address to bind. Loopback (the default) keeps metrics and health
 *                    off the network; a scraper on another host needs the host's address or
 *                    {@code 0.0.0.0}, which exposes the endpoints to everyone who can reach it.
 * @param port        TCP port; 0 picks a free one (tests).
 */
public record OpsHttpSettings(String bindAddress, int port) {

    public OpsHttpSettings {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress: " + bindAddress + " (expected: a literal IP address)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }

    InetAddress address() {
        try {
            return InetAddress.getByName(bindAddress);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bindAddress: " + bindAddress + " (expected: a literal IP address)", e);
        }
    }
}
