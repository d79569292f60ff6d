package io.eastwatch.collector.baseline;

/**
 * What other flows partitions (this collector's and the rest of the group's) learned about
 * destinations: the ports each workload served and the prefixes containers live in. Flows are
 * keyed by source workload, so the flows that show a workload serving are spread over its clients'
 * partitions; a partition alone may know the workload but none of its ports. Read-only and safe to
 * call from any thread. Knowledge only ever adds served ports and prefixes: an empty view gives no
 * evidence, never a false one.
 */
public interface RemoteDestinations {

    /** No knowledge beyond the partition's own. */
    RemoteDestinations NONE = new RemoteDestinations() {
        @Override
        public boolean knowsServed(String workload) {
            return false;
        }

        @Override
        public boolean served(String workload, int portProtocol) {
            return false;
        }

        @Override
        public boolean containerPrefix(long prefix) {
            return false;
        }
    };

    /** Some partition saw this workload answer on at least one port. */
    boolean knowsServed(String workload);

    /** Some partition saw this workload answer on {@code port << 8 | protocol}. */
    boolean served(String workload, int portProtocol);

    /** Some partition saw a container address in this prefix (see {@link BaselineStore#prefixOf}). */
    boolean containerPrefix(long prefix);
}
