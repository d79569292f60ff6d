package io.eastwatch.collector.detect;

import io.eastwatch.collector.baseline.Addresses;
import io.eastwatch.collector.baseline.BaselineStore;
import io.eastwatch.collector.baseline.EdgeStats;
import io.eastwatch.collector.baseline.ObservedFlow;
import io.eastwatch.collector.baseline.ObservedFlow.Attempt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brute force (password guessing, credential spraying against one service): many short or failed
 * connections from one source container to one service within a window, more than the source's
 * workload ever made on that edge while learning. In the spirit of Zeek's SSH brute-forcing
 * policy, but at the flow level and relative to the edge's own baseline rate, so a client that
 * normally opens a connection per request is not a guesser. A workload in its learning grace has
 * no rate to compare with and is not judged (a new client opening a connection per request looks
 * exactly like a guesser at the flow level); scan detection still covers it.
 */
public final class BruteForceDetector implements FlowDetector {

    public static final String NAME = "brute-force";

    /** One (source, service) window. */
    public static final class Window {
        public String container;
        public long startUs;
        public long firstUs;
        public long lastUs;
        public long attempts;
        public long shortOrFailed;
        public long failed;
        public long bytes;
        public boolean reported;
        public int port;
        public int protocol;
        public String ip;
        public String peer;
    }

    /**
     * (source container, service) of a window. Both strings are the same instances flow after flow (the
     * container's id, the canonical edge key), so a lookup costs two cached hashes and identity checks
     * rather than a concatenated string hashed and compared per flow. Written as "container|service".
     */
    public static final class Key {
        final String container;
        final String service;
        private final int hash;

        public Key(String container, String service) {
            this.container = container;
            this.service = service;
            this.hash = 31 * container.hashCode() + service.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && (container == k.container || container.equals(k.container))
                    && (service == k.service || service.equals(k.service));
        }

        @Override
        public String toString() {
            return container + "|" + service;
        }

        /** Container ids carry no '|'; the service (peer|port|protocol) does. */
        static Key parse(String text) {
            int bar = text.indexOf('|');
            return bar < 0 ? new Key(text, "") : new Key(text.substring(0, bar), text.substring(bar + 1));
        }
    }

    static final class KeyWriter extends com.fasterxml.jackson.databind.JsonSerializer<Key> {
        @Override
        public void serialize(Key k, com.fasterxml.jackson.core.JsonGenerator gen,
                              com.fasterxml.jackson.databind.SerializerProvider sp) throws java.io.IOException {
            gen.writeFieldName(k.toString());
        }
    }

    static final class KeyReader extends com.fasterxml.jackson.databind.KeyDeserializer {
        @Override
        public Object deserializeKey(String text, com.fasterxml.jackson.databind.DeserializationContext ctx) {
            return Key.parse(text);
        }
    }

    public static final class State {
        @com.fasterxml.jackson.databind.annotation.JsonSerialize(keyUsing = KeyWriter.class)
        @com.fasterxml.jackson.databind.annotation.JsonDeserialize(keyUsing = KeyReader.class)
        public LinkedHashMap<Key, Window> windows = new LinkedHashMap<>(16, 0.75f, true);
    }

    private final BruteForceSettings settings;
    private final long baselineWindowMicros;
    private final long deployWindowMicros = NewEdgeSettings.defaults().deployWindowMicros();
    private final Counter evicted;
    private State state = new State();

    public BruteForceDetector(BruteForceSettings settings, long baselineWindowMicros, MeterRegistry registry) {
        this.settings = settings;
        this.baselineWindowMicros = baselineWindowMicros;
        this.evicted = Counter.builder("eastwatch.collector.detector.evicted").tag("detector", NAME)
                .description("Detector state dropped because its table was full").register(registry);
    }

    @Override
    public String name() {
        return NAME;
    }

    public State state() {
        return state;
    }

    public void restore(State s) {
        LinkedHashMap<Key, Window> lru = new LinkedHashMap<>(16, 0.75f, true);
        lru.putAll(s.windows);
        s.windows = lru;
        this.state = s;
    }

    @Override
    public void onFlow(ObservedFlow f, FlowContext ctx, FindingSink sink) {
        // UDP counts only for authentication services (Kerberos, RADIUS...): a request per attempt.
        boolean udpAuth = f.protocol == ObservedFlow.UDP && settings.authPorts().contains(f.port);
        if (f.protocol != ObservedFlow.TCP && !udpAuth || (f.attempt != Attempt.SUCCESS && f.attempt != Attempt.FAILURE)
                || !f.finalReport || ctx.phase != BaselineStore.Phase.MONITORING || ctx.targetInGrace) {
            return;
        }
        if (f.attempt == Attempt.FAILURE && f.peerKey != null && ctx.knownEdge) {
            // A refused or unanswered connection on an edge the workload uses is its peer being down (a
            // restart, a crash loop) with the client retrying: no credential was ever presented.
            return;
        }
        String dstIp = Addresses.format(f.record.getDstAddr());
        // A service: the workload and port for containers (any replica behind a balancer), else the address.
        String service = f.dstIsContainer() ? f.edgeKey() : dstIp + "|" + f.port + "|" + f.protocol;
        Key key = new Key(ctx.container.containerId, service);
        Window w = state.windows.get(key);
        if (w == null || f.lastUs - w.startUs > settings.windowMicros()) {
            if (w == null && state.windows.size() >= settings.maxKeys()) {
                Iterator<Window> it = state.windows.values().iterator();
                it.next();
                it.remove();
                evicted.increment();
            }
            boolean reported = w != null && w.reported;
            long firstUs = w != null && w.reported ? w.firstUs : f.firstUs;
            w = new Window();
            w.container = ctx.container.containerId;
            w.startUs = f.firstUs;
            w.firstUs = firstUs;
            w.reported = reported;
            state.windows.put(key, w);
        }
        w.lastUs = Math.max(w.lastUs, f.lastUs);
        w.attempts++;
        w.bytes += f.bytes;
        w.port = f.port;
        w.protocol = f.protocol;
        w.ip = dstIp;
        w.peer = f.dstWorkload();
        boolean failed = f.attempt == Attempt.FAILURE;
        if (failed) {
            w.failed++;
        }
        if (failed || f.durationUs() <= settings.shortMicros() && f.bytes <= settings.shortBytes()) {
            w.shortOrFailed++;
        }
        EdgeStats edge = f.peerKey == null ? null : ctx.workload.edges.get(f.edgeKey());
        if (edge == null && f.peerKey != null) {
            // A callee that moved its port in a deploy: the old edge's connection rate still applies.
            edge = PortMigration.replacedEdge(ctx.store, ctx.workload, f, deployWindowMicros);
        }
        double learned = edge == null ? 0
                : edge.maxWindowConnections * ((double) settings.windowMicros() / baselineWindowMicros);
        double floor = learned == 0 && !settings.authPorts().contains(f.port)
                ? settings.minAttempts() * settings.otherServiceFactor() : settings.minAttempts();
        double needed = Math.max(floor, settings.baselineFactor() * learned);
        if (w.attempts < needed || w.shortOrFailed < settings.minShortFraction() * w.attempts) {
            return;
        }
        w.reported = true;
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("attempts", w.attempts);
        ev.put("short_or_failed", w.shortOrFailed);
        ev.put("failed", w.failed);
        ev.put("window_seconds", settings.windowMicros() / 1_000_000L);
        ev.put("baseline_max_per_window", Math.round(learned));
        ev.put("mean_bytes_per_attempt", w.bytes / w.attempts);
        String target = (w.peer == null ? w.ip : w.peer + " (" + w.ip + ")") + ":" + w.port;
        String summary = String.format(
                "%s replica %s made %d connections to %s in %s, %d of them short or failed (%d refused or unanswered); "
                        + "its workload's baseline on this edge is at most %d per %d s window.",
                ctx.container.workload, ctx.container.name, w.attempts, target,
                ScanDetector.duration((w.lastUs - w.startUs) / 1e6), w.shortOrFailed, w.failed, Math.round(learned),
                settings.windowMicros() / 1_000_000L);
        Severity severity = w.attempts >= 10L * needed ? Severity.CRITICAL : Severity.HIGH;
        double score = Math.min(0.99, 0.7 + 0.1 * Math.log10((double) w.attempts / needed + 1) * 3);
        sink.report(new Finding(NAME, false, ctx.suspect(), severity, score, List.of("T1110"), ev, 1,
                List.of(new Finding.Target(w.ip, w.port, w.peer)), summary, w.firstUs, f.lastUs, w.attempts));
    }

    @Override
    public void advanceTo(long watermarkUs) {
        state.windows.values().removeIf(w -> watermarkUs - w.lastUs > 2 * settings.windowMicros());
    }
}
