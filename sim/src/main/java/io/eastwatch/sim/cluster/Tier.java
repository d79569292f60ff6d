package io.eastwatch.sim.cluster;

/** The role a workload plays in the simulated cluster; decides who calls it and how it is churned. */
public enum Tier {
    /** Ingress controllers: receive external requests and fan out to every frontend. */
    INGRESS,
    FRONTEND,
    API,
    BACKEND,
    DATABASE,
    CACHE,
    /** Cluster DNS (CoreDNS): every container queries it. */
    DNS,
    /** The monitoring scraper: touches every container's metrics port. */
    MONITORING,
    /** A periodic job whose containers fan out to every database. */
    BATCH,
    /** Shared platform services called across applications (authentication). */
    PLATFORM;

    public boolean stateless() {
        return this == FRONTEND || this == API || this == BACKEND || this == PLATFORM;
    }
}
