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

    /** The entry for {@code path}, or null. */
    public Entry find(String path) {
        return routes.get(path);
    }
}
