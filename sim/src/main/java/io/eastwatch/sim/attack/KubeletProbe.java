package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Host;
import io.eastwatch.sim.wire.TcpSession;

/**
 * Container-escape reconnaissance: the rogue replica tries every host's kubelet API (10250, a TLS
 * handshake and a 401), the read-only kubelet port (10255) and the Docker API (2375), both closed,
 * one host every 3 s.
 */
final class KubeletProbe implements Attack {
    @Override
    public long run(AttackContext ctx) {
        long t = ctx.startUs;
        long end = t;
        for (Host h : ctx.cluster.hosts()) {
            TcpSession s = new TcpSession(ctx.out, ctx.rnd, ctx.me(), ctx.attacker.ephemeralPort(), h.nic(), 10250, t);
            s.open().exchange(517, null, 400, 2_400, null);
            s.exchange(180, null, 900, 160, null);
            s.closeByServer();
            TcpSession ro = new TcpSession(ctx.out, ctx.rnd, ctx.me(), ctx.attacker.ephemeralPort(), h.nic(), 10255, s.time() + 500);
            ro.refused();
            TcpSession dk = new TcpSession(ctx.out, ctx.rnd, ctx.me(), ctx.attacker.ephemeralPort(), h.nic(), 2375, ro.time() + 500);
            dk.refused();
            end = Math.max(end, dk.time());
            t += ctx.jitter(3_000_000, 0.3);
        }
        return end;
    }
}
