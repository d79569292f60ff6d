package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;

/** Ten well-known ports on one database replica of another application, in about a second. */
final class SmallScan implements Attack {
    private static final int[] PORTS = {22, 80, 443, 2375, 3306, 5432, 6379, 8080, 9200, 27017};

    @Override
    public long run(AttackContext ctx) {
        Container target = ctx.otherAppTarget(Tier.DATABASE, ctx.startUs);
        long t = ctx.startUs;
        long end = t;
        for (int port : PORTS) {
            end = Math.max(end, ctx.connectProbe(t, target.nic().ip(), port));
            t += ctx.jitter(100_000, 0.5);
        }
        return end;
    }
}
