package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.ObservedFlow;

/** A detector judging flows one at a time, in event time. */
public interface FlowDetector {
    String name();

    void onFlow(ObservedFlow flow, FlowContext context, FindingSink sink);

    /** Event time reached {@code watermarkUs}: expire state. */
    void advanceTo(long watermarkUs);
}
