package io.eastwatch.collector.coverage;

/**
 * What could have hidden evidence from an alert: capture drops on the suspect's host, flows whose
 * identity was unresolved, consumer lag and sequence gaps (records lost between agent and collector).
 */
public record Coverage(String note, double dropRatio, double unresolvedRatio, long consumerLag, long sequenceGaps) {
}
