package io.eastwatch.daemon.ops;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * One endpoint of the ops server. Runs on the server's event loop: it must answer quickly and
 * never block on I/O (read a snapshot the component keeps up to date instead).
 */
@FunctionalInterface
public interface OpsRoute {

    OpsResponse handle(FullHttpRequest request, QueryStringDecoder uri) throws Exception;
}
