package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * A quiet reconnaissance that never touches a closed port or an empty address: the rogue replica
 * reads the service list (DNS / the API) and connects once to one live replica of every backend,
 * database and cache, on its real port, every 2 s. Every attempt succeeds; only the new edges and
 * the fan-out give it away.
 */
final class LiveServiceScan implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Container> targets = new ArrayList<>();
        targets.addAll(ctx.oneReplicaEach(Tier.BACKEND, ctx.startUs));
        targets.addAll(ctx.oneReplicaEach(Tier.DATABASE, ctx.startUs));
        targets.addAll(ctx.oneReplicaEach(Tier.CACHE, ctx.startUs));
        long t = ctx.startUs;
        long end = t;
        int n = 0;
        for (Container c : targets) {
            if (n++ == 60) {
                break;
            }
            end = Math.max(end, ctx.connectProbe(t, c.nic().ip(), c.servicePort()));
            t += ctx.jitter(2_000_000, 0.3);
        }
        return end;
    }
}
