package io.eastwatch.sim.traffic;

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
 * The cluster's normal traffic: load-balanced service calls along the call graph, DNS queries to
 * the cluster DNS, the monitoring scraper reading every container's and host's metrics (plus a
 * ping of every host), external requests through the ingress, and the backup job's fan-out to
 * every database. Calls pick a random ready replica at each end, so a restarting replica refuses
 * a few connections and a stopped one is scraped once more while service discovery catches up.
 */
public final class NormalTraffic {
    private static final long READY_US = 3_000_000L;
    private static final long SCRAPE_INTERVAL_US = 60_000_000L;
    /** How long the scraper keeps a stopped target before service discovery drops it. */
    private static final long DISCOVERY_LAG_US = 10_000_000L;
    private static final long DNS_MEAN_INTERVAL_US = 45_000_000L;
    private static final long HEALTH_INTERVAL_US = 60_000_000L;

    private final Cluster cluster;
    private final FrameBuilder out;
    private final SplittableRandom rnd;
    private final List<Container> scratchA = new ArrayList<>();
    private final List<Container> scratchB = new ArrayList<>();
    private final Nic[] loadBalancers = {
        Nic.host(Nic.ipv4(10, 2, 0, 4)), Nic.host(Nic.ipv4(10, 2, 0, 5)), Nic.host(Nic.ipv4(10, 2, 0, 6))};
    private int lbPort = 40000;

    public NormalTraffic(Cluster cluster, FrameBuilder out, long seed) {
        this.cluster = cluster;
        this.out = out;
        this.rnd = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
    }

    public void generate() {
        for (Workload w : cluster.workloads()) {
            for (Workload.Call call : w.calls()) {
                serviceCalls(w, call);
            }
        }
        external();
        for (Container c : cluster.containers()) {
            if (c.workload().tier() != Tier.DNS) {
                dns(c);
            }
        }
        scrapes();
        for (Container job : cluster.batch().containers()) {
            backupRun(job);
        }
        if (cluster.cron() != null) {
            for (Container job : cluster.cron().containers()) {
                cronRun(job);
            }
        }
        for (Workload w : cluster.workloads()) {
            if (w.meshHealthChecks()) {
                for (Container c : w.containers()) {
                    healthChecks(c);
                }
            }
            if (w.poolSize() > 0) {
                for (Container c : w.containers()) {
                    openPools(c);
                }
            }
        }
        for (Container c : cluster.containers()) {
            if (c.evicted()) {
                staleEndpoint(c);
            }
        }
        for (Container c : cluster.containers()) {
            if (c.downFromUs() != Long.MAX_VALUE) {
                reconnects(c);
            }
        }
    }

    /**
     * A restarting replica: its callers' connection pools notice at once and reconnect with
     * exponential backoff (50 ms doubling to 1.6 s, with jitter, as gRPC and most HTTP clients do);
     * each attempt is refused (RST) until the process listens again.
     */
    private void reconnects(Container restarting) {
        for (Workload w : cluster.workloads()) {
            for (Workload.Call call : w.calls()) {
                if (call.target() != restarting.workload() || call.ratePerSec() <= 0) {
                    continue;
                }
                List<Container> callers = w.aliveDuring(restarting.downFromUs(), restarting.downToUs(), new ArrayList<>());
                for (int k = 0; k < Math.min(6, callers.size()); k++) {
                    Container caller = callers.get(k);
                    long t = restarting.downFromUs() + (long) (rnd.nextDouble() * 1_000_000L);
                    long backoff = 50_000L;
                    for (; t < restarting.downToUs(); t += backoff + rnd.nextInt((int) (backoff / 5) + 1)) {
                        new TcpSession(out, rnd, caller.nic(), caller.ephemeralPort(), restarting.nic(),
                                restarting.servicePort(), t).refused();
                        backoff = Math.min(1_600_000L, backoff * 2);
                    }
                    call(caller, restarting, t);
                }
            }
        }
    }

    /**
     * A container evicted by a node drain: for a few seconds after it stopped, one or two of its
     * callers still have its address in their endpoint lists and send a SYN or two into silence.
     */
    private void staleEndpoint(Container gone) {
        for (Workload w : cluster.workloads()) {
            for (Workload.Call call : w.calls()) {
                if (call.target() != gone.workload() || call.ratePerSec() <= 0) {
                    continue;
                }
                List<Container> callers = w.aliveDuring(gone.stopUs(), gone.stopUs() + 5_000_000L, new ArrayList<>());
                for (int k = 0; k < Math.min(2, callers.size()); k++) {
                    Container caller = callers.get(rnd.nextInt(callers.size()));
                    long t = gone.stopUs() + 200_000L + (long) (rnd.nextDouble() * 3_000_000L);
                    new TcpSession(out, rnd, caller.nic(), caller.ephemeralPort(), gone.nic(), gone.servicePort(), t)
                            .unanswered(1 + rnd.nextInt(2));
                }
            }
        }
    }

    /**
     * Active health checking by a mesh sidecar: every 60 s the client checks every replica of every
     * workload it calls (a short HTTP request on the service port); a replica that just went away
     * is checked into silence until discovery drops it, a restarting one refuses.
     */
    private void healthChecks(Container c) {
        long from = Math.max(c.startUs() + READY_US, cluster.originUs()) + (long) (rnd.nextDouble() * HEALTH_INTERVAL_US);
        long until = Math.min(c.stopUs(), cluster.endUs() - 5_000_000L);
        for (long t = from; t < until; t += HEALTH_INTERVAL_US) {
            long at = t;
            for (Workload.Call call : c.workload().calls()) {
                for (Container peer : call.target().containers()) {
                    if (peer.startUs() + READY_US > t || t >= peer.stopUs() + DISCOVERY_LAG_US) {
                        continue;
                    }
                    at += 2_000 + rnd.nextInt(20_000);
                    TcpSession s = new TcpSession(out, rnd, c.nic(), c.ephemeralPort(), peer.nic(), peer.servicePort(), at);
                    if (at >= peer.stopUs()) {
                        s.unanswered(1);
                    } else if (peer.downAt(at)) {
                        s.refused();
                    } else {
                        s.open().exchange(90, null, 300 + rnd.nextInt(2_000), 120, null);
                        s.closeByClient();
                    }
                }
            }
        }
    }

    /** A fresh replica of a pooling client opens its pools to every ready replica of each peer at once. */
    private void openPools(Container c) {
        long t = Math.max(c.startUs(), cluster.originUs()) + 500_000L;
        for (Workload.Call call : c.workload().calls()) {
            for (Container peer : call.target().aliveDuring(t, t + 60_000_000L, scratchB)) {
                for (int k = 0; k < c.workload().poolSize(); k++) {
                    t += 1_000 + rnd.nextInt(5_000);
                    TcpSession s = new TcpSession(out, rnd, c.nic(), c.ephemeralPort(), peer.nic(), peer.servicePort(), t);
                    s.open().exchange(60, null, 500, 60, null);
                    s.pause(10_000_000L + rnd.nextInt(20_000_000));
                    s.exchange(150 + rnd.nextInt(800), null, 2_000, 400 + rnd.nextInt(8_000), null);
                    s.closeByClient();
                }
            }
        }
    }

    private void serviceCalls(Workload from, Workload.Call call) {
        if (call.ratePerSec() <= 0) {
            return; // called by the workload's own job logic, not at a steady rate
        }
        long t = cluster.originUs();
        while (true) {
            t += exp(1e6 / call.ratePerSec());
            if (t >= cluster.endUs() - 5_000_000L) {
                return;
            }
            Container src = pickReady(from, t, scratchA);
            Container dst = pickReady(call.target(), t, scratchB);
            if (src == null || dst == null) {
                continue;
            }
            call(src, dst, t);
        }
    }

    private void call(Container src, Container dst, long t) {
        Workload target = dst.workload();
        TcpSession s = new TcpSession(out, rnd, src.nic(), src.ephemeralPort(), dst.nic(), dst.servicePort(), t);
        if (dst.downAt(t)) {
            s.refused();
            return;
        }
        s.open();
        int exchanges = 1 + rnd.nextInt(3);
        for (int k = 0; k < exchanges; k++) {
            int req = 150 + rnd.nextInt(1800);
            int resp = switch (target.tier()) {
                case DATABASE -> 100 + rnd.nextInt(24_000);
                case CACHE -> 40 + rnd.nextInt(2_000);
                case PLATFORM -> 300 + rnd.nextInt(900);
                default -> 400 + rnd.nextInt(30_000);
            };
            long think = switch (target.tier()) {
                case DATABASE -> 200 + rnd.nextInt(15_000);
                case CACHE -> 30 + rnd.nextInt(300);
                default -> 1_000 + rnd.nextInt(40_000);
            };
            s.exchange(req, null, think, resp, null);
            s.pause(100 + rnd.nextInt(5_000));
        }
        s.closeByClient();
    }

    /** Requests from the cloud load balancer's addresses to the ingress controllers. */
    private void external() {
        long t = cluster.originUs();
        double rate = Math.max(1.0, cluster.ingress().calls().size() * 0.05);
        while (true) {
            t += exp(1e6 / rate);
            if (t >= cluster.endUs() - 5_000_000L) {
                return;
            }
            Container in = pickReady(cluster.ingress(), t, scratchA);
            if (in == null) {
                continue;
            }
            Nic lb = loadBalancers[rnd.nextInt(loadBalancers.length)];
            lbPort = lbPort >= 60000 ? 40000 : lbPort + 1;
            TcpSession s = new TcpSession(out, rnd, lb, lbPort, in.nic(), 443, t).open();
            s.exchange(517, null, 300, 2_900 + rnd.nextInt(1_500), null); // TLS handshake
            s.exchange(400 + rnd.nextInt(900), null, 2_000 + rnd.nextInt(60_000), 600 + rnd.nextInt(40_000), null);
            s.closeByClient();
        }
    }

    private void dns(Container c) {
        long t = Math.max(c.startUs(), cluster.originUs()) + (long) (rnd.nextDouble() * 2_000_000L);
        List<Workload.Call> calls = c.workload().calls();
        while (t < Math.min(c.stopUs(), cluster.endUs()) - 1_000_000L) {
            Container server = pickReady(cluster.dns(), t, scratchA);
            if (server != null) {
                String name = calls.isEmpty() ? "kubernetes.default.svc.cluster.local"
                        : calls.get(rnd.nextInt(calls.size())).target().serviceName();
                int port = c.ephemeralPort();
                lookup(c, server, port, t, name, DnsMessage.TYPE_A);
                if (rnd.nextInt(10) < 3) {
                    lookup(c, server, port, t + 150, name, DnsMessage.TYPE_AAAA);
                }
            }
            t += exp(DNS_MEAN_INTERVAL_US);
        }
    }

    private void lookup(Container c, Container server, int port, long t, String name, int qtype) {
        int id = rnd.nextInt(65536);
        byte[] q = DnsMessage.query(id, name, qtype);
        out.udp(t, c.nic(), server.nic(), port, 53, q.length, q);
        int clusterIp = Nic.ipv4(10, 96, (name.hashCode() >>> 8) & 0xFF, name.hashCode() & 0xFF);
        byte[] r = DnsMessage.response(id, name, qtype, clusterIp);
        out.udp(t + 80 + rnd.nextInt(700), server.nic(), c.nic(), 53, port, r.length, r);
    }

    /** The scraper reads every container's metrics port and every host's node exporter and kubelet once a minute. */
    private void scrapes() {
        Container prom = cluster.monitoring().containers().get(0);
        for (Container target : cluster.containers()) {
            int port = target.workload().metricsPort();
            if (port == 0 || target == prom) {
                continue;
            }
            long slot = cluster.originUs() + (long) (rnd.nextDouble() * SCRAPE_INTERVAL_US);
            long from = Math.max(cluster.originUs(), target.startUs() + READY_US);
            while (slot < from) {
                slot += SCRAPE_INTERVAL_US;
            }
            long until = target.stopUs() == Long.MAX_VALUE ? cluster.endUs() : target.stopUs() + DISCOVERY_LAG_US;
            for (long t = slot; t < Math.min(until, cluster.endUs() - 5_000_000L); t += SCRAPE_INTERVAL_US) {
                TcpSession s = new TcpSession(out, rnd, prom.nic(), prom.ephemeralPort(), target.nic(), port, t);
                if (t >= target.stopUs()) {
                    s.unanswered(2);
                } else if (target.downAt(t)) {
                    s.refused();
                } else {
                    s.open().exchange(230, null, 500 + rnd.nextInt(20_000), 2_000 + rnd.nextInt(60_000), null);
                    s.closeByClient();
                }
            }
        }
        for (Host h : cluster.hosts()) {
            long slot = cluster.originUs() + (long) (rnd.nextDouble() * SCRAPE_INTERVAL_US);
            for (long t = slot; t < cluster.endUs() - 5_000_000L; t += SCRAPE_INTERVAL_US) {
                new TcpSession(out, rnd, prom.nic(), prom.ephemeralPort(), h.nic(), 9100, t).open()
                        .exchange(230, null, 2_000 + rnd.nextInt(20_000), 20_000 + rnd.nextInt(60_000), null).closeByClient();
                TcpSession k = new TcpSession(out, rnd, prom.nic(), prom.ephemeralPort(), h.nic(), 10250, t + 1_000);
                k.open().exchange(517, null, 300, 2_500, null); // TLS handshake
                k.exchange(300, null, 5_000 + rnd.nextInt(30_000), 30_000 + rnd.nextInt(200_000), null).closeByClient();
                int id = prom.ephemeralPort();
                out.icmpEcho(t + 2_000, prom.nic(), h.nic(), 8, id, 1, 56);
                out.icmpEcho(t + 2_000 + 60 + rnd.nextInt(200), h.nic(), prom.nic(), 0, id, 1, 56);
            }
        }
    }

    /** One backup run: the job container dumps every database replica, one after the other. */
    private void backupRun(Container job) {
        long t = Math.max(job.startUs(), cluster.originUs()) + 2_000_000L;
        long deadline = Math.min(job.stopUs(), cluster.endUs()) - 1_000_000L;
        for (Workload db : cluster.byTier(Tier.DATABASE)) {
            for (Container replica : db.aliveDuring(t, t + 5_000_000L, scratchA)) {
                if (t >= deadline) {
                    return;
                }
                Container server = pickReady(cluster.dns(), t, scratchB);
                if (server != null) {
                    lookup(job, server, job.ephemeralPort(), t, db.serviceName(), DnsMessage.TYPE_A);
                    t += 2_000;
                }
                TcpSession s = new TcpSession(out, rnd, job.nic(), job.ephemeralPort(), replica.nic(), replica.servicePort(), t);
                s.open().exchange(120, null, 2_000, 40, null);
                s.exchange(300, null, 20_000, 1_000_000 + rnd.nextInt(3_000_000), null);
                s.closeByClient();
                t = s.time() + 50_000;
            }
        }
    }

    /**
     * One cache-warmer run: the job resolves every api it warms and calls each through its service
     * (a random ready replica) almost at once, a dozen requests in flight: one container touching
     * dozens of services within seconds.
     */
    private void cronRun(Container job) {
        long t = Math.max(job.startUs(), cluster.originUs()) + 1_500_000L;
        long deadline = Math.min(job.stopUs(), cluster.endUs()) - 1_000_000L;
        for (Workload.Call call : job.workload().calls()) {
            if (t >= deadline) {
                return;
            }
            Container server = pickReady(cluster.dns(), t, scratchB);
            if (server != null) {
                lookup(job, server, job.ephemeralPort(), t, call.target().serviceName(), DnsMessage.TYPE_A);
            }
            for (int k = 0; k < 3; k++) {
                Container dst = pickReady(call.target(), t, scratchA);
                if (dst != null) {
                    call(job, dst, t + 3_000 + rnd.nextInt(40_000));
                }
            }
            t += 20_000 + rnd.nextInt(60_000);
        }
    }

    private Container pickReady(Workload w, long t, List<Container> scratch) {
        scratch.clear();
        for (Container c : w.containers()) {
            if (c.startUs() + READY_US <= t && t + 5_000_000L < c.stopUs()) {
                scratch.add(c);
            }
        }
        return scratch.isEmpty() ? null : scratch.get(rnd.nextInt(scratch.size()));
    }

    private long exp(double meanUs) {
        return 1 + (long) (-Math.log(1 - rnd.nextDouble()) * meanUs);
    }
}
