package io.eastwatch.collector.api;

import io.eastwatch.daemon.ops.OpsResponse;
import io.eastwatch.daemon.ops.OpsRoute;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Authorization: Bearer <token>} in front of API routes. Tokens are compared as SHA-256
 * digests in constant time (no timing or length oracle) and never logged; a failure is a 401 with
 * a JSON error and is counted.
 */
final class BearerTokenAuth {
    private final List<byte[]> digests = new ArrayList<>();
    private final Counter failures;

    BearerTokenAuth(List<String> tokens, MeterRegistry registry) {
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("api.tokens: none (expected: at least one bearer token)");
        }
        for (String t : tokens) {
            if (t == null || t.length() < 16) {
                throw new IllegalArgumentException("api.tokens: a token of " + (t == null ? 0 : t.length())
                        + " characters (expected: at least 16)");
            }
            digests.add(sha256(t));
        }
        this.failures = Counter.builder("eastwatch.collector.api.auth.failures")
                .description("API requests refused for a missing or wrong bearer token")
                .register(registry);
    }

    OpsRoute protect(OpsRoute route) {
        return (request, uri) -> {
            String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                failures.increment();
                return OpsResponse.error(HttpResponseStatus.UNAUTHORIZED, "missing bearer token", uri.path());
            }
            byte[] presented = sha256(header.substring(7).trim());
            boolean ok = false;
            for (byte[] d : digests) {
                ok |= MessageDigest.isEqual(d, presented);
            }
            if (!ok) {
                failures.increment();
                return OpsResponse.error(HttpResponseStatus.UNAUTHORIZED, "invalid bearer token", uri.path());
            }
            return route.handle(request, uri);
        };
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JVM", e);
        }
    }
}
