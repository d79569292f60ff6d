package io.eastwatch.daemon.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code /metrics}: the Prometheus scrape. Answers OpenMetrics when the scraper asks for it in
 * {@code Accept} (Prometheus does), the classic text format 0.0.4 otherwise.
 */
public final class MetricsRoute implements OpsRoute {

    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsRoute(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public OpsResponse handle(FullHttpRequest request, QueryStringDecoder uri) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        boolean openMetrics = accept.contains("application/openmetrics-text");
        String type = openMetrics ? OPENMETRICS : TEXT_004;
        return OpsResponse.text(HttpResponseStatus.OK, type, registry.scrape(type));
    }
}
