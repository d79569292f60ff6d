package io.eastwatch.agent.identity;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A unix-socket relay in front of the real Docker socket, so a test can cut the resolver off from
 * a real dockerd (as a dockerd restart does) and let it back in, without restarting the lab.
 */
final class UnixSocketProxy implements AutoCloseable {
    private final Path listen;
    private final Path target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private Thread acceptor;

    UnixSocketProxy(Path listen, Path target) {
        this.listen = listen;
        this.target = target;
    }

    synchronized void start() throws IOException {
        Files.deleteIfExists(listen);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen));
        ServerSocketChannel s = server;
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    SocketChannel client = s.accept();
                    SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                }
            } catch (ClosedChannelException e) {
                // stop() closed the listening socket: the acceptor ends here.
            } catch (IOException e) {
                throw new IllegalStateException("proxy accept failed", e);
            }
        }, "ewt-docker-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(16384);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // One side was closed (by stop() or by the peer): end this direction.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "ewt-docker-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes the listening socket and every relayed connection, as a dockerd exit would. */
    synchronized void stop() throws IOException, InterruptedException {
        if (server != null) {
            server.close();
            acceptor.join(5000);
            server = null;
        }
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        open.clear();
        Files.deleteIfExists(listen);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            throw new IllegalStateException("closing a relayed connection", e);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }
}
