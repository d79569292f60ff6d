package io.eastwatch.agent.identity;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A minimal HTTP/1.1 client for the Docker Engine API on its unix socket, on one Netty epoll
 * event loop: one connection per request, and a long-lived streaming request whose body (Docker's
 * {@code /events}: chunked JSON lines) is cut into lines as it arrives, not when it ends.
 * Every callback runs on {@link #loop()}, so the resolver's state needs no locks.
 */
final class DockerApiClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final String apiPrefix;
    private final long requestTimeoutMillis;
    private final int maxResponseBytes;
    private final int maxLineBytes;

    DockerApiClient(Path socket, String apiVersion, long requestTimeoutMillis, int maxResponseBytes, int maxLineBytes) {
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "eastwatch-docker-api");
            t.setDaemon(true);
            return t;
        }, EpollIoHandler.newFactory());
        this.loop = group.next();
        this.bootstrap = new Bootstrap().group(loop).channel(EpollDomainSocketChannel.class)
                .remoteAddress(new DomainSocketAddress(socket.toString()));
        this.apiPrefix = "/" + apiVersion;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.maxResponseBytes = maxResponseBytes;
        this.maxLineBytes = maxLineBytes;
    }

    EventLoop loop() {
        return loop;
    }

    /** GET {@code path} (after the version prefix); the body of a 200 answer, on the event loop. */
    CompletableFuture<String> get(String path) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(maxResponseBytes),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                if (r.status().code() == 200) {
                                    result.complete(r.content().toString(StandardCharsets.UTF_8));
                                } else {
                                    result.completeExceptionally(new DockerApiException("GET " + path + ": " + r.status()));
                                }
                                ctx.close();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.completeExceptionally(new DockerApiException("GET " + path + ": " + cause, cause));
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.completeExceptionally(new DockerApiException("GET " + path + ": connection closed"));
                            }
                        });
            }
        });
        b.connect().addListener((io.netty.channel.ChannelFutureListener) cf -> {
            if (!cf.isSuccess()) {
                result.completeExceptionally(new DockerApiException("connect " + bootstrap.config().remoteAddress() + ": "
                        + cf.cause(), cf.cause()));
                return;
            }
            cf.channel().writeAndFlush(request(path, true));
            loop.schedule(() -> {
                if (!result.isDone()) {
                    result.completeExceptionally(new DockerApiException("GET " + path + ": no answer in "
                            + requestTimeoutMillis + " ms"));
                    cf.channel().close();
                }
            }, requestTimeoutMillis, TimeUnit.MILLISECONDS);
        });
        return result;
    }

    /**
     * Streams GET {@code path}: each complete line of the body goes to {@code onLine} as it arrives.
     * {@code onOpen} runs when the server answered 200; {@code onEnd} once, with the reason, when
     * the stream ends for any reason (null for a clean end).
     */
    Channel stream(String path, Runnable onOpen, Consumer<String> onLine, Consumer<Throwable> onEnd) {
        var handler = new LineStreamHandler(path, onOpen, onLine, onEnd, maxLineBytes);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), handler);
            }
        });
        var connect = b.connect();
        connect.addListener((io.netty.channel.ChannelFutureListener) cf -> {
            if (cf.isSuccess()) {
                cf.channel().writeAndFlush(request(path, false));
            } else {
                handler.end(new DockerApiException("connect " + bootstrap.config().remoteAddress() + ": " + cf.cause(), cf.cause()));
            }
        });
        return connect.channel();
    }

    private DefaultFullHttpRequest request(String path, boolean close) {
        var req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, apiPrefix + path);
        req.headers().set(HttpHeaderNames.HOST, "docker");
        req.headers().set(HttpHeaderNames.CONNECTION, close ? HttpHeaderValues.CLOSE : HttpHeaderValues.KEEP_ALIVE);
        return req;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Cuts a streamed body into lines; a line longer than the limit ends the stream as an error. */
    static final class LineStreamHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final String path;
        private final Runnable onOpen;
        private final Consumer<String> onLine;
        private final Consumer<Throwable> onEnd;
        private final int maxLineBytes;
        private byte[] line = new byte[4096];
        private int len;
        private boolean ended;

        LineStreamHandler(String path, Runnable onOpen, Consumer<String> onLine, Consumer<Throwable> onEnd, int maxLineBytes) {
            this.path = path;
            this.onOpen = onOpen;
            this.onLine = onLine;
            this.onEnd = onEnd;
            this.maxLineBytes = maxLineBytes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                if (!r.status().equals(HttpResponseStatus.OK)) {
                    end(new DockerApiException("GET " + path + ": " + r.status()));
                    ctx.close();
                    return;
                }
                onOpen.run();
            }
            if (msg instanceof HttpContent c && !ended) {
                ByteBuf buf = c.content();
                while (buf.isReadable()) {
                    byte b = buf.readByte();
                    if (b == '\n') {
                        if (len > 0) {
                            onLine.accept(new String(line, 0, len, StandardCharsets.UTF_8));
                        }
                        len = 0;
                    } else {
                        if (len == line.length) {
                            if (len >= maxLineBytes) {
                                end(new DockerApiException("GET " + path + ": line longer than " + maxLineBytes + " bytes"));
                                ctx.close();
                                return;
                            }
                            line = Arrays.copyOf(line, Math.min(maxLineBytes, len * 2));
                        }
                        line[len++] = b;
                    }
                }
                if (msg instanceof LastHttpContent) {
                    end(null);
                    ctx.close();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(new DockerApiException("GET " + path + ": " + cause, cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(new DockerApiException("GET " + path + ": connection closed"));
        }

        void end(Throwable reason) {
            if (!ended) {
                ended = true;
                onEnd.accept(reason);
            }
        }
    }
}
