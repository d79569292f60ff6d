package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Tier;

/**
 * nmap -sU of UDP ports 1-200 on one backend replica: closed ports answer ICMP port unreachable,
 * but the target's kernel rate-limits those answers (a token bucket), so some probes go unanswered.
 */
final class UdpScan implements Attack {
    @Override
    public long run(AttackContext ctx) {
        Container target = ctx.otherAppTarget(Tier.BACKEND, ctx.startUs);
        int sport = 40000 + ctx.rnd.nextInt(20000);
        long t = ctx.startUs;
        double tokens = 6;
        long last = t;
        for (int port = 1; port <= 200; port++) {
            ctx.out.udp(t, ctx.me(), target.nic(), sport, port, 0, null);
            tokens = Math.min(6, tokens + (t - last) / 1_000_000.0);
            last = t;
            if (tokens >= 1) {
                tokens -= 1;
                ctx.out.icmpPortUnreachable(t + 80 + ctx.rnd.nextInt(200), target.nic(), ctx.me(), sport, port, 0, 64);
            }
            t += ctx.jitter(400_000, 0.3);
        }
        return t;
    }
}
