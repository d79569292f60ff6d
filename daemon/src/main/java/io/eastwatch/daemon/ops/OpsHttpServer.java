package io.eastwatch.daemon.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemons' small HTTP server for {@code /metrics}, {@code /healthz} and whatever else a daemon
 * registers in its {@link OpsRoutes}. One event-loop thread: ops traffic is a scrape every few
 * seconds, and a single thread keeps it off the cores the capture needs.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsHttpServer.class);

    private final OpsHttpSettings settings;
    private final OpsRequestHandler handler;
    private EventLoopGroup group;
    private Channel channel;

    /**
     * @param metricPrefix prefix of the server's own meters, {@code eastwatch.agent} or
     *                     {@code eastwatch.collector}
     */
    public OpsHttpServer(OpsHttpSettings settings, OpsRoutes routes, MeterRegistry registry, String metricPrefix) {
        this.settings = settings;
        this.handler = new OpsRequestHandler(routes, registry, metricPrefix);
    }

    /** Binds; throws if the address is taken or not local. Returns the bound address. */
    public synchronized InetSocketAddress start() throws IOException {
        if (channel != null) {
            throw new IllegalStateException("ops server already started");
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("eastwatch-ops", true),
                NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .childHandler(new OpsHttpInitializer(handler))
                    .bind(new InetSocketAddress(settings.address(), settings.port()))
                    .sync()
                    .channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
            throw new IOException("interrupted while binding the ops server", e);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
            throw new IOException("cannot bind the ops server to " + settings.bindAddress() + ":" + settings.port()
                    + " (" + e.getMessage() + ")", e);
        }
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        LOG.info("ops server listening on http://{}:{}/ (/metrics, /healthz)",
                bound.getAddress().getHostAddress(), bound.getPort());
        return bound;
    }

    /** The bound address, once started. */
    public synchronized InetSocketAddress address() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            group = null;
        }
    }
}
