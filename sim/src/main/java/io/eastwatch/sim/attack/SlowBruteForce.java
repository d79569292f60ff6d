package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;
import io.eastwatch.sim.cluster.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * Low-and-slow password guessing: one failed login every 15 s (20 in five minutes) against one
 * replica of the database of the rogue's own application, far below any rate limit.
 */
final class SlowBruteForce implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Container> dbs = new ArrayList<>();
        for (Workload w : ctx.cluster.byTier(Tier.DATABASE)) {
            if (w.namespace().equals(ctx.attacker.workload().namespace())) {
                w.aliveDuring(ctx.startUs, ctx.startUs + 300_000_000L, dbs);
                break;
            }
        }
        Container db = dbs.isEmpty() ? ctx.otherAppTarget(Tier.DATABASE, ctx.startUs) : dbs.get(0);
        long t = ctx.startUs;
        long end = t;
        for (int k = 0; k < 20; k++) {
            end = Math.max(end, ctx.failedLogin(t, db));
            t += ctx.jitter(15_000_000, 0.2);
        }
        return end;
    }
}
