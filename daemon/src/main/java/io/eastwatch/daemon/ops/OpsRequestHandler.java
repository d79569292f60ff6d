package io.eastwatch.daemon.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches one aggregated request to its {@link OpsRoute}; unknown paths get a JSON 404, known
 * paths with another method a JSON 405 with {@code Allow}, malformed requests a 400 and a route
 * that throws a 500 (logged, counted; the connection survives).
 */
@ChannelHandler.Sharable
final class OpsRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(OpsRequestHandler.class);

    private final OpsRoutes routes;
    private final Counter routeFailures;
    private final Counter badRequests;

    OpsRequestHandler(OpsRoutes routes, MeterRegistry registry, String metricPrefix) {
        this.routes = routes;
        this.routeFailures = Counter.builder(metricPrefix + ".ops.requests.failed")
                .description("Ops HTTP requests answered with an error, by reason")
                .tag("reason", "route-error").register(registry);
        this.badRequests = Counter.builder(metricPrefix + ".ops.requests.failed")
                .description("Ops HTTP requests answered with an error, by reason")
                .tag("reason", "malformed").register(registry);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        OpsResponse response;
        if (request.decoderResult().isFailure()) {
            badRequests.increment();
            response = OpsResponse.error(HttpResponseStatus.BAD_REQUEST, "malformed request", path);
            write(ctx, request, response, false);
            return;
        }
        OpsRoutes.Entry entry = routes.find(path);
        if (entry == null) {
            response = OpsResponse.error(HttpResponseStatus.NOT_FOUND, "not found", path);
        } else if (!entry.methods().contains(request.method())) {
            response = OpsResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method " + request.method() + " not allowed", path);
            FullHttpResponse r = toHttp(request, response, HttpUtil.isKeepAlive(request));
            r.headers().set(HttpHeaderNames.ALLOW,
                    entry.methods().stream().map(HttpMethod::name).collect(Collectors.joining(", ")));
            send(ctx, r, HttpUtil.isKeepAlive(request));
            return;
        } else {
            try {
                response = entry.route().handle(request, uri);
            } catch (Exception e) {
                routeFailures.increment();
                LOG.warn("ops route {} failed", path, e);
                response = OpsResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", path);
            }
        }
        write(ctx, request, response, HttpUtil.isKeepAlive(request));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, OpsResponse response, boolean keepAlive) {
        send(ctx, toHttp(request, response, keepAlive), keepAlive);
    }

    private static FullHttpResponse toHttp(FullHttpRequest request, OpsResponse response, boolean keepAlive) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse r = new DefaultFullHttpResponse(request.protocolVersion(), response.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (keepAlive && !request.protocolVersion().isKeepAliveDefault()) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("ops connection from {} failed; closing it", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
