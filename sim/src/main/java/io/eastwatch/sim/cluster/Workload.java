package io.eastwatch.sim.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * A workload: the identity shared by replicas (namespace/app), the port it serves, the metrics
 * port the scraper reads, its image and current version, its containers over time and the
 * workloads it calls.
 */
public final class Workload {
    private final String namespace;
    private final String shortName;
    private final Tier tier;
    private int servicePort;
    private final int metricsPort;
    private final String imageRepo;
    private int version;
    private int desiredReplicas;
    private final List<Container> containers = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private boolean meshHealthChecks;
    private int poolSize;

    /** An edge of the normal call graph: this workload calls {@code target} at {@code ratePerSec} (whole workload). */
    public record Call(Workload target, double ratePerSec) {
    }

    Workload(String namespace, String shortName, Tier tier, int servicePort, int metricsPort, int replicas, int version) {
        this.namespace = namespace;
        this.shortName = shortName;
        this.tier = tier;
        this.servicePort = servicePort;
        this.metricsPort = metricsPort;
        this.imageRepo = "registry.local/" + namespace + "/" + shortName;
        this.desiredReplicas = replicas;
        this.version = version;
    }

    public String name() {
        return namespace + "/" + shortName;
    }

    public String namespace() {
        return namespace;
    }

    public String shortName() {
        return shortName;
    }

    public Tier tier() {
        return tier;
    }

    public int servicePort() {
        return servicePort;
    }

    /** A new image version that listens on another port: replicas started from now on serve {@code port}. */
    void servicePort(int port) {
        servicePort = port;
    }

    public int metricsPort() {
        return metricsPort;
    }

    public String image() {
        return imageRepo + ":1." + version + ".0";
    }

    void bumpVersion() {
        version++;
    }

    public int desiredReplicas() {
        return desiredReplicas;
    }

    void desiredReplicas(int n) {
        desiredReplicas = n;
    }

    public List<Container> containers() {
        return containers;
    }

    public List<Call> calls() {
        return calls;
    }

    /** Whether this workload's sidecars actively health-check every replica of the workloads it calls. */
    public boolean meshHealthChecks() {
        return meshHealthChecks;
    }

    void meshHealthChecks(boolean on) {
        meshHealthChecks = on;
    }

    /** Connections a new replica opens to every replica of each peer at start (0: none, it connects per call). */
    public int poolSize() {
        return poolSize;
    }

    void poolSize(int n) {
        poolSize = n;
    }

    /** DNS name clients resolve for this workload. */
    public String serviceName() {
        return shortName + "." + namespace + ".svc.cluster.local";
    }

    /** Containers alive during the whole interval, in start order. */
    public List<Container> aliveDuring(long fromUs, long toUs, List<Container> into) {
        into.clear();
        for (Container c : containers) {
            if (c.aliveDuring(fromUs, toUs)) {
                into.add(c);
            }
        }
        return into;
    }

    @Override
    public String toString() {
        return name();
    }
}
