package io.eastwatch.daemon.ops;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ops server's routing table: exact paths to routes, each with the methods it accepts. The
 * agent registers {@code /metrics} and {@code /healthz}; the collector adds its API here. Routes
 * may be added while the server runs.
 */
public final class OpsRoutes {

    /** A route with the methods it answers. */
    public record Entry(Set<HttpMethod> methods, OpsRoute route) {
    }

    private final Map<String, Entry> routes = new ConcurrentHashMap<>();
    /** Routes for every path under a prefix ending in '/', e.g. {@code /api/v1/alerts/} for an alert by id. */
    private final Map<String, Entry> prefixes = new ConcurrentHashMap<>();

    /**
     * Adds {@code route} at {@code path} for {@code methods}. A GET route also answers HEAD
     * (with the body dropped).
     */
    public OpsRoutes add(String path, OpsRoute route, HttpMethod... methods) {
        Objects.requireNonNull(route, "route");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
        }
        if (methods.length == 0) {
            throw new IllegalArgumentException("methods: none (expected: at least one)");
        }
        Set<HttpMethod> set = new LinkedHashSet<>(java.util.List.of(methods));
        if (set.contains(HttpMethod.GET)) {
            set.add(HttpMethod.HEAD);
        }
        if (routes.putIfAbsent(path, new Entry(Collections.unmodifiableSet(set), route)) != null) {
            throw new IllegalArgumentException("path: " + path + " (expected: not registered yet)");
        }
        return this;
    }

    /** Shorthand for a GET route. */
    public OpsRoutes get(String path, OpsRoute route) {
        return add(path, route, HttpMethod.GET);
    }

    /**
     * Adds {@code route} for every path that starts with {@code prefix} (which ends with '/') and
     * has more after it; the route reads the rest from the request path.
     */
    public OpsRoutes addPrefix(String prefix, OpsRoute route, HttpMethod... methods) {
        Objects.requireNonNull(route, "route");
        if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: starts and ends with /)");
        }
        if (methods.length == 0) {
            throw new IllegalArgumentException("methods: none (expected: at least one)");
        }
        Set<HttpMethod> set = new LinkedHashSet<>(java.util.List.of(methods));
        if (set.contains(HttpMethod.GET)) {
            set.add(HttpMethod.HEAD);
        }
        if (prefixes.putIfAbsent(prefix, new Entry(Collections.unmodifiableSet(set), route)) != null) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: not registered yet)");
        }
        return this;
    }

    /** The entry for {@code path} (an exact route first, then the longest matching prefix), or null. */
    public Entry find(String path) {
        Entry exact = routes.get(path);
        if (exact != null) {
            return exact;
        }
        Entry best = null;
        int bestLen = -1;
        for (Map.Entry<String, Entry> e : prefixes.entrySet()) {
            String prefix = e.getKey();
            if (path.length() > prefix.length() && path.startsWith(prefix) && prefix.length() > bestLen) {
                best = e.getValue();
                bestLen = prefix.length();
            }
        }
        return best;
    }
}
