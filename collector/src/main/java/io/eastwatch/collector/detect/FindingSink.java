package io.eastwatch.collector.detect;

/** Where detectors put what they found. */
@FunctionalInterface
public interface FindingSink {
    void report(Finding finding);
}
