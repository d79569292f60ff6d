package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;
import io.eastwatch.sim.cluster.Workload;
import java.util.ArrayList;
import java.util.List;

/** Password guessing against one database replica of the attacker's own application: 300 failed logins at ~5/s. */
final class DatabaseBruteForce implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Container> dbs = new ArrayList<>();
        for (Workload w : ctx.cluster.byTier(Tier.DATABASE)) {
            if (w.namespace().equals(ctx.attacker.workload().namespace())) {
                w.aliveDuring(ctx.startUs, ctx.startUs + 120_000_000L, dbs);
                break;
            }
        }
        Container db = dbs.isEmpty() ? ctx.otherAppTarget(Tier.DATABASE, ctx.startUs) : dbs.get(0);
        long t = ctx.startUs;
        long end = t;
        for (int k = 0; k < 300; k++) {
            end = Math.max(end, ctx.failedLogin(t, db));
            t += ctx.jitter(200_000, 0.5);
        }
        return end;
    }
}
