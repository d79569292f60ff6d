package io.eastwatch.sim.wire;

import static io.eastwatch.sim.wire.FrameBuilder.ACK;
import static io.eastwatch.sim.wire.FrameBuilder.FIN;
import static io.eastwatch.sim.wire.FrameBuilder.PSH;
import static io.eastwatch.sim.wire.FrameBuilder.RST;
import static io.eastwatch.sim.wire.FrameBuilder.SYN;

import java.util.SplittableRandom;

/**
 * One TCP connection between a client and a server, written frame by frame on its own clock:
 * sequence and acknowledgement numbers follow the bytes sent, data is segmented (GRO-sized
 * segments for bulk transfers, as a capture on a host with GRO sees them), the receiver
 * acknowledges every second segment, and each step advances time by a round trip or by the
 * transfer time at the path's bandwidth.
 */
public final class TcpSession {
    private final FrameBuilder out;
    private final SplittableRandom rnd;
    private final Nic client;
    private final Nic server;
    private final int cport;
    private final int sport;
    /** Half a round trip, microseconds. */
    private final int halfRttUs;
    /** Bytes per microsecond (100 = 100 MB/s). */
    private final int bytesPerUs;
    private long t;
    private long cseq;
    private long sseq;

    public TcpSession(FrameBuilder out, SplittableRandom rnd, Nic client, int cport, Nic server, int sport, long startUs) {
        this.out = out;
        this.rnd = rnd;
        this.client = client;
        this.server = server;
        this.cport = cport;
        this.sport = sport;
        this.t = startUs;
        this.halfRttUs = 40 + rnd.nextInt(200);
        this.bytesPerUs = 60 + rnd.nextInt(200);
        this.cseq = rnd.nextLong() & 0xFFFF_FFFFL;
        this.sseq = rnd.nextLong() & 0xFFFF_FFFFL;
    }

    public long time() {
        return t;
    }

    public void pause(long us) {
        t += us;
    }

    /** SYN, SYN-ACK, ACK. */
    public TcpSession open() {
        out.tcp(t, client, server, cport, sport, cseq, 0, SYN, 64240, 0, null);
        t += halfRttUs;
        out.tcp(t, server, client, sport, cport, sseq, cseq + 1, SYN | ACK, 65160, 0, null);
        t += halfRttUs;
        cseq++;
        sseq++;
        out.tcp(t, client, server, cport, sport, cseq, sseq, ACK, 502, 0, null);
        t += 20;
        return this;
    }

    /** SYN answered by RST-ACK: nothing listens on the port. */
    public void refused() {
        out.tcp(t, client, server, cport, sport, cseq, 0, SYN, 64240, 0, null);
        t += halfRttUs;
        out.tcp(t, server, client, sport, cport, 0, cseq + 1, RST | ACK, 0, 0, null);
        t += halfRttUs;
    }

    /** SYN with the kernel's retransmissions (1 s, then 2 s later ...) and no answer. */
    public void unanswered(int transmissions) {
        long backoff = 1_000_000;
        for (int k = 0; k < transmissions; k++) {
            out.tcp(t, client, server, cport, sport, cseq, 0, SYN, 64240, 0, null);
            t += backoff;
            backoff *= 2;
        }
    }

    /** Client sends a request, the server thinks, then answers. */
    public TcpSession exchange(int requestBytes, byte[] request, long thinkUs, int responseBytes, byte[] response) {
        send(true, requestBytes, request);
        t += thinkUs;
        send(false, responseBytes, response);
        return this;
    }

    /** Data from one side, segmented, with the other side's acknowledgements. */
    public TcpSession send(boolean fromClient, long bytes, byte[] head) {
        if (bytes <= 0) {
            return this;
        }
        Nic src = fromClient ? client : server;
        Nic dst = fromClient ? server : client;
        int sp = fromClient ? cport : sport;
        int dp = fromClient ? sport : cport;
        // Container veths do TSO, so the capture sees whole sends of up to 64 kB as single segments.
        int seg = FrameBuilder.GRO_SEGMENT;
        long left = bytes;
        int unacked = 0;
        boolean first = true;
        while (left > 0) {
            int n = (int) Math.min(seg, left);
            long seq = fromClient ? cseq : sseq;
            long ack = fromClient ? sseq : cseq;
            int flags = ACK | (left == n ? PSH : 0);
            out.tcp(t, src, dst, sp, dp, seq, ack, flags, 502, n, first ? head : null);
            first = false;
            if (fromClient) {
                cseq = (cseq + n) & 0xFFFF_FFFFL;
            } else {
                sseq = (sseq + n) & 0xFFFF_FFFFL;
            }
            left -= n;
            t += 2 + n / bytesPerUs;
            unacked++;
            if (unacked == 2 || left == 0) {
                long rseq = fromClient ? sseq : cseq;
                long rack = fromClient ? cseq : sseq;
                out.tcp(t + halfRttUs, dst, src, dp, sp, rseq, rack, ACK, 502, 0, null);
                unacked = 0;
            }
        }
        t += 2L * halfRttUs;
        return this;
    }

    /** The client closes: FIN, the server's FIN, the last ACK. */
    public void closeByClient() {
        finHandshake(true);
    }

    /** The server closes first (as a server that refuses a login does). */
    public void closeByServer() {
        finHandshake(false);
    }

    private void finHandshake(boolean clientFirst) {
        Nic a = clientFirst ? client : server;
        Nic b = clientFirst ? server : client;
        int ap = clientFirst ? cport : sport;
        int bp = clientFirst ? sport : cport;
        long aseq = clientFirst ? cseq : sseq;
        long bseq = clientFirst ? sseq : cseq;
        out.tcp(t, a, b, ap, bp, aseq, bseq, FIN | ACK, 502, 0, null);
        t += halfRttUs;
        out.tcp(t, b, a, bp, ap, bseq, aseq + 1, FIN | ACK, 502, 0, null);
        t += halfRttUs;
        out.tcp(t, a, b, ap, bp, aseq + 1, bseq + 1, ACK, 502, 0, null);
        t += 10;
        cseq = (cseq + 1) & 0xFFFF_FFFFL;
        sseq = (sseq + 1) & 0xFFFF_FFFFL;
    }

    /** The client aborts with RST (what a connect scanner's close with SO_LINGER 0 looks like). */
    public void resetByClient() {
        out.tcp(t, client, server, cport, sport, cseq, sseq, RST | ACK, 0, 0, null);
        t += 10;
    }

    /** Jitter helper for callers: a uniformly random duration in [lo, hi) microseconds. */
    public static long between(SplittableRandom rnd, long lo, long hi) {
        return lo + (long) (rnd.nextDouble() * (hi - lo));
    }
}
