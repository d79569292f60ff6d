package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.ContainerActivity;
import io.eastwatch.collector.baseline.WorkloadBaseline;

/**
 * What the engine knows about a flow beyond the record, filled once per flow and handed to every
 * detector (one reused instance: the hot path allocates no context).
 */
public final class FlowContext {
    public BaselineStore store;
    public WorkloadBaseline workload;
    public ContainerActivity container;
    public BaselineStore.Phase phase;
    /** The destination workload's baseline, or null if the destination is not a container. */
    public WorkloadBaseline target;
    /** The destination was never contacted by this container before. */
    public boolean firstContact;
    /** The source workload's baseline (or configuration) holds this edge. */
    public boolean knownEdge;
    /** The source is monitored but the destination is a brand-new workload still learning. */
    public boolean targetInGrace;

    public Suspect suspect() {
        ContainerActivity c = container;
        return new Suspect(c.containerId, c.name, c.workload, c.image, c.host, c.ip);
    }
}
