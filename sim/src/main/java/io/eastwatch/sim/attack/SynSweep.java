package io.eastwatch.sim.attack;

import java.util.List;

/** Horizontal SYN sweep for Redis (6379) over two hosts' pod blocks at 100 probes/s, nmap -sS style. */
final class SynSweep implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Integer> ips = ctx.podAddresses(2, 254);
        int sport = 40000 + ctx.rnd.nextInt(20000);
        long t = ctx.startUs;
        for (int ip : ips) {
            ctx.synProbe(t, sport, ip, 6379);
            t += ctx.jitter(10_000, 0.3);
        }
        return t;
    }
}
