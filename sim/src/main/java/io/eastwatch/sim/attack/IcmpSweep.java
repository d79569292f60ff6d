package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import java.util.List;

/** ICMP echo sweep of two hosts' pod blocks at 50 requests/s; live containers answer. */
final class IcmpSweep implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Integer> ips = ctx.podAddresses(2, 254);
        int id = ctx.rnd.nextInt(65536);
        long t = ctx.startUs;
        int seq = 0;
        for (int ip : ips) {
            Container target = ctx.holder(ip, t);
            seq++;
            ctx.out.icmpEcho(t, ctx.me(), target == null ? io.eastwatch.sim.wire.Nic.container(ip) : target.nic(), 8, id, seq, 56);
            if (target != null) {
                ctx.out.icmpEcho(t + 50 + ctx.rnd.nextInt(300), target.nic(), ctx.me(), 0, id, seq, 56);
            }
            t += ctx.jitter(20_000, 0.3);
        }
        return t;
    }
}
