package io.eastwatch.collector.ingest;

import io.eastwatch.collector.EngineState;
import java.util.HashMap;
import java.util.Map;

/** Everything one flows partition's pipeline holds, with the offset it is consistent with. */
public final class PartitionSnapshot {
    public int partition;
    /** The next flows offset to read: committed in the same transaction as this snapshot. */
    public long nextOffset;
    public EngineState engine;
    public Map<String, Long> sequences = new HashMap<>();
}
