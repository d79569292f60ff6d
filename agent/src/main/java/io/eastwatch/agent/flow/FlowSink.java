package io.eastwatch.agent.flow;

import io.eastwatch.flow.v1.FlowRecord;

/**
 * The next stage after the flow table: identity enrichment, then export. Called with a builder
 * that the receiver owns from then on. Agent id, host and sequence numbers are filled in by the
 * exporter, identity by the enricher.
 */
public interface FlowSink {

    void accept(FlowRecord.Builder flow);

    /**
     * Event time has reached {@code watermarkMicros}: every flow that ended before it has been
     * passed to {@link #accept}. Lets later stages release records held for identity and send
     * heartbeats. Default: nothing to do.
     */
    default void advance(long watermarkMicros) {
    }

    /** Flushes everything held; called on shutdown and at the end of a capture file. */
    default void flush() {
    }
}
