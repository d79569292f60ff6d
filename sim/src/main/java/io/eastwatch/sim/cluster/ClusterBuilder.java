package io.eastwatch.sim.cluster;

import io.eastwatch.sim.wire.Nic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds a cluster of roughly {@code containers} containers over {@code hosts} hosts: platform
 * workloads (cluster DNS, a monitoring scraper, ingress, a shared auth service, a backup job) and
 * applications in tiers (frontend -> api -> backends -> databases and caches), then plans the
 * churn a real cluster goes through during a capture (rolling deploys, autoscaling, batch runs, a
 * restarting backend, a brand-new workload) and hands out addresses in time order so that freed
 * addresses are reused by other workloads.
 */
public final class ClusterBuilder {
    private static final String[] APPS = {
        "shop", "payments", "search", "catalog", "accounts", "orders", "inventory", "shipping", "reviews",
        "media", "ads", "chat", "notify", "billing", "cart", "profile", "recs", "feed", "geo", "pricing",
        "loyalty", "support", "fraud", "ledger", "identity", "partner", "booking", "events", "content", "learn"};
    private static final String[] BACKENDS = {
        "orders", "users", "stock", "pricing", "sessions", "media", "notifier", "indexer", "ledger", "quotes"};
    private static final String[] APIS = {"api", "graphql"};
    /** Address quarantine before reuse: long enough for connection tracking to forget the old owner. */
    private static final long REUSE_QUARANTINE_US = 30_000_000L;
    /** Longest mean interval between two calls along one edge of the call graph, seconds. */
    private static final double MIN_CALL_INTERVAL_S = 20;

    private final SplittableRandom rnd;
    private final long originUs;
    private final long endUs;
    private final long learnEndUs;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Workload> workloads = new ArrayList<>();
    /** A drained node takes no new containers while cordoned. */
    private Host cordoned;
    private long cordonFromUs;
    private long cordonToUs;

    /**
     * @param originUs   capture start (microseconds since the epoch)
     * @param durationUs capture length
     * @param learnUs    the learning period at the start of the capture: churn happens in it and after it
     */
    public ClusterBuilder(long seed, long originUs, long durationUs, long learnUs, int hostCount) {
        if (hostCount < 1 || hostCount > 200) {
            throw new IllegalArgumentException("hosts: " + hostCount + " (expected: 1..200)");
        }
        this.rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.originUs = originUs;
        this.endUs = originUs + durationUs;
        this.learnEndUs = originUs + learnUs;
        for (int h = 0; h < hostCount; h++) {
            hosts.add(new Host(h));
        }
    }

    public Cluster build(int targetContainers) {
        if (targetContainers < 50) {
            throw new IllegalArgumentException("containers: " + targetContainers + " (expected: >= 50)");
        }
        if (targetContainers > hosts.size() * (Host.BLOCK - 200)) {
            throw new IllegalArgumentException("containers: " + targetContainers + " (expected: <= "
                    + hosts.size() * (Host.BLOCK - 200) + " for " + hosts.size() + " hosts)");
        }
        Workload dns = add(new Workload("kube-system", "coredns", Tier.DNS, 53, 9153, 3, 11));
        Workload mon = add(new Workload("monitoring", "prometheus", Tier.MONITORING, 9090, 9090, 1, 48));
        Workload ingress = add(new Workload("ingress", "nginx", Tier.INGRESS, 443, 10254, 3, 9));
        Workload auth = add(new Workload("platform", "auth", Tier.PLATFORM, 8443, 9090, 4, 3));
        Workload backup = add(new Workload("batch", "db-backup", Tier.BATCH, 0, 0, 0, 2));
        Workload telemetry = add(new Workload("observability", "otel-collector", Tier.PLATFORM, 4317, 8888, 3, 4));

        int planned = 14;
        int appIndex = 0;
        List<List<Workload>> apps = new ArrayList<>();
        while (planned < targetContainers) {
            List<Workload> app = app(appIndex++);
            int n = 0;
            for (Workload w : app) {
                n += w.desiredReplicas();
            }
            if (planned + n > targetContainers) {
                trim(app, planned + n - targetContainers);
                n = 0;
                for (Workload w : app) {
                    n += w.desiredReplicas();
                }
            }
            planned += n;
            apps.add(app);
            workloads.addAll(app);
        }
        wireCalls(apps, ingress, auth);
        // Every application container's sidecar pushes telemetry every five minutes (OTLP over gRPC); like
        // every edge, at least once per MIN_CALL_INTERVAL per workload so that the learning period sees it.
        for (List<Workload> app : apps) {
            for (Workload w : app) {
                w.calls().add(new Workload.Call(telemetry, Math.max(w.desiredReplicas() / 300.0, 1.0 / MIN_CALL_INTERVAL_S)));
            }
        }
        // Envoy-style active health checking in a fifth of the applications (a service mesh): every
        // client replica checks every replica of the workloads it calls.
        for (int k = 0; k < apps.size(); k += 5) {
            for (Workload w : apps.get(k)) {
                w.meshHealthChecks(true);
            }
        }

        Workload warmer = add(new Workload("batch", "cache-warmer", Tier.BATCH, 0, 0, 0, 5));
        Cluster cluster = new Cluster(originUs, endUs, hosts, workloads, dns, mon, ingress, backup);
        cluster.cron = warmer;
        for (Workload w : workloads) {
            for (int r = 0; r < w.desiredReplicas(); r++) {
                long started = originUs - 3_600_000_000L - (long) (rnd.nextDouble() * 20 * 86_400_000_000L);
                spawn(w, started);
            }
        }
        chooseQuietWorkloads(cluster);
        planChurn(cluster, apps, auth);
        assignAddresses(cluster);
        return cluster;
    }

    private Workload add(Workload w) {
        workloads.add(w);
        return w;
    }

    private List<Workload> app(int index) {
        String ns = index < APPS.length ? APPS[index] : APPS[index % APPS.length] + (index / APPS.length);
        List<Workload> app = new ArrayList<>();
        int v = 1 + rnd.nextInt(9);
        app.add(new Workload(ns, "web", Tier.FRONTEND, 8080, 9090, 3 + rnd.nextInt(4), v));
        int apis = 1 + rnd.nextInt(2);
        for (int k = 0; k < apis; k++) {
            app.add(new Workload(ns, APIS[k], Tier.API, 8080, 9090, 3 + rnd.nextInt(6), 1 + rnd.nextInt(20)));
        }
        int backends = 2 + rnd.nextInt(3);
        int first = rnd.nextInt(BACKENDS.length);
        for (int k = 0; k < backends; k++) {
            String name = BACKENDS[(first + k) % BACKENDS.length];
            int port = rnd.nextInt(3) == 0 ? 8080 : 50051;
            app.add(new Workload(ns, name, Tier.BACKEND, port, 9090, 2 + rnd.nextInt(4), 1 + rnd.nextInt(30)));
        }
        int dbs = 1 + (rnd.nextInt(3) == 0 ? 1 : 0);
        int kind = rnd.nextInt(3);
        for (int k = 0; k < dbs; k++) {
            switch ((kind + k) % 3) {
                case 0 -> app.add(new Workload(ns, "postgres", Tier.DATABASE, 5432, 9187, 1 + rnd.nextInt(3), 15));
                case 1 -> app.add(new Workload(ns, "mysql", Tier.DATABASE, 3306, 9104, 1 + rnd.nextInt(3), 8));
                default -> app.add(new Workload(ns, "mongo", Tier.DATABASE, 27017, 9216, 1 + rnd.nextInt(3), 7));
            }
        }
        if (rnd.nextInt(10) < 7) {
            if (rnd.nextBoolean()) {
                app.add(new Workload(ns, "redis", Tier.CACHE, 6379, 9121, 1 + rnd.nextInt(3), 7));
            } else {
                app.add(new Workload(ns, "memcached", Tier.CACHE, 11211, 9150, 1 + rnd.nextInt(3), 6));
            }
        }
        return app;
    }

    /** Removes {@code excess} replicas from the last app's workloads (never below 1). */
    private static void trim(List<Workload> app, int excess) {
        boolean progress = true;
        while (excess > 0 && progress) {
            progress = false;
            for (Workload w : app) {
                if (excess > 0 && w.desiredReplicas() > 1) {
                    w.desiredReplicas(w.desiredReplicas() - 1);
                    excess--;
                    progress = true;
                }
            }
        }
    }

    private void wireCalls(List<List<Workload>> apps, Workload ingress, Workload auth) {
        List<double[]> weights = new ArrayList<>();
        List<Workload[]> edges = new ArrayList<>();
        for (List<Workload> app : apps) {
            List<Workload> web = of(app, Tier.FRONTEND);
            List<Workload> api = of(app, Tier.API);
            List<Workload> be = of(app, Tier.BACKEND);
            List<Workload> db = of(app, Tier.DATABASE);
            List<Workload> cache = of(app, Tier.CACHE);
            for (Workload w : web) {
                edges.add(new Workload[] {ingress, w});
                weights.add(new double[] {3});
                for (Workload a : api) {
                    edges.add(new Workload[] {w, a});
                    weights.add(new double[] {2});
                }
            }
            for (Workload a : api) {
                edges.add(new Workload[] {a, auth});
                weights.add(new double[] {0.7});
                int n = Math.min(be.size(), 1 + rnd.nextInt(3));
                int off = rnd.nextInt(be.size());
                for (int k = 0; k < n; k++) {
                    edges.add(new Workload[] {a, be.get((off + k) % be.size())});
                    weights.add(new double[] {1.5});
                }
            }
            for (int k = 0; k < be.size(); k++) {
                Workload b = be.get(k);
                edges.add(new Workload[] {b, db.get(k % db.size())});
                weights.add(new double[] {1});
                if (!cache.isEmpty() && rnd.nextBoolean()) {
                    edges.add(new Workload[] {b, cache.get(0)});
                    weights.add(new double[] {1});
                }
            }
            // Backends the api does not call are still called by a sibling backend.
            for (Workload b : be) {
                boolean called = false;
                for (Workload[] e : edges) {
                    called |= e[1] == b;
                }
                if (!called) {
                    edges.add(new Workload[] {be.get(0) == b ? api.get(0) : be.get(0), b});
                    weights.add(new double[] {1});
                }
            }
        }
        // A few applications call another application's api.
        for (int k = 0; k < apps.size() / 4; k++) {
            List<Workload> from = apps.get(rnd.nextInt(apps.size()));
            List<Workload> to = apps.get(rnd.nextInt(apps.size()));
            if (from != to) {
                edges.add(new Workload[] {of(from, Tier.API).get(0), of(to, Tier.API).get(0)});
                weights.add(new double[] {0.5});
            }
        }
        double total = 0;
        for (double[] w : weights) {
            total += w[0];
        }
        int containers = 0;
        for (Workload w : workloads) {
            containers += w.desiredReplicas();
        }
        // Connection budget: about 0.012 new service connections per container per second, shared by
        // weight; every edge is used at least once per MIN_CALL_INTERVAL so that the learning period
        // (minutes here, days in production) sees the whole call graph several times.
        double budget = containers * 0.012;
        for (int k = 0; k < edges.size(); k++) {
            Workload[] e = edges.get(k);
            double rate = Math.max(budget * weights.get(k)[0] / total, 1.0 / MIN_CALL_INTERVAL_S);
            e[0].calls().add(new Workload.Call(e[1], rate));
        }
    }

    private static List<Workload> of(List<Workload> app, Tier tier) {
        List<Workload> out = new ArrayList<>();
        for (Workload w : app) {
            if (w.tier() == tier) {
                out.add(w);
            }
        }
        return out;
    }

    private Container spawn(Workload w, long startUs) {
        Host host = hosts.get(rnd.nextInt(hosts.size()));
        while (host == cordoned && startUs >= cordonFromUs && startUs < cordonToUs && hosts.size() > 1) {
            host = hosts.get(rnd.nextInt(hosts.size()));
        }
        String id = hex64();
        Container c = new Container(id, w, w.image(), host, startUs, 32768 + rnd.nextInt(28000));
        w.containers().add(c);
        return c;
    }

    private String hex64() {
        StringBuilder sb = new StringBuilder(64);
        for (int k = 0; k < 4; k++) {
            sb.append(String.format("%016x", rnd.nextLong()));
        }
        return sb.toString();
    }

    private void chooseQuietWorkloads(Cluster cluster) {
        for (Tier t : new Tier[] {Tier.FRONTEND, Tier.API, Tier.BACKEND}) {
            List<Workload> candidates = cluster.byTier(t);
            candidates.removeIf(w -> w.desiredReplicas() < 2);
            if (candidates.isEmpty()) {
                candidates = cluster.byTier(t);
            }
            cluster.quietWorkloads.add(candidates.get(rnd.nextInt(candidates.size())));
        }
    }

    private void planChurn(Cluster cluster, List<List<Workload>> apps, Workload auth) {
        long mon = endUs - learnEndUs;
        long learn = learnEndUs - originUs;
        Set<Workload> touched = new HashSet<>(cluster.quietWorkloads);
        List<Workload> stateless = new ArrayList<>();
        for (Workload w : workloads) {
            if (w.tier().stateless() && w != auth && w.desiredReplicas() >= 2) {
                stateless.add(w);
            }
        }
        rollingDeploy(cluster, pick(stateless, touched), originUs + learn * 3 / 10);
        rollingDeploy(cluster, pick(stateless, touched), learnEndUs + mon / 10);
        rollingDeploy(cluster, pick(stateless, touched), learnEndUs + mon / 2);

        Workload upDown = pick(stateless, touched);
        scale(cluster, upDown, originUs + learn / 2, 2);
        scale(cluster, upDown, learnEndUs + mon * 3 / 5, -2);
        Workload burst = pick(stateless, touched);
        scale(cluster, burst, learnEndUs + mon / 5, 3);
        scale(cluster, burst, learnEndUs + mon * 7 / 10, -3);

        // The backup job: a fresh container every 4 minutes that reaches every database, then exits.
        for (long t = originUs + 60_000_000L; t + 60_000_000L < endUs; t += 240_000_000L) {
            Container job = spawn(cluster.batch, t);
            job.stopAt(t + 60_000_000L);
            cluster.event("batch-run", t, cluster.batch, job.name());
        }

        // A backend replica restarts: its address stays, its port refuses connections for 6 s.
        Workload restarting = pick(byTier(Tier.BACKEND), touched);
        List<Container> alive = new ArrayList<>();
        long at = learnEndUs + mon * 2 / 5;
        restarting.aliveDuring(at, at + 6_000_000L, alive);
        if (!alive.isEmpty()) {
            Container c = alive.get(0);
            c.restart(at, at + 6_000_000L);
            cluster.event("restart", at, restarting, c.name() + " refuses connections for 6 s");
        }

        // A brand-new workload (never seen in learning) starts after the learning period.
        Workload etl = new Workload("analytics", "etl", Tier.BACKEND, 8080, 9090, 2, 1);
        List<Workload> dbs = byTier(Tier.DATABASE);
        Workload db = dbs.get(rnd.nextInt(dbs.size()));
        etl.calls().add(new Workload.Call(db, 0.05));
        etl.calls().add(new Workload.Call(auth, 0.02));
        workloads.add(etl);
        long etlAt = learnEndUs + mon * 3 / 10;
        spawn(etl, etlAt);
        spawn(etl, etlAt + 2_000_000L);
        cluster.event("new-workload", etlAt, etl, "2 replicas, calls " + db.name() + " and " + auth.name());

        // A deploy whose new version listens on another port: callers follow the new replicas.
        Workload moved = pick(stateless, touched);
        portChangeDeploy(cluster, moved, learnEndUs + mon * 9 / 20);

        // A cron job that touches every api at once (a cache warmer), a fresh container every 3 minutes.
        for (long t = originUs + 20_000_000L; t + 40_000_000L < endUs; t += 180_000_000L) {
            Container job = spawn(cluster.cron, t);
            job.stopAt(t + 40_000_000L);
            cluster.event("cron-run", t, cluster.cron, job.name());
        }
        for (Workload a : byTier(Tier.API)) {
            cluster.cron.calls().add(new Workload.Call(a, 0));
        }

        // A second brand-new workload whose replicas open connection pools to every replica of their peers at once.
        Workload stream = new Workload("analytics", "stream", Tier.BACKEND, 8080, 9090, 3, 1);
        List<Workload> caches = byTier(Tier.CACHE);
        List<Workload> backends = byTier(Tier.BACKEND);
        backends.remove(etl);
        stream.calls().add(new Workload.Call(caches.isEmpty() ? db : caches.get(rnd.nextInt(caches.size())), 0.3));
        stream.calls().add(new Workload.Call(backends.get(rnd.nextInt(backends.size())), 0.3));
        stream.calls().add(new Workload.Call(auth, 0.05));
        stream.poolSize(4);
        workloads.add(stream);
        long streamAt = learnEndUs + mon * 11 / 20;
        for (int k = 0; k < 3; k++) {
            spawn(stream, streamAt + k * 500_000L);
        }
        cluster.event("new-workload", streamAt, stream, "3 replicas opening pools of 4 connections to every peer replica");

        // A backend crash-loops (a bad configuration push): every replica refuses connections for 15 s at once,
        // and every caller's client retries with exponential backoff.
        Workload crashing = pick(byTier(Tier.BACKEND), touched);
        long crashAt = learnEndUs + mon * 13 / 20;
        List<Container> up = crashing.aliveDuring(crashAt, crashAt + 15_000_000L, new ArrayList<>());
        for (int k = 0; k < up.size(); k++) {
            up.get(k).restart(crashAt + k * 300_000L, crashAt + 15_000_000L + k * 300_000L);
        }
        cluster.event("crash-loop", crashAt, crashing, up.size() + " replicas refuse connections for 15 s");

        // A node drain: every movable container of one node is evicted at once and rescheduled elsewhere;
        // the node is cordoned for a minute, then takes new containers again (reusing the freed addresses).
        drain(cluster, learnEndUs + mon * 4 / 5);
    }

    private void drain(Cluster cluster, long atUs) {
        Set<Host> busy = new HashSet<>();
        for (Workload w : cluster.quietWorkloads) {
            for (Container c : w.containers()) {
                busy.add(c.host());
            }
        }
        for (Container c : cluster.monitoring.containers()) {
            busy.add(c.host());
        }
        List<Host> candidates = new ArrayList<>(hosts);
        candidates.removeAll(busy);
        if (candidates.isEmpty()) {
            return;
        }
        Host node = candidates.get(rnd.nextInt(candidates.size()));
        cordoned = node;
        cordonFromUs = atUs;
        cordonToUs = atUs + 60_000_000L;
        int moved = 0;
        for (Workload w : new ArrayList<>(workloads)) {
            if (w.tier() == Tier.BATCH || w.tier() == Tier.MONITORING) {
                continue;
            }
            for (Container c : new ArrayList<>(w.containers())) {
                if (c.host() == node && c.aliveDuring(atUs, atUs + 10_000_000L)) {
                    long t = atUs + moved * 250_000L;
                    spawn(w, t);
                    c.stopAt(t + 2_000_000L);
                    c.evicted(true);
                    moved++;
                }
            }
        }
        cluster.event("node-drain", atUs, null, node.name() + ": " + moved + " containers rescheduled elsewhere");
    }

    /** A rolling deploy whose new image version serves on the next port up (8080 -> 8081). */
    private void portChangeDeploy(Cluster cluster, Workload w, long atUs) {
        int before = w.servicePort();
        w.servicePort(before + 1);
        rollingDeploy(cluster, w, atUs);
        cluster.event("port-change", atUs, w, "new version serves on " + (before + 1) + " instead of " + before);
    }

    private List<Workload> byTier(Tier t) {
        List<Workload> out = new ArrayList<>();
        for (Workload w : workloads) {
            if (w.tier() == t) {
                out.add(w);
            }
        }
        return out;
    }

    private Workload pick(List<Workload> from, Set<Workload> touched) {
        for (int tries = 0; tries < 100; tries++) {
            Workload w = from.get(rnd.nextInt(from.size()));
            if (touched.add(w)) {
                return w;
            }
        }
        throw new IllegalStateException("not enough workloads to churn");
    }

    /** Replaces every replica one by one with a container of the next image version on a new address. */
    private void rollingDeploy(Cluster cluster, Workload w, long atUs) {
        List<Container> old = new ArrayList<>();
        w.aliveDuring(atUs, atUs, old);
        w.bumpVersion();
        cluster.event("rolling-deploy", atUs, w, old.size() + " replicas to " + w.image());
        long t = atUs;
        for (Container c : old) {
            spawn(w, t);
            c.stopAt(t + 4_000_000L);
            t += 10_000_000L + rnd.nextInt(10_000_000);
        }
    }

    private void scale(Cluster cluster, Workload w, long atUs, int delta) {
        List<Container> alive = new ArrayList<>();
        w.aliveDuring(atUs, atUs, alive);
        if (delta > 0) {
            for (int k = 0; k < delta; k++) {
                spawn(w, atUs + k * 1_500_000L);
            }
            cluster.event("scale-out", atUs, w, alive.size() + " -> " + (alive.size() + delta) + " replicas");
        } else {
            alive.sort(Comparator.comparingLong(Container::startUs).reversed());
            int n = Math.min(-delta, alive.size() - 1);
            for (int k = 0; k < n; k++) {
                alive.get(k).stopAt(atUs + k * 1_000_000L);
            }
            cluster.event("scale-in", atUs, w, alive.size() + " -> " + (alive.size() - n) + " replicas");
        }
    }

    /** Walks starts and stops in time order, handing out addresses per host with reuse after quarantine. */
    private void assignAddresses(Cluster cluster) {
        List<long[]> events = new ArrayList<>();
        List<Container> all = cluster.containers();
        for (int k = 0; k < all.size(); k++) {
            Container c = all.get(k);
            events.add(new long[] {Math.max(c.startUs(), originUs - 1), 1, k});
            if (c.stopUs() != Long.MAX_VALUE) {
                events.add(new long[] {c.stopUs(), 0, k});
            }
        }
        // Stops before starts at the same instant; then by container order.
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]).thenComparingLong(e -> e[2]));
        java.util.Map<Integer, Container> lastOwner = new java.util.HashMap<>();
        for (long[] e : events) {
            Container c = all.get((int) e[2]);
            if (e[1] == 0) {
                c.host().release(c.nic().ip(), e[0]);
            } else {
                int ip = c.host().allocate(e[0], REUSE_QUARANTINE_US);
                c.assign(Nic.container(ip));
                Container prev = lastOwner.put(ip, c);
                if (prev != null && prev.workload() != c.workload()) {
                    cluster.event("ip-reuse", e[0], c.workload(), Nic.format(ip) + " held by " + prev.name()
                            + " (" + prev.workload().name() + ") until " + (prev.stopUs() - originUs) / 1000 + " ms, now "
                            + c.name());
                }
            }
        }
        cluster.events().sort(Comparator.comparingLong(ChurnEvent::atUs));
    }
}
