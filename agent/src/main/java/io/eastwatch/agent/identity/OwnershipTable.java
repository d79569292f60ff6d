package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Time-bounded ownership of addresses and host-side interfaces by containers. An address belongs
 * to a container only between the moment it was attached and the moment it was released, and the
 * same address may later belong to another container, so a flow is attributed with the owner at
 * the flow's own time, not with whoever holds the address now.
 *
 * <p>One writer at a time (the resolver's thread, under this object's lock); lookups from the flow
 * thread read copy-on-write arrays without locking. Released intervals are kept for
 * {@code retentionMicros} so that flows reported late still find their owner, then pruned; the
 * total number of intervals is capped and the oldest released ones go first when it is reached.
 */
final class OwnershipTable {
    static final long OPEN = Long.MAX_VALUE;

    record Ownership(ContainerIdentity container, long fromMicros, long toMicros) {
        boolean covers(long t, long slack) {
            return t >= fromMicros - slack && (toMicros == OPEN || t < toMicros + slack);
        }
    }

    private final Map<Object, Ownership[]> byKey = new ConcurrentHashMap<>();
    // Writer-side index: the keys each container holds now, so a stop or a re-attach does not scan the table.
    private final Map<String, Set<Object>> openByContainer = new HashMap<>();
    private final long retentionMicros;
    private final long slackMicros;
    private final int maxIntervals;
    private int intervals;
    private long overflow;

    /**
     * @param retentionMicros how long a released interval stays answerable
     * @param slackMicros     clock tolerance when no interval strictly contains the time
     * @param maxIntervals    cap on stored intervals (open and released)
     */
    OwnershipTable(long retentionMicros, long slackMicros, int maxIntervals) {
        this.retentionMicros = retentionMicros;
        this.slackMicros = slackMicros;
        this.maxIntervals = maxIntervals;
    }

    /** Starts {@code container}'s ownership of {@code key} at {@code fromMicros}, unless it already holds it. */
    synchronized boolean open(Object key, ContainerIdentity container, long fromMicros) {
        Ownership[] cur = byKey.get(key);
        if (cur != null) {
            for (Ownership o : cur) {
                if (o.toMicros == OPEN && o.container.id().equals(container.id())) {
                    return false;
                }
            }
        }
        if (intervals >= maxIntervals && !evictOldestReleased()) {
            overflow++;
            return false;
        }
        Ownership[] next = cur == null ? new Ownership[1] : Arrays.copyOf(cur, cur.length + 1);
        next[next.length - 1] = new Ownership(container, fromMicros, OPEN);
        byKey.put(key, next);
        openByContainer.computeIfAbsent(container.id(), k -> new HashSet<>()).add(key);
        intervals++;
        return true;
    }

    /** Ends {@code containerId}'s open ownership of {@code key} at {@code atMicros}. */
    synchronized void close(Object key, String containerId, long atMicros) {
        Ownership[] cur = byKey.get(key);
        if (cur == null) {
            return;
        }
        Ownership[] next = null;
        for (int i = 0; i < cur.length; i++) {
            Ownership o = cur[i];
            if (o.toMicros == OPEN && o.container.id().equals(containerId)) {
                if (next == null) {
                    next = cur.clone();
                }
                next[i] = new Ownership(o.container, o.fromMicros, Math.max(atMicros, o.fromMicros));
            }
        }
        if (next != null) {
            byKey.put(key, next);
            Set<Object> held = openByContainer.get(containerId);
            if (held != null) {
                held.remove(key);
                if (held.isEmpty()) {
                    openByContainer.remove(containerId);
                }
            }
        }
    }

    /** Ends every open ownership of {@code containerId} at {@code atMicros}. */
    synchronized void closeAll(String containerId, long atMicros) {
        Set<Object> held = openByContainer.get(containerId);
        if (held != null) {
            for (Object key : new ArrayList<>(held)) {
                close(key, containerId, atMicros);
            }
        }
    }

    /** Keys {@code containerId} holds now. */
    synchronized Set<Object> openKeys(String containerId) {
        Set<Object> held = openByContainer.get(containerId);
        return held == null ? Set.of() : Set.copyOf(held);
    }

    /** Drops released intervals older than the retention. */
    synchronized void prune(long nowMicros) {
        for (Object key : new ArrayList<>(byKey.keySet())) {
            Ownership[] cur = byKey.get(key);
            List<Ownership> keep = new ArrayList<>(cur.length);
            for (Ownership o : cur) {
                if (o.toMicros == OPEN || o.toMicros + retentionMicros > nowMicros) {
                    keep.add(o);
                }
            }
            if (keep.size() != cur.length) {
                intervals -= cur.length - keep.size();
                if (keep.isEmpty()) {
                    byKey.remove(key);
                } else {
                    byKey.put(key, keep.toArray(new Ownership[0]));
                }
            }
        }
    }

    private boolean evictOldestReleased() {
        Object oldestKey = null;
        Ownership oldest = null;
        for (Map.Entry<Object, Ownership[]> e : byKey.entrySet()) {
            for (Ownership o : e.getValue()) {
                if (o.toMicros != OPEN && (oldest == null || o.toMicros < oldest.toMicros)) {
                    oldest = o;
                    oldestKey = e.getKey();
                }
            }
        }
        if (oldest == null) {
            return false;
        }
        Ownership[] cur = byKey.get(oldestKey);
        List<Ownership> keep = new ArrayList<>(Arrays.asList(cur));
        keep.remove(oldest);
        if (keep.isEmpty()) {
            byKey.remove(oldestKey);
        } else {
            byKey.put(oldestKey, keep.toArray(new Ownership[0]));
        }
        intervals--;
        return true;
    }

    /**
     * The owner of {@code key} at {@code tMicros}: an interval that contains the time, the latest
     * started if several do; failing that, one within the clock slack. When {@code preferred} is
     * given (the container seen on the capture interface), it wins among the candidates.
     */
    ContainerIdentity lookup(Object key, long tMicros, ContainerIdentity preferred) {
        Ownership[] cur = byKey.get(key);
        if (cur == null) {
            return null;
        }
        ContainerIdentity strict = pick(cur, tMicros, 0, preferred);
        return strict != null ? strict : pick(cur, tMicros, slackMicros, preferred);
    }

    private static ContainerIdentity pick(Ownership[] cur, long t, long slack, ContainerIdentity preferred) {
        Ownership best = null;
        for (Ownership o : cur) {
            if (!o.covers(t, slack)) {
                continue;
            }
            if (preferred != null && o.container.id().equals(preferred.id())) {
                return o.container;
            }
            if (best == null || o.fromMicros > best.fromMicros) {
                best = o;
            }
        }
        return best == null ? null : best.container;
    }

    /** Distinct containers holding at least one key now. */
    synchronized int openContainers() {
        return openByContainer.size();
    }

    /** Every open ownership of a key of {@code type}, at most {@code limit} of them. */
    synchronized <K> List<Map.Entry<K, Ownership>> openOwnerships(Class<K> type, int limit) {
        List<Map.Entry<K, Ownership>> out = new ArrayList<>();
        for (Map.Entry<String, Set<Object>> held : openByContainer.entrySet()) {
            for (Object k : held.getValue()) {
                if (!type.isInstance(k)) {
                    continue;
                }
                for (Ownership o : byKey.getOrDefault(k, new Ownership[0])) {
                    if (o.toMicros == OPEN && o.container.id().equals(held.getKey())) {
                        if (out.size() >= limit) {
                            return out;
                        }
                        out.add(Map.entry(type.cast(k), o));
                    }
                }
            }
        }
        return out;
    }

    synchronized long overflow() {
        return overflow;
    }

    synchronized void clear() {
        byKey.clear();
        openByContainer.clear();
        intervals = 0;
    }
}
