package io.eastwatch.sim.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** The simulated cluster: hosts, workloads, every container that lived during the capture, and the churn. */
public final class Cluster {
    private final long originUs;
    private final long endUs;
    private final List<Host> hosts;
    private final List<Workload> workloads;
    private final List<ChurnEvent> events = new ArrayList<>();
    final Workload dns;
    final Workload monitoring;
    final Workload ingress;
    final Workload batch;
    /** A cron job whose runs call every api at once. */
    Workload cron;
    /** One workload per attacker-capable tier that churn leaves alone, so an attack can start from a stable replica. */
    final List<Workload> quietWorkloads = new ArrayList<>();

    Cluster(long originUs, long endUs, List<Host> hosts, List<Workload> workloads,
            Workload dns, Workload monitoring, Workload ingress, Workload batch) {
        this.originUs = originUs;
        this.endUs = endUs;
        this.hosts = hosts;
        this.workloads = workloads;
        this.dns = dns;
        this.monitoring = monitoring;
        this.ingress = ingress;
        this.batch = batch;
    }

    public long originUs() {
        return originUs;
    }

    public long endUs() {
        return endUs;
    }

    public List<Host> hosts() {
        return hosts;
    }

    public List<Workload> workloads() {
        return workloads;
    }

    public Workload dns() {
        return dns;
    }

    public Workload monitoring() {
        return monitoring;
    }

    public Workload ingress() {
        return ingress;
    }

    public Workload batch() {
        return batch;
    }

    public Workload cron() {
        return cron;
    }

    public List<Workload> quietWorkloads() {
        return Collections.unmodifiableList(quietWorkloads);
    }

    public List<ChurnEvent> events() {
        return events;
    }

    void event(String kind, long atUs, Workload w, String detail) {
        events.add(new ChurnEvent(kind, atUs, w == null ? null : w.name(), detail));
    }

    /** Every container in start order (then name). */
    public List<Container> containers() {
        List<Container> all = new ArrayList<>();
        for (Workload w : workloads) {
            all.addAll(w.containers());
        }
        all.sort(Comparator.comparingLong(Container::startUs).thenComparing(Container::name));
        return all;
    }

    public List<Workload> byTier(Tier tier) {
        List<Workload> out = new ArrayList<>();
        for (Workload w : workloads) {
            if (w.tier() == tier) {
                out.add(w);
            }
        }
        return out;
    }

    /** The container holding {@code ip} at {@code us}, or null (an address nobody holds: darknet). */
    public Container holder(int ip, long us) {
        for (Workload w : workloads) {
            for (Container c : w.containers()) {
                if (c.nic().ip() == ip && c.startUs() <= us && us < c.stopUs()) {
                    return c;
                }
            }
        }
        return null;
    }
}
