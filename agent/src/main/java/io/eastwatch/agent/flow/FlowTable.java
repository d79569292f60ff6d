package io.eastwatch.agent.flow;

import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.ReportKind;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.IntFunction;

/**
 * The bidirectional flow table: packets in ({@link PacketMeta}), flow records out (to a
 * {@link FlowSink}), in the manner of a NetFlow/IPFIX metering process (RFC 7011 section 5.1,
 * RFC 5102 flowEndReason) extended with who initiated the flow and how it was answered.
 *
 * <p>Key: protocol, both endpoints (address, port) in canonical order so both directions find
 * one entry, VLAN, and for ICMP echo the echo identifier in place of the ports. The initiator is
 * the sender of the SYN without ACK; failing that the first packet's sender; for TCP first seen
 * without its SYN, the side whose port looks like a client's (ephemeral above registered above
 * well-known). Outcome: established when the responder answers (SYN-ACK for TCP), rejected when a
 * SYN is answered by RST, ICMP unreachable when an ICMP error quotes the flow before any answer,
 * unanswered when nothing comes back, mid-stream when the start was not seen.
 *
 * <p>A packet captured twice, on a container's veth and on its bridge or on both sides of a
 * router (a routed hop between two captured bridges), is counted once: {@link DuplicatePackets}.
 *
 * <p>Time is event time: the table's clock is the largest packet timestamp seen (or passed to
 * {@link #advance}), so a timestamp that jumps back is clamped for expiry and never yields a
 * negative duration; replaying a capture exports the same flows as watching it live. Expiry:
 * a flow whose responder never spoke ends after the short unanswered timeout, an established
 * flow after the idle timeout, a closed one (FIN both ways, RST, ICMP error) after a short linger;
 * flows alive longer than the active timeout send cumulative INTERIM reports.
 *
 * <p>Bounded: at {@code maxFlows} the table exports a flow early (closed ones first, then the
 * oldest unanswered attempts, then the least recently active) as END_EVICTED; above the emergency
 * high-water mark it runs with shorter timeouts until occupancy falls below the low-water mark.
 *
 * <p>Not thread-safe: one thread (the capture or reader thread) calls every method. No allocation
 * per packet; one record builder per exported flow.
 */
public final class FlowTable {

    static final int TCP = 6;
    static final int UDP = 17;
    static final int SCTP = 132;
    static final int ICMP = 1;
    static final int ICMPV6 = 58;

    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_ACK = 0x10;

    static final int META_V6 = 1 << 20;
    static final int META_ECHO = 1 << 21;

    // Flow state bits (FlowStore.state).
    static final int ST_OUTCOME_MASK = 0x7;
    static final int ST_BASIS_SHIFT = 3;
    static final int ST_INIT_B = 1 << 5;
    static final int ST_SEEN_A = 1 << 6;
    static final int ST_SEEN_B = 1 << 7;
    static final int ST_FIN_A = 1 << 8;
    static final int ST_FIN_B = 1 << 9;
    static final int ST_RESPONDED = 1 << 10;
    static final int ST_CLOSING = 1 << 11;
    static final int ST_END_SHIFT = 12;
    static final int ST_ICMP_ERROR = 1 << 16;

    private static final int OUT_ESTABLISHED = 1;
    private static final int OUT_REJECTED = 2;
    private static final int OUT_UNANSWERED = 3;
    private static final int OUT_ICMP_UNREACHABLE = 4;
    private static final int OUT_MID_STREAM = 5;
    private static final int BASIS_SYN = 1;
    private static final int BASIS_FIRST_PACKET = 2;
    private static final int BASIS_PORT_HEURISTIC = 3;

    /** Event time between two {@link FlowSink#advance} calls from the packet path. */
    private static final long WATERMARK_STEP_MICROS = 100_000;
    private static final int FRAGMENT_CACHE_SIZE = 4096;

    private final FlowSink sink;
    private final FlowStore store;
    private final FlowRecords records;
    private final FlowTableMetrics metrics;
    private final int maxFlows;
    private final long idleMicros, activeMicros, unansweredMicros, lingerMicros;
    private final long emergencyIdleMicros, emergencyUnansweredMicros;
    private final int highWater, lowWater;
    /** Last flow seen per (address pair, protocol, vlan): where a non-first fragment's bytes go. */
    private final int[] fragmentCache = new int[FRAGMENT_CACHE_SIZE];
    /** One packet captured on two interfaces (veth and bridge, or both sides of a router) counts once. */
    private final DuplicatePackets duplicates = new DuplicatePackets();

    private long now = Long.MIN_VALUE;
    private long lastWatermark = Long.MIN_VALUE;
    private boolean emergency;

    /**
     * @param interfaceNames name of a capture interface by the id in {@link PacketMeta#interfaceId}
     *                       (for example {@code PacketSource::interfaceName}); may be null
     */
    public FlowTable(FlowTableSettings settings, FlowSink sink, IntFunction<String> interfaceNames,
                     MeterRegistry registry) {
        if (settings == null) {
            throw new IllegalArgumentException("settings: null (expected: flow table settings)");
        }
        if (sink == null) {
            throw new IllegalArgumentException("sink: null (expected: a flow sink)");
        }
        this.sink = sink;
        this.maxFlows = settings.maxFlows();
        this.store = new FlowStore(maxFlows);
        this.records = new FlowRecords(interfaceNames);
        this.idleMicros = FlowTableSettings.micros(settings.idleTimeout());
        this.activeMicros = FlowTableSettings.micros(settings.activeTimeout());
        this.unansweredMicros = FlowTableSettings.micros(settings.unansweredTimeout());
        this.lingerMicros = FlowTableSettings.micros(settings.linger());
        this.emergencyIdleMicros = FlowTableSettings.micros(settings.emergencyIdleTimeout());
        this.emergencyUnansweredMicros = FlowTableSettings.micros(settings.emergencyUnansweredTimeout());
        this.highWater = Math.max(1, (int) Math.ceil(settings.emergencyHighWater() * maxFlows));
        this.lowWater = (int) Math.floor(settings.emergencyLowWater() * maxFlows);
        this.metrics = new FlowTableMetrics(registry, this::size, () -> emergency ? 1 : 0);
    }

    /** Flows tracked now. */
    public int size() {
        return store.size;
    }

    /** Whether the table runs with emergency timeouts. */
    public boolean emergency() {
        return emergency;
    }

    /** The table's event-time clock (largest timestamp seen), or Long.MIN_VALUE before the first. */
    public long now() {
        return now;
    }

    /** Heap held by the table's arrays, in bytes. */
    public long footprintBytes() {
        return store.footprintBytes();
    }

    /**
     * Event time has reached {@code nowMicros} (a live source calls this from its idle timer with
     * the wall clock, on the thread that feeds the packets; a file reader need not, packets advance
     * the clock): expires what is due and passes the watermark (the clock minus the linger) on to
     * the sink. A time earlier than the table's clock changes nothing.
     */
    public void advance(long nowMicros) {
        if (nowMicros > now) {
            now = nowMicros;
        }
        if (now == Long.MIN_VALUE) {
            return;
        }
        expire();
        lastWatermark = now;
        sink.advance(watermark());
    }

    /**
     * Exports every flow (closed ones with their reason, the rest END_SHUTDOWN): shutdown, end of
     * file. The caller flushes the sink afterwards ({@link FlowSink#flush}).
     */
    public void flushAll() {
        for (int list = 0; list < FlowStore.LISTS; list++) {
            while (store.head[list] != FlowStore.NONE) {
                int s = store.head[list];
                exportFinal(s, list == FlowStore.LIST_CLOSING ? pendingEnd(s) : EndReason.END_SHUTDOWN);
            }
        }
        if (now != Long.MIN_VALUE) {
            lastWatermark = now;
            sink.advance(now);
        }
    }

    /** Accounts one decoded packet. */
    public void onPacket(PacketMeta m) {
        tick(m.tsMicros);
        if (m.ipVersion != 4 && m.ipVersion != 6) {
            metrics.ignoredNotIp.increment();
            return;
        }
        if (duplicates.seen(m)) {
            (duplicates.lastTtlDelta() == 0 ? metrics.duplicateSameHop : metrics.duplicateRouted).increment();
            return;
        }
        if (m.icmpError) {
            onIcmpError(m);
            return;
        }
        int proto = m.protocol & 0xff;
        if (m.fragment && (!hasPorts(proto) || (m.srcPort == 0 && m.dstPort == 0))) {
            onFragment(m);
            return;
        }
        int sp;
        int dp;
        int meta = proto | (m.vlan & 0xfff) << 8 | (m.ipVersion == 6 ? META_V6 : 0);
        if (proto == ICMP || proto == ICMPV6) {
            int type = m.icmpType & 0xff;
            int counterpart = proto == ICMP ? CommunityId.icmpCounterpart(type) : CommunityId.icmp6Counterpart(type);
            if (isEcho(proto, type)) {
                sp = dp = m.icmpId & 0xffff;
                meta |= META_ECHO;
            } else {
                sp = type;
                dp = counterpart >= 0 ? counterpart : m.icmpCode & 0xff;
            }
        } else if (hasPorts(proto)) {
            sp = m.srcPort & 0xffff;
            dp = m.dstPort & 0xffff;
        } else {
            sp = dp = 0;
        }
        boolean srcIsA = compare(m.srcHi, m.srcLo, sp, m.dstHi, m.dstLo, dp) <= 0;
        long aHi = srcIsA ? m.srcHi : m.dstHi;
        long aLo = srcIsA ? m.srcLo : m.dstLo;
        long bHi = srcIsA ? m.dstHi : m.srcHi;
        long bLo = srcIsA ? m.dstLo : m.srcLo;
        int ports = srcIsA ? (sp << 16 | dp) : (dp << 16 | sp);
        int h = hash(aHi, aLo, bHi, bLo, ports, meta);
        int s = store.find(h, aHi, aLo, bHi, bLo, ports, meta);
        int flags = proto == TCP ? m.tcpFlags & 0xff : 0;
        boolean pureSyn = (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
        if (s != FlowStore.NONE && pureSyn && (store.state[s] & (ST_CLOSING | ST_FIN_A | ST_FIN_B)) != 0) {
            // A new connection reusing the ports of one that closed: report the old one now.
            exportFinal(s, pendingEnd(s));
            s = FlowStore.NONE;
        }
        if (s == FlowStore.NONE) {
            s = create(h, aHi, aLo, bHi, bLo, ports, meta, srcIsA, m, flags);
        }
        account(s, srcIsA, m.tsMicros, m.wireLen, flags);
        if (proto == TCP) {
            onTcp(s, srcIsA, flags);
        } else {
            onAnswerable(s, srcIsA);
        }
        relist(s);
        fragmentCache[fragmentSlot(m.srcHi ^ m.dstHi, m.srcLo ^ m.dstLo, meta & ~META_ECHO)] = s + 1;
    }

    // ---- per-protocol state

    private void onTcp(int s, boolean srcIsA, int flags) {
        int st = store.state[s];
        boolean fromInitiator = srcIsA == ((st & ST_INIT_B) == 0);
        if (!fromInitiator && (st & ST_RESPONDED) == 0) {
            st |= ST_RESPONDED;
            if ((st & ST_OUTCOME_MASK) == OUT_UNANSWERED) {
                boolean reset = (flags & TCP_RST) != 0 && (flags & TCP_SYN) == 0;
                st = withOutcome(st, reset ? OUT_REJECTED : OUT_ESTABLISHED);
            }
        }
        if ((flags & TCP_FIN) != 0) {
            st |= srcIsA ? ST_FIN_A : ST_FIN_B;
        }
        if ((flags & TCP_RST) != 0) {
            st = closing(st, EndReason.END_RST);
        } else if ((st & (ST_FIN_A | ST_FIN_B)) == (ST_FIN_A | ST_FIN_B)) {
            st = closing(st, EndReason.END_FIN);
        }
        store.state[s] = st;
    }

    private void onAnswerable(int s, boolean srcIsA) {
        int st = store.state[s];
        boolean fromInitiator = srcIsA == ((st & ST_INIT_B) == 0);
        if (!fromInitiator && (st & ST_RESPONDED) == 0) {
            st |= ST_RESPONDED;
            if ((st & ST_OUTCOME_MASK) == OUT_UNANSWERED) {
                st = withOutcome(st, OUT_ESTABLISHED);
            }
            store.state[s] = st;
        }
    }

    /**
     * An ICMP error quotes the packet it answers (as its sender sent it): it belongs to that flow.
     * Before any answer it makes the outcome ICMP_UNREACHABLE and closes the flow.
     */
    private void onIcmpError(PacketMeta m) {
        int proto = m.innerProtocol & 0xff;
        int sp;
        int dp;
        int meta = proto | (m.vlan & 0xfff) << 8 | (m.ipVersion == 6 ? META_V6 : 0);
        if (hasPorts(proto)) {
            sp = m.innerSrcPort & 0xffff;
            dp = m.innerDstPort & 0xffff;
        } else if ((proto == ICMP || proto == ICMPV6) && m.innerEcho) {
            // A quoted echo request: the decoder passes its identifier as the "port".
            sp = m.innerSrcPort & 0xffff;
            dp = sp;
            meta |= META_ECHO;
        } else if (proto == ICMP || proto == ICMPV6) {
            // Errors about other ICMP messages (timestamp, router solicitation, ...) are rare and
            // their flows are keyed by type: not matched, counted as unmatched.
            metrics.icmpErrorUnmatched.increment();
            return;
        } else {
            sp = dp = 0;
        }
        boolean innerSrcIsA = compare(m.innerSrcHi, m.innerSrcLo, sp, m.innerDstHi, m.innerDstLo, dp) <= 0;
        long aHi = innerSrcIsA ? m.innerSrcHi : m.innerDstHi;
        long aLo = innerSrcIsA ? m.innerSrcLo : m.innerDstLo;
        long bHi = innerSrcIsA ? m.innerDstHi : m.innerSrcHi;
        long bLo = innerSrcIsA ? m.innerDstLo : m.innerSrcLo;
        int ports = innerSrcIsA ? (sp << 16 | dp) : (dp << 16 | sp);
        int h = hash(aHi, aLo, bHi, bLo, ports, meta);
        int s = store.find(h, aHi, aLo, bHi, bLo, ports, meta);
        if (s == FlowStore.NONE) {
            metrics.icmpErrorUnmatched.increment();
            return;
        }
        metrics.icmpErrorMatched.increment();
        // Not counted in the flow's packets and bytes (they are the flow's own protocol, as in
        // NetFlow and in Wireshark's conversations); the error shows in outcome and icmp_error_*.
        if (m.tsMicros > store.lastTs[s]) {
            store.lastTs[s] = m.tsMicros;
        }
        store.touchTs[s] = now;
        int st = store.state[s] | ST_ICMP_ERROR;
        store.icmp[s] = (store.icmp[s] & 0xffff) | (m.icmpType & 0xff) << 16 | (m.icmpCode & 0xff) << 24;
        if ((st & ST_RESPONDED) == 0) {
            st = closing(withOutcome(st, OUT_ICMP_UNREACHABLE), EndReason.END_ICMP);
        }
        store.state[s] = st;
        relist(s);
    }

    /** A non-first fragment carries no ports: it goes to the last flow between the same addresses. */
    private void onFragment(PacketMeta m) {
        int meta = (m.protocol & 0xff) | (m.vlan & 0xfff) << 8 | (m.ipVersion == 6 ? META_V6 : 0);
        int s = fragmentCache[fragmentSlot(m.srcHi ^ m.dstHi, m.srcLo ^ m.dstLo, meta)] - 1;
        if (s >= 0 && store.isUsed(s) && (store.keyMeta[s] & ~(FlowStore.USED | META_ECHO)) == meta) {
            boolean srcIsA = store.aHi[s] == m.srcHi && store.aLo[s] == m.srcLo
                    && store.bHi[s] == m.dstHi && store.bLo[s] == m.dstLo;
            boolean srcIsB = store.bHi[s] == m.srcHi && store.bLo[s] == m.srcLo
                    && store.aHi[s] == m.dstHi && store.aLo[s] == m.dstLo;
            if (srcIsA || srcIsB) {
                account(s, srcIsA, m.tsMicros, m.wireLen, 0);
                relist(s);
                return;
            }
        }
        metrics.ignoredFragment.increment();
    }

    // ---- flow life

    private int create(int h, long aHi, long aLo, long bHi, long bLo, int ports, int meta,
                       boolean srcIsA, PacketMeta m, int flags) {
        if (store.size >= maxFlows) {
            evictOne();
        }
        int s = store.insert(h, aHi, aLo, bHi, bLo, ports, meta);
        metrics.created.increment();
        int proto = meta & 0xff;
        boolean initiatorIsSrc;
        int basis;
        int outcome;
        if (proto == TCP) {
            boolean syn = (flags & TCP_SYN) != 0;
            boolean ack = (flags & TCP_ACK) != 0;
            if (syn && !ack) {
                initiatorIsSrc = true;
                basis = BASIS_SYN;
                outcome = OUT_UNANSWERED;
            } else if (syn) {
                // A SYN-ACK without its SYN: the receiver sent the SYN, but the start was missed.
                initiatorIsSrc = false;
                basis = BASIS_SYN;
                outcome = OUT_MID_STREAM;
            } else {
                int guess = clientByPort(m.srcPort & 0xffff, m.dstPort & 0xffff);
                initiatorIsSrc = guess >= 0;
                basis = guess == 0 ? BASIS_FIRST_PACKET : BASIS_PORT_HEURISTIC;
                outcome = OUT_MID_STREAM;
            }
        } else {
            initiatorIsSrc = true;
            basis = BASIS_FIRST_PACKET;
            outcome = OUT_UNANSWERED;
        }
        boolean initIsB = srcIsA != initiatorIsSrc;
        store.state[s] = outcome | basis << ST_BASIS_SHIFT | (initIsB ? ST_INIT_B : 0);
        store.icmp[s] = (m.icmpType & 0xff) | (m.icmpCode & 0xff) << 8;
        store.iface[s] = (short) m.interfaceId;
        store.firstTs[s] = m.tsMicros;
        store.lastTs[s] = m.tsMicros;
        store.reportTs[s] = now;
        store.append(s, FlowStore.LIST_ATTEMPT);
        store.reportAppend(s);
        updateEmergency();
        return s;
    }

    /**
     * Which side looks like the client of a TCP conversation seen mid-stream: +1 the source
     * (its port is the more ephemeral one), -1 the destination, 0 undecided. Port classes follow
     * IANA: well-known below 1024, registered (services) below 32768 (Linux starts its ephemeral
     * range there, IANA at 49152), ephemeral above.
     */
    static int clientByPort(int srcPort, int dstPort) {
        int src = portClass(srcPort);
        int dst = portClass(dstPort);
        return Integer.compare(src, dst);
    }

    private static int portClass(int port) {
        return port < 1024 ? 0 : port < 32768 ? 1 : 2;
    }

    private void account(int s, boolean fromA, long ts, int wireLen, int flags) {
        FlowStore st = store;
        if (ts < st.firstTs[s]) {
            st.firstTs[s] = ts;
        }
        if (ts > st.lastTs[s]) {
            st.lastTs[s] = ts;
        }
        st.touchTs[s] = now;
        long len = Math.max(0, wireLen);
        if (fromA) {
            st.pktsA[s]++;
            st.bytesA[s] += len;
            st.tcpFlags[s] |= (short) flags;
            st.state[s] |= ST_SEEN_A;
        } else {
            st.pktsB[s]++;
            st.bytesB[s] += len;
            st.tcpFlags[s] |= (short) (flags << 8);
            st.state[s] |= ST_SEEN_B;
        }
    }

    /** Moves a touched flow to the tail of the list its state belongs on. */
    private void relist(int s) {
        int st = store.state[s];
        int list;
        if ((st & ST_CLOSING) != 0) {
            list = FlowStore.LIST_CLOSING;
        } else if ((st & (ST_SEEN_A | ST_SEEN_B)) == (ST_SEEN_A | ST_SEEN_B)) {
            list = FlowStore.LIST_ESTABLISHED;
        } else {
            list = FlowStore.LIST_ATTEMPT;
        }
        store.moveToTail(s, list);
    }

    private static int closing(int st, EndReason reason) {
        if ((st & ST_CLOSING) != 0) {
            return st;
        }
        return (st & ~(0xf << ST_END_SHIFT)) | ST_CLOSING | reason.getNumber() << ST_END_SHIFT;
    }

    private static int withOutcome(int st, int outcome) {
        return (st & ~ST_OUTCOME_MASK) | outcome;
    }

    private EndReason pendingEnd(int s) {
        int st = store.state[s];
        if ((st & ST_CLOSING) != 0) {
            return EndReason.forNumber((st >>> ST_END_SHIFT) & 0xf);
        }
        return (st & (ST_FIN_A | ST_FIN_B)) != 0 ? EndReason.END_FIN : EndReason.END_IDLE;
    }

    // ---- time

    private void tick(long ts) {
        if (ts > now) {
            now = ts;
        }
        expire();
        if (now - lastWatermark >= WATERMARK_STEP_MICROS || lastWatermark == Long.MIN_VALUE) {
            lastWatermark = now;
            sink.advance(watermark());
        }
    }

    /**
     * The event time before which every ended flow has been exported: a flow closed by FIN, RST
     * or an ICMP error waits out the linger; a flow that ends by a timeout ends when it fires.
     */
    private long watermark() {
        return now - lingerMicros;
    }

    private void expire() {
        updateEmergency();
        long unanswered = emergency ? emergencyUnansweredMicros : unansweredMicros;
        long idle = emergency ? emergencyIdleMicros : idleMicros;
        drain(FlowStore.LIST_ATTEMPT, unanswered, EndReason.END_UNANSWERED_TIMEOUT);
        drain(FlowStore.LIST_ESTABLISHED, idle, EndReason.END_IDLE);
        drain(FlowStore.LIST_CLOSING, lingerMicros, null);
        updateEmergency();
        int s;
        while ((s = store.reportHead) != FlowStore.NONE && now - store.reportTs[s] >= activeMicros) {
            export(s, EndReason.END_ACTIVE, ReportKind.INTERIM);
            store.reportTs[s] = now;
            store.reportUnlink(s);
            store.reportAppend(s);
        }
    }

    private void drain(int list, long timeout, EndReason reason) {
        int s;
        while ((s = store.head[list]) != FlowStore.NONE && now - store.touchTs[s] >= timeout) {
            exportFinal(s, reason != null ? reason : pendingEnd(s));
        }
    }

    private void updateEmergency() {
        if (!emergency && store.size >= highWater) {
            emergency = true;
            metrics.emergencyEntered.increment();
        } else if (emergency && store.size <= lowWater) {
            emergency = false;
        }
    }

    private void evictOne() {
        int closed = store.head[FlowStore.LIST_CLOSING];
        if (closed != FlowStore.NONE) {
            // Already over: its own end reason, just sooner than the linger.
            exportFinal(closed, pendingEnd(closed));
            return;
        }
        int victim = store.head[FlowStore.LIST_ATTEMPT];
        if (victim == FlowStore.NONE) {
            victim = store.head[FlowStore.LIST_ESTABLISHED];
        }
        metrics.evicted.increment();
        exportFinal(victim, EndReason.END_EVICTED);
    }

    private void exportFinal(int s, EndReason reason) {
        export(s, reason, ReportKind.FINAL);
        store.remove(s);
    }

    private void export(int s, EndReason reason, ReportKind kind) {
        metrics.exported(reason);
        sink.accept(records.build(store, s, reason, kind));
    }

    // ---- keys

    static boolean hasPorts(int proto) {
        return proto == TCP || proto == UDP || proto == SCTP;
    }

    private static boolean isEcho(int proto, int type) {
        return proto == ICMP ? (type == 8 || type == 0) : (type == 128 || type == 129);
    }

    private static int compare(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        int c = Long.compareUnsigned(aHi, bHi);
        if (c == 0) {
            c = Long.compareUnsigned(aLo, bLo);
        }
        return c != 0 ? c : Integer.compare(aPort, bPort);
    }

    private static int hash(long aHi, long aLo, long bHi, long bLo, int ports, int meta) {
        long x = aHi * 0x9E3779B97F4A7C15L;
        x = Long.rotateLeft(x ^ aLo * 0xC2B2AE3D27D4EB4FL, 31);
        x = Long.rotateLeft(x ^ bHi * 0x165667B19E3779F9L, 27);
        x = Long.rotateLeft(x ^ bLo * 0x9E3779B97F4A7C15L, 33);
        x ^= ((long) ports << 32 | (meta & 0xffffffffL)) * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        return (int) x;
    }

    private static int fragmentSlot(long hiXor, long loXor, int meta) {
        long x = (hiXor * 0x9E3779B97F4A7C15L) ^ (loXor * 0xC2B2AE3D27D4EB4FL) ^ meta;
        x ^= x >>> 32;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 29;
        return (int) x & (FRAGMENT_CACHE_SIZE - 1);
    }
}
