package io.eastwatch.agent.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.flow.FlowJson;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --output json}: one {@link FlowJson} line per flow on an output stream (stdout), instead
 * of Kafka. Records are numbered from 1 per run (there is no state directory in this mode);
 * partition_sequence stays 0 since there are no partitions.
 *
 * <p>Writing happens on the caller's thread: this is a debugging and piping mode, and a reader
 * that falls behind (a slow pipe) slows the agent down rather than losing flows, which is what
 * reading a capture file wants. Output is buffered and flushed on {@link #flush} and at most
 * every 100 ms on {@link #advance}. If the output breaks (the reader of the pipe went away), writing stops, the
 * error is logged once and each flow not written is counted.
 */
public final class JsonFlowExporter implements FlowSink {

    private static final Logger log = LoggerFactory.getLogger(JsonFlowExporter.class);

    private final String agentId;
    private final String host;
    private final Writer out;
    private final Counter exported;
    private final Counter writeErrors;
    private static final long FLUSH_INTERVAL_NANOS = 100_000_000L;
    private long sequence;
    private long lastFlushNanos = System.nanoTime();
    private boolean broken;

    public JsonFlowExporter(String agentId, String host, OutputStream out, MeterRegistry registry) {
        if (agentId == null || agentId.isBlank()) {
            throw new IllegalArgumentException("agentId: " + agentId + " (expected: non-empty)");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: " + host + " (expected: non-empty)");
        }
        this.agentId = agentId;
        this.host = host;
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        this.exported = Counter.builder("eastwatch.agent.flows.exported")
            .description("Flow records acknowledged by Kafka (or written, in JSON output mode)").register(registry);
        this.writeErrors = Counter.builder("eastwatch.agent.json.write.errors")
            .description("Flows not written because the JSON output failed (a closed pipe)").register(registry);
    }

    @Override
    public synchronized void accept(FlowRecord.Builder flow) {
        flow.setAgentId(agentId).setHost(host).setSequence(++sequence);
        if (broken) {
            writeErrors.increment();
            return;
        }
        try {
            out.write(FlowJson.render(flow));
            out.write('\n');
            exported.increment();
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Flushes at most every 100 ms: the flow table may advance the watermark on every packet. */
    @Override
    public synchronized void advance(long watermarkMicros) {
        long now = System.nanoTime();
        if (now - lastFlushNanos > FLUSH_INTERVAL_NANOS) {
            flush();
        }
    }

    @Override
    public synchronized void flush() {
        if (broken) {
            return;
        }
        lastFlushNanos = System.nanoTime();
        try {
            out.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(IOException e) {
        writeErrors.increment();
        if (!broken) {
            broken = true;
            log.error("JSON output failed, no more flows will be written: {}", e.toString());
        }
    }
}
