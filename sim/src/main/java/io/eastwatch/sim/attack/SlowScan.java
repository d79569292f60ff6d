package io.eastwatch.sim.attack;

import java.util.List;

/** One SSH probe every 10 s (about 24 in four minutes) to addresses of the pod network, live or not. */
final class SlowScan implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Integer> ips = ctx.podAddresses(8, 80);
        VerticalScan.shuffle(ips, ctx);
        long t = ctx.startUs;
        long end = t;
        for (int k = 0; k < 24; k++) {
            end = Math.max(end, ctx.connectProbe(t, ips.get(k), 22));
            t += ctx.jitter(10_000_000, 0.1);
        }
        return end;
    }
}
