package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * Reconnaissance that only touches ports the targets really serve: every replica of every
 * workload the rogue's own workload already calls, on that replica's service port and its metrics
 * port, one connection every 3 s. Every attempt is answered; the peers are known ones; only the
 * metrics ports (which only the monitoring scraper reads) and the fan-out over replicas are new.
 */
final class PeerPortSweep implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Container> replicas = new ArrayList<>();
        List<Container> scratch = new ArrayList<>();
        for (Workload.Call call : ctx.attacker.workload().calls()) {
            replicas.addAll(call.target().aliveDuring(ctx.startUs, ctx.startUs + 300_000_000L, scratch));
        }
        long t = ctx.startUs;
        long end = t;
        for (Container c : replicas) {
            end = Math.max(end, ctx.connectProbe(t, c.nic().ip(), c.servicePort()));
            t += ctx.jitter(3_000_000, 0.3);
            if (c.workload().metricsPort() != 0) {
                end = Math.max(end, ctx.connectProbe(t, c.nic().ip(), c.workload().metricsPort()));
                t += ctx.jitter(3_000_000, 0.3);
            }
        }
        return end;
    }
}
