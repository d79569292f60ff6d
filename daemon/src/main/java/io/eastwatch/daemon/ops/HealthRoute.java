package io.eastwatch.daemon.ops;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code /healthz}: every registered component's state as JSON. 200 when none is DOWN (a
 * DEGRADED daemon, e.g. spooling while Kafka is away, still does its job and must not be
 * restarted by a supervisor), 503 otherwise. A check that throws counts as DOWN.
 */
public final class HealthRoute implements OpsRoute {

    private final ConcurrentMap<String, HealthCheck> checks = new ConcurrentHashMap<>();

    /** Registers (or replaces) the check of {@code component}. */
    public HealthRoute register(String component, HealthCheck check) {
        checks.put(component, check);
        return this;
    }

    /** The overall status and each component's state. */
    public Map<String, Object> snapshot() {
        Map<String, Object> components = new LinkedHashMap<>();
        HealthCheck.Status overall = HealthCheck.Status.UP;
        for (String name : checks.keySet().stream().sorted().toList()) {
            HealthCheck.Result r;
            try {
                r = checks.get(name).check();
            } catch (RuntimeException e) {
                r = HealthCheck.Result.down("check failed: " + e);
            }
            if (r == null) {
                r = HealthCheck.Result.down("check returned nothing");
            }
            if (r.status().ordinal() > overall.ordinal()) {
                overall = r.status();
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("status", r.status().name());
            c.put("detail", r.detail());
            components.put(name, c);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", overall.name());
        body.put("checks", components);
        return body;
    }

    @Override
    public OpsResponse handle(FullHttpRequest request, QueryStringDecoder uri) {
        Map<String, Object> body = snapshot();
        boolean down = HealthCheck.Status.DOWN.name().equals(body.get("status"));
        return OpsResponse.json(down ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, body);
    }
}
