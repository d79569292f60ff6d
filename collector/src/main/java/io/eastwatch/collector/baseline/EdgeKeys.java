package io.eastwatch.collector.baseline;

import java.util.HashMap;
import java.util.Map;

/**
 * Canonical {@code peer|port|protocol} strings, one instance per edge. Every flow looks its edge up
 * in several maps (the workload's edges, the container's window, the detectors' tables); with the
 * same String instance each time its hash is computed once and equality is an identity check,
 * where a string concatenated per flow costs an allocation, a hash over every character and a
 * character-by-character comparison in each map. A cache, not state: beyond {@code limit} edges a
 * key is built per flow as before, so memory stays bounded and only speed is lost.
 */
public final class EdgeKeys {

    private final int limit;
    private final Map<String, PortTable> byPeer = new HashMap<>();
    private int count;

    public EdgeKeys(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 0)");
        }
        this.limit = limit;
    }

    /** The key of (peer, port, protocol); the same instance for the same edge while the cache has room. */
    public String key(String peer, int port, int protocol) {
        PortTable t = byPeer.get(peer);
        int service = port << 8 | protocol;
        if (t != null) {
            String k = t.get(service);
            if (k != null) {
                return k;
            }
        }
        String k = build(peer, port, protocol);
        if (count < limit) {
            if (t == null) {
                t = new PortTable();
                byPeer.put(peer, t);
            }
            t.put(service, k);
            count++;
        }
        return k;
    }

    public int size() {
        return count;
    }

    static String build(String peer, int port, int protocol) {
        return peer + "|" + port + "|" + protocol;
    }

    /** port << 8 | protocol -> key, open addressing (a peer has a handful of services). */
    private static final class PortTable {
        private int[] services = new int[4];
        private String[] keys = new String[4];
        private int size;

        String get(int service) {
            int mask = services.length - 1;
            for (int i = mix(service) & mask; ; i = (i + 1) & mask) {
                String k = keys[i];
                if (k == null) {
                    return null;
                }
                if (services[i] == service) {
                    return k;
                }
            }
        }

        void put(int service, String key) {
            if (2 * (size + 1) > services.length) {
                int[] os = services;
                String[] ok = keys;
                services = new int[os.length * 2];
                keys = new String[os.length * 2];
                for (int i = 0; i < os.length; i++) {
                    if (ok[i] != null) {
                        insert(os[i], ok[i]);
                    }
                }
            }
            insert(service, key);
            size++;
        }

        private void insert(int service, String key) {
            int mask = services.length - 1;
            int i = mix(service) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            services[i] = service;
            keys[i] = key;
        }

        private static int mix(int x) {
            return (x * 0x9E3779B1) >>> 16;
        }
    }
}
