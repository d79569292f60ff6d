package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.traffic.DnsMessage;
import io.eastwatch.sim.wire.Nic;
import java.util.List;

/**
 * A slow single-port UDP sweep: one DNS query to port 53 of every address in the first 60 of two
 * hosts' pod blocks, one every 2 s, looking for resolvers. A cluster DNS replica answers; other
 * pods answer ICMP port unreachable; empty addresses stay silent.
 */
final class DnsPortSweep implements Attack {
    @Override
    public long run(AttackContext ctx) {
        List<Integer> ips = ctx.podAddresses(2, 60);
        long t = ctx.startUs;
        for (int ip : ips) {
            Container target = ctx.holder(ip, t);
            int sport = ctx.attacker.ephemeralPort();
            int id = ctx.rnd.nextInt(65536);
            byte[] q = DnsMessage.query(id, "kubernetes.default.svc.cluster.local", DnsMessage.TYPE_A);
            Nic dst = target == null ? Nic.container(ip) : target.nic();
            ctx.out.udp(t, ctx.me(), dst, sport, 53, q.length, q);
            if (target != null) {
                if (target.servicePort() == 53) {
                    byte[] r = DnsMessage.response(id, "kubernetes.default.svc.cluster.local", DnsMessage.TYPE_A,
                            Nic.ipv4(10, 96, 0, 1));
                    ctx.out.udp(t + 300, dst, ctx.me(), 53, sport, r.length, r);
                } else {
                    ctx.out.icmpPortUnreachable(t + 80 + ctx.rnd.nextInt(200), dst, ctx.me(), sport, 53, q.length, 64);
                }
            }
            t += ctx.jitter(2_000_000, 0.3);
        }
        return t;
    }
}
