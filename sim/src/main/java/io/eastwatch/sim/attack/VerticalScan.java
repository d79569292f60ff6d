package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;
import java.util.ArrayList;
import java.util.List;

/** A connect() scan of ports 1-1024 plus the target's own port on one backend replica of another application. */
final class VerticalScan implements Attack {
    @Override
    public long run(AttackContext ctx) {
        Container target = ctx.otherAppTarget(Tier.BACKEND, ctx.startUs);
        List<Integer> ports = new ArrayList<>();
        for (int p = 1; p <= 1024; p++) {
            ports.add(p);
        }
        ports.add(target.servicePort());
        shuffle(ports, ctx);
        long t = ctx.startUs;
        long end = t;
        for (int port : ports) {
            end = Math.max(end, ctx.connectProbe(t, target.nic().ip(), port));
            t += ctx.jitter(3_000, 0.5);
        }
        return end;
    }

    static void shuffle(List<Integer> list, AttackContext ctx) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = ctx.rnd.nextInt(i + 1);
            Integer tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }
}
