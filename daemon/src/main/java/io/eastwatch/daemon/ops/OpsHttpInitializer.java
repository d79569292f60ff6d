package io.eastwatch.daemon.ops;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/** The ops server's pipeline, one job per handler. */
final class OpsHttpInitializer extends ChannelInitializer<SocketChannel> {

    /** Ops requests carry no meaningful body; anything larger is refused with 413. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** A scraper that opens a connection and goes silent holds a socket only this long. */
    static final int IDLE_SECONDS = 60;

    private final OpsRequestHandler handler;

    OpsHttpInitializer(OpsRequestHandler handler) {
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("idle", new ReadTimeoutHandler(IDLE_SECONDS))
                .addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("routes", handler);
    }
}
