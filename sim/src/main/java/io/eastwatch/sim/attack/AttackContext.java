package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Cluster;
import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Host;
import io.eastwatch.sim.cluster.Tier;
import io.eastwatch.sim.cluster.Workload;
import io.eastwatch.sim.wire.FrameBuilder;
import io.eastwatch.sim.wire.Nic;
import io.eastwatch.sim.wire.TcpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What an attack needs: the cluster as it is while the attack runs, the rogue replica, the frame
 * writer, its own random stream (so the normal traffic of a seed is the same in every scenario),
 * and how targets answer: a live container accepts on its service and metrics ports and refuses
 * (RST) the others, an address nobody holds stays silent.
 */
public final class AttackContext {
    final Cluster cluster;
    final Container attacker;
    final FrameBuilder out;
    final SplittableRandom rnd;
    final long startUs;

    public AttackContext(Cluster cluster, Container attacker, FrameBuilder out, SplittableRandom rnd, long startUs) {
        this.cluster = cluster;
        this.attacker = attacker;
        this.out = out;
        this.rnd = rnd;
        this.startUs = startUs;
    }

    Nic me() {
        return attacker.nic();
    }

    /** The container holding {@code ip} at {@code t} and ready, or null. */
    Container holder(int ip, long t) {
        return cluster.holder(ip, t);
    }

    /** One ready replica of every workload of the tier other than the attacker's, at {@code t}. */
    List<Container> oneReplicaEach(Tier tier, long t) {
        List<Container> out = new ArrayList<>();
        List<Container> scratch = new ArrayList<>();
        for (Workload w : cluster.byTier(tier)) {
            if (w == attacker.workload()) {
                continue;
            }
            w.aliveDuring(t - 5_000_000L, t + 600_000_000L, scratch);
            if (!scratch.isEmpty()) {
                out.add(scratch.get(rnd.nextInt(scratch.size())));
            }
        }
        return out;
    }

    /** A ready replica of another application's workload of the tier (stable for the next ten minutes). */
    Container otherAppTarget(Tier tier, long t) {
        List<Container> all = oneReplicaEach(tier, t);
        all.removeIf(c -> c.workload().namespace().equals(attacker.workload().namespace()));
        if (all.isEmpty()) {
            throw new IllegalStateException("no " + tier + " target outside " + attacker.workload().namespace());
        }
        return all.get(rnd.nextInt(all.size()));
    }

    /** The first {@code count} addresses of the pod blocks of random hosts: live pods and the gaps between them. */
    List<Integer> podAddresses(int hostsWanted, int perHost) {
        List<Host> hosts = new ArrayList<>(cluster.hosts());
        List<Integer> ips = new ArrayList<>();
        for (int k = 0; k < Math.min(hostsWanted, hosts.size()); k++) {
            Host h = hosts.remove(rnd.nextInt(hosts.size()));
            for (int i = 1; i <= perHost; i++) {
                int ip = h.podBlockStart() + i;
                if (ip != me().ip()) {
                    ips.add(ip);
                }
            }
        }
        return ips;
    }

    /**
     * A connect() probe (what an unprivileged scanner does): a handshake and an immediate reset on an
     * open port, a reset from a closed one, SYN retransmissions into silence for an empty address.
     * Returns the time the probe finished.
     */
    long connectProbe(long t, int ip, int port) {
        Container target = holder(ip, t);
        Nic dst = target == null ? Nic.container(ip) : target.nic();
        TcpSession s = new TcpSession(out, rnd, me(), attacker.ephemeralPort(), dst, port, t);
        if (target == null) {
            s.unanswered(2);
        } else if (serves(target, port) && !target.downAt(t)) {
            s.open();
            s.resetByClient();
        } else {
            s.refused();
        }
        return s.time();
    }

    /**
     * A raw SYN probe (nmap -sS): one SYN from a fixed source port; an open port answers SYN-ACK and
     * the scanner's kernel, which has no socket for it, resets; a closed port resets; an empty address is silent.
     */
    void synProbe(long t, int sport, int ip, int port) {
        Container target = holder(ip, t);
        Nic dst = target == null ? Nic.container(ip) : target.nic();
        long seq = rnd.nextLong() & 0xFFFF_FFFFL;
        out.scannerSyn(t, me(), dst, sport, port, seq);
        if (target == null) {
            return;
        }
        long rtt = 60 + rnd.nextInt(300);
        if (serves(target, port) && !target.downAt(t)) {
            long tseq = rnd.nextLong() & 0xFFFF_FFFFL;
            out.tcp(t + rtt, dst, me(), port, sport, tseq, seq + 1, FrameBuilder.SYN | FrameBuilder.ACK, 65160, 0, null);
            out.tcp(t + rtt + 30, me(), dst, sport, port, seq + 1, 0, FrameBuilder.RST, 0, 0, null);
        } else {
            out.tcp(t + rtt, dst, me(), port, sport, 0, seq + 1, FrameBuilder.RST | FrameBuilder.ACK, 0, 0, null);
        }
    }

    /** A replica listens on its service port and on its workload's metrics port. */
    static boolean serves(Container target, int port) {
        return port == target.servicePort() || port != 0 && port == target.workload().metricsPort();
    }

    /**
     * A failed login to a database: handshake, the protocol's opening, credentials, an error, and
     * the server closing the connection. Returns the time it ended.
     */
    long failedLogin(long t, Container db) {
        TcpSession s = new TcpSession(out, rnd, me(), attacker.ephemeralPort(), db.nic(), db.servicePort(), t);
        s.open();
        if (db.servicePort() == 3306) {
            s.send(false, 78, null); // server greeting first
            s.exchange(90 + rnd.nextInt(40), null, 300 + rnd.nextInt(2_000), 77, null);
        } else {
            s.exchange(80 + rnd.nextInt(30), null, 200, 24, null);
            s.exchange(40 + rnd.nextInt(20), null, 500 + rnd.nextInt(3_000), 96, null);
        }
        s.closeByServer();
        return s.time();
    }

    long jitter(long meanUs, double spread) {
        return (long) (meanUs * (1 - spread + 2 * spread * rnd.nextDouble()));
    }
}
