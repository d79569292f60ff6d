package io.eastwatch.collector.ingest;

import com.google.protobuf.ByteString;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.HeldAddress;
import io.eastwatch.flow.v1.HostContainers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which container held which address when, across the whole fleet, from the agents'
 * {@link HostContainers} announcements on the identity topic.
 *
 * <p>An agent's runtime API knows only its own host's containers, so the far end of a flow that
 * crosses hosts arrives unresolved (or external). Here such an endpoint is named after the
 * container another agent announced for that address at the flow's time. When it is the
 * <em>source</em> that lives on another announcing host, that host's agent captures and reports
 * the same flow with the source resolved, keyed to the source's partition: this copy is then
 * redundant (and would be counted under the wrong partition), so it is dropped and counted.
 *
 * <p>Private bridge networks (Docker's default 172.17.0.0/16 on every host) reuse the same
 * addresses on every host and are never reachable across hosts: an address two agents announce at
 * the same time is ambiguous and never used. Only one writer (the identity topic reader); lookups
 * from the partition threads read copy-on-write arrays. Bounded: at most {@code maxIntervals}
 * ownership intervals; released ones are kept {@code retentionMicros} for late flows.
 */
public final class FleetDirectory {

    /** A directory that knows nothing: every flow passes unchanged. */
    public static final FleetDirectory EMPTY = new FleetDirectory(1, 0, null);

    private record Interval(String agentId, Endpoint owner, long fromUs, long toUs) {
        boolean covers(long t) {
            return t >= fromUs && t < toUs;
        }
    }

    private static final long OPEN = Long.MAX_VALUE;
    /** Announcements are taken on wall clocks of other hosts: tolerate this much skew at the edges. */
    private static final long SLACK_US = 2_000_000;

    private final int maxIntervals;
    private final long retentionMicros;
    private final Map<ByteString, Interval[]> byAddr = new ConcurrentHashMap<>();
    private final Map<String, Map<ByteString, Interval>> openByAgent = new HashMap<>();
    private int intervals;
    private long prunedAtUs = Long.MIN_VALUE;
    /** Released ownerships are dropped at most this often: a pass reads the whole directory. */
    private static final long PRUNE_EVERY_US = 60_000_000;

    private final Counter namedDst;
    private final Counter remoteInitiator;
    private final Counter ambiguous;
    private final Counter overflow;
    private final Counter announcements;
    private final Counter invalid;

    /**
     * @param maxIntervals    ownership intervals kept at most (about 200 B each); when full, new
     *                        ownerships are not recorded and counted
     * @param retentionMicros how long a released address still answers for flows reported late
     */
    public FleetDirectory(int maxIntervals, long retentionMicros, MeterRegistry registry) {
        if (maxIntervals < 1) {
            throw new IllegalArgumentException("maxIntervals: " + maxIntervals + " (expected: > 0)");
        }
        if (retentionMicros < 0) {
            throw new IllegalArgumentException("retentionMicros: " + retentionMicros + " (expected: >= 0)");
        }
        this.maxIntervals = maxIntervals;
        this.retentionMicros = retentionMicros;
        if (registry == null) {
            namedDst = remoteInitiator = ambiguous = overflow = announcements = invalid = null;
            return;
        }
        String fleet = "eastwatch.collector.fleet.";
        namedDst = Counter.builder(fleet + "endpoints.named")
                .description("Flow destinations the reporting agent could not name, named from another host's announcement")
                .register(registry);
        remoteInitiator = Counter.builder(fleet + "remote.initiator")
                .description("Flow copies dropped because the initiator's own host's agent reports the same flow")
                .register(registry);
        ambiguous = Counter.builder(fleet + "ambiguous")
                .description("Unknown endpoints left unnamed because several hosts announce the address (host-local networks)")
                .register(registry);
        overflow = Counter.builder(fleet + "overflow")
                .description("Announced ownerships not recorded because the directory is full").register(registry);
        announcements = Counter.builder(fleet + "announcements")
                .description("Host container announcements read from the identity topic").register(registry);
        invalid = Counter.builder(fleet + "announcements.rejected")
                .description("Announced entries ignored: no agent id, or an address that is neither 4 nor 16 bytes")
                .register(registry);
        Gauge.builder(fleet + "addresses", byAddr, Map::size)
                .description("Addresses the fleet directory knows (held now or recently)").register(registry);
        Gauge.builder(fleet + "agents", this, FleetDirectory::agents)
                .description("Agents whose announcement the directory holds").register(registry);
    }

    private synchronized int agents() {
        return openByAgent.size();
    }

    /** Applies one agent's current set: new holders open at their start, vanished ones close at the set's time. */
    public synchronized void apply(HostContainers hc) {
        if (hc.getAgentId().isEmpty()) {
            reject();
            return;
        }
        if (announcements != null) {
            announcements.increment();
        }
        long at = hc.getTakenAtUs();
        Map<ByteString, Interval> prev = openByAgent.getOrDefault(hc.getAgentId(), Map.of());
        Map<ByteString, Interval> next = new HashMap<>();
        for (HeldAddress h : hc.getAddressesList()) {
            ByteString addr = h.getAddr();
            if (addr.size() != 4 && addr.size() != 16) {
                reject();
                continue;
            }
            if (next.containsKey(addr)) {
                continue;
            }
            Interval cur = prev.get(addr);
            if (cur != null && cur.owner.getContainerId().equals(h.getOwner().getContainerId())) {
                next.put(addr, cur);
                continue;
            }
            if (cur != null) {
                close(addr, cur, at);
            }
            long from = h.getSinceUs() > 0 && h.getSinceUs() <= at ? h.getSinceUs() : at;
            Interval opened = open(addr, new Interval(hc.getAgentId(), h.getOwner(), from, OPEN));
            if (opened != null) {
                next.put(addr, opened);
            }
        }
        for (Map.Entry<ByteString, Interval> e : prev.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                close(e.getKey(), e.getValue(), at);
            }
        }
        openByAgent.put(hc.getAgentId(), next);
        if (at - prunedAtUs >= PRUNE_EVERY_US || prunedAtUs == Long.MIN_VALUE) {
            prunedAtUs = at;
            prune(at);
        }
    }

    private void reject() {
        if (invalid != null) {
            invalid.increment();
        }
    }

    private Interval open(ByteString addr, Interval i) {
        if (intervals >= maxIntervals) {
            if (overflow != null) {
                overflow.increment();
            }
            return null;
        }
        Interval[] cur = byAddr.get(addr);
        Interval[] n = cur == null ? new Interval[1] : Arrays.copyOf(cur, cur.length + 1);
        n[n.length - 1] = i;
        byAddr.put(addr, n);
        intervals++;
        return i;
    }

    private void close(ByteString addr, Interval i, long at) {
        Interval[] cur = byAddr.get(addr);
        if (cur == null) {
            return;
        }
        Interval[] n = cur.clone();
        for (int k = 0; k < n.length; k++) {
            if (n[k] == i) {
                n[k] = new Interval(i.agentId, i.owner, i.fromUs, Math.max(at, i.fromUs));
            }
        }
        byAddr.put(addr, n);
    }

    private void prune(long nowUs) {
        for (Iterator<Map.Entry<ByteString, Interval[]>> it = byAddr.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ByteString, Interval[]> e = it.next();
            List<Interval> keep = new ArrayList<>();
            for (Interval i : e.getValue()) {
                if (i.toUs == OPEN || i.toUs + retentionMicros > nowUs) {
                    keep.add(i);
                }
            }
            if (keep.size() != e.getValue().length) {
                intervals -= e.getValue().length - keep.size();
                if (keep.isEmpty()) {
                    it.remove();
                } else {
                    e.setValue(keep.toArray(new Interval[0]));
                }
            }
        }
    }

    /**
     * The container another agent than {@code reportingAgent} announced for {@code addr} at
     * {@code tsUs}, or null when none did or several hosts claim the address.
     */
    Interval owner(ByteString addr, long tsUs, String reportingAgent) {
        Interval[] cur = byAddr.get(addr);
        if (cur == null) {
            return null;
        }
        Interval found = null;
        for (Interval i : cur) {
            if (i.fromUs - SLACK_US <= tsUs && (i.toUs == OPEN || tsUs < i.toUs + SLACK_US)) {
                if (found != null && !found.agentId.equals(i.agentId)) {
                    if (ambiguous != null) {
                        ambiguous.increment();
                    }
                    return null;
                }
                if (found == null || i.fromUs > found.fromUs) {
                    found = i;
                }
            }
        }
        return found == null || found.agentId.equals(reportingAgent) ? null : found;
    }

    /**
     * The record with its unknown destination named from the directory; the record itself when
     * there is nothing to name; null when the source lives on another announcing host (that
     * host's agent reports this flow; the copy is dropped).
     */
    public FlowRecord enrich(FlowRecord r) {
        if (byAddr.isEmpty()) {
            return r;
        }
        if (unknown(r.getSrc())) {
            Interval src = owner(r.getSrcAddr(), r.getFirstTsUs(), r.getAgentId());
            if (src != null) {
                if (remoteInitiator != null) {
                    remoteInitiator.increment();
                }
                return null;
            }
        }
        if (unknown(r.getDst())) {
            Interval dst = owner(r.getDstAddr(), r.getFirstTsUs(), r.getAgentId());
            if (dst != null) {
                if (namedDst != null) {
                    namedDst.increment();
                }
                return r.toBuilder().setDst(dst.owner).build();
            }
        }
        return r;
    }

    private static boolean unknown(Endpoint e) {
        EndpointKind k = e.getKind();
        return k == EndpointKind.UNRESOLVED || k == EndpointKind.EXTERNAL || k == EndpointKind.ENDPOINT_KIND_UNSPECIFIED;
    }
}
