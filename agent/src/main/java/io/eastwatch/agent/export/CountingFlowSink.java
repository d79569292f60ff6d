package io.eastwatch.agent.export;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.flow.v1.FlowRecord;
import java.io.PrintStream;

/**
 * {@code --output count}: counts the flow records (and their packets) instead of sending them,
 * and prints the totals once at the end. For measuring the capture-to-flow path alone (the
 * benchmarks in bench/) and for a quick look at a capture.
 */
public final class CountingFlowSink implements FlowSink {
    private final PrintStream out;
    private long flows;
    private long finals;
    private long packets;
    private boolean printed;

    public CountingFlowSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void accept(FlowRecord.Builder flow) {
        flows++;
        if (flow.getReport() == io.eastwatch.flow.v1.ReportKind.FINAL) {
            finals++;
        }
        packets += flow.getPacketsFwd() + flow.getPacketsRev();
    }

    @Override
    public void flush() {
        if (!printed) {
            printed = true;
            out.println("flow records: " + flows + " (final: " + finals + "), packets in records: " + packets);
            out.flush();
        }
    }

    public long flows() {
        return flows;
    }
}
