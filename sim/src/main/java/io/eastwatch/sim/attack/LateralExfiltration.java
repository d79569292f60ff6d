package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;
import io.eastwatch.sim.wire.Nic;
import io.eastwatch.sim.wire.TcpSession;

/**
 * A new lateral edge followed by a large transfer: the rogue replica logs into another
 * application's database it never used, runs a few small queries, dumps 400 MB, and then uploads
 * it to an address outside the cluster.
 */
final class LateralExfiltration implements Attack {
    @Override
    public long run(AttackContext ctx) {
        Container db = ctx.otherAppTarget(Tier.DATABASE, ctx.startUs);
        TcpSession s = new TcpSession(ctx.out, ctx.rnd, ctx.me(), ctx.attacker.ephemeralPort(), db.nic(),
                db.servicePort(), ctx.startUs);
        s.open().exchange(100, null, 300, 60, null);
        for (int k = 0; k < 5; k++) {
            s.pause(ctx.jitter(3_000_000, 0.5));
            s.exchange(200, null, 2_000, 1_000 + ctx.rnd.nextInt(4_000), null);
        }
        s.pause(10_000_000);
        s.send(true, 180, null);
        s.pause(50_000);
        s.send(false, 400L * 1024 * 1024, null);
        s.closeByClient();
        long t = s.time() + 5_000_000;
        TcpSession up = new TcpSession(ctx.out, ctx.rnd, ctx.me(), ctx.attacker.ephemeralPort(),
                Nic.host(Nic.ipv4(198, 51, 100, 23)), 443, t);
        up.open().exchange(517, null, 30_000, 3_000, null);
        up.send(true, 400L * 1024 * 1024, null);
        up.closeByClient();
        return up.time();
    }
}
