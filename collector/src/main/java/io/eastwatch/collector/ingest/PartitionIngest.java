package io.eastwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eastwatch.collector.CollectorSettings;
import io.eastwatch.collector.DetectionEngine;
import io.eastwatch.collector.alert.AlertSink;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Ingest of one flows partition: decode, validate, de-duplicate, track sequence gaps and agent
 * watermarks, then hand the record to the partition's {@link DetectionEngine}. Works on raw
 * record values so it runs the same behind a Kafka consumer or in a test.
 */
public final class PartitionIngest {

    /** The value of the Kafka header {@code eastwatch-type} of heartbeats. */
    public static final String HEARTBEAT = "heartbeat";
    public static final String FLOW = "flow";

    private final int partition;
    private final DetectionEngine engine;
    private final FlowDeduplicator dedup;
    private final SequenceTracker sequences = new SequenceTracker();
    private final IngestMetrics metrics;

    public PartitionIngest(int partition, CollectorSettings settings, IngestSettings ingest, AlertSink sink,
                           MeterRegistry registry, IngestMetrics metrics) {
        this.partition = partition;
        this.engine = new DetectionEngine(settings, sink, registry, false);
        this.dedup = new FlowDeduplicator(ingest.dedupeToleranceMicros(), ingest.dedupeCapacity());
        this.metrics = metrics;
    }

    private FleetDirectory fleet = FleetDirectory.EMPTY;

    /** Names cross-host endpoints from the agents' announcements (see {@link FleetDirectory}). */
    public void fleet(FleetDirectory directory) {
        this.fleet = directory == null ? FleetDirectory.EMPTY : directory;
    }

    public DetectionEngine engine() {
        return engine;
    }

    /**
     * Processes one record.
     *
     * @param type the {@code eastwatch-type} header (null: a flow record)
     * @return null if processed (or dropped as a duplicate), else the dead-letter reason
     */
    public String accept(byte[] value, String type, long arrivalNanos) {
        if (value == null || value.length == 0) {
            return reject("empty");
        }
        if (HEARTBEAT.equals(type)) {
            AgentHeartbeat hb;
            try {
                hb = AgentHeartbeat.parseFrom(value);
            } catch (InvalidProtocolBufferException e) {
                return reject("decode");
            }
            if (hb.getAgentId().isEmpty()) {
                return reject("no-agent");
            }
            if (hb.getWatermarkUs() < 0) {
                return reject("timestamps");
            }
            metrics.heartbeats.increment();
            long gap = sequences.onHeartbeat(hb.getAgentId(), hb.getPartitionSequence());
            recordGap(gap);
            engine.onHeartbeat(hb);
            long live = engine.liveAgentWatermark();
            if (live != Long.MAX_VALUE) {
                engine.advanceTo(live);
            }
            return null;
        }
        if (type != null && !FLOW.equals(type)) {
            return reject("unknown-type");
        }
        FlowRecord r;
        try {
            r = FlowRecord.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return reject("decode");
        }
        String problem = RecordValidator.problem(r);
        if (problem != null) {
            return reject(problem);
        }
        recordGap(sequences.onFlow(r.getAgentId(), r.getPartitionSequence()));
        if (dedup.duplicate(r)) {
            metrics.duplicates.increment();
            return null;
        }
        r = fleet.enrich(r);
        if (r == null) {
            return null;   // the initiator's own host's agent reports this flow
        }
        metrics.ingested.increment();
        engine.onFlow(r, arrivalNanos);
        return null;
    }

    private void recordGap(long gap) {
        if (gap > 0) {
            metrics.sequenceGaps.increment(gap);
            engine.addSequenceGap(gap);
        }
    }

    private String reject(String reason) {
        metrics.dlq(reason).increment();
        return reason;
    }

    public PartitionSnapshot snapshot(long nextOffset) {
        PartitionSnapshot s = new PartitionSnapshot();
        s.partition = partition;
        s.nextOffset = nextOffset;
        s.engine = engine.snapshot();
        s.sequences.putAll(sequences.last);
        return s;
    }

    public void restore(PartitionSnapshot s) {
        engine.restore(s.engine);
        sequences.last.clear();
        sequences.last.putAll(s.sequences);
    }
}
