package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;
import java.util.List;

/** Low-rate credential spraying: one failed login to each database workload of the cluster, one every 6 s. */
final class CredentialSpray implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Container> dbs = ctx.oneReplicaEach(Tier.DATABASE, ctx.startUs);
        long t = ctx.startUs;
        long end = t;
        int n = 0;
        for (Container db : dbs) {
            if (n++ == 40) {
                break;
            }
            end = Math.max(end, ctx.failedLogin(t, db));
            t += ctx.jitter(6_000_000, 0.2);
        }
        return end;
    }
}
