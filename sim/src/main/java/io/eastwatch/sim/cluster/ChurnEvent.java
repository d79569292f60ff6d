package io.eastwatch.sim.cluster;

/**
 * Something normal that changed the cluster (a rolling deploy, a scale-out, a batch run, an
 * address reused by another workload, a restart): listed in the ground truth so a false positive
 * can be traced to the change that provoked it.
 */
public record ChurnEvent(String kind, long atUs, String workload, String detail) {
}
