package io.eastwatch.agent.flow;

import io.eastwatch.flow.v1.FlowRecord;

import java.util.ArrayList;
import java.util.List;

/** A sink that keeps what it receives, for assertions. */
final class CollectingSink implements FlowSink {
    final List<FlowRecord> records = new ArrayList<>();
    long watermark = Long.MIN_VALUE;
    int watermarkRegressions;
    int flushes;

    @Override
    public void accept(FlowRecord.Builder flow) {
        records.add(flow.build());
    }

    @Override
    public void advance(long watermarkMicros) {
        if (watermarkMicros < watermark) {
            watermarkRegressions++;
        }
        watermark = watermarkMicros;
    }

    @Override
    public void flush() {
        flushes++;
    }
}
