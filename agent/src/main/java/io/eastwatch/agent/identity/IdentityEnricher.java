package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Stamps both endpoints of every flow with their identity at the flow's time: the container
 * (first resolver that knows the address wins), this host, or external.
 *
 * <p>A container that just started may send packets before its resolver has heard of it. A flow
 * with an endpoint in a container network that no resolver knows yet is held for a grace period
 * of event time (bounded queue) and looked up again; if still unknown it is sent with that
 * endpoint marked {@link EndpointKind#UNRESOLVED}. No flow is ever dropped here. The watermark
 * passed on downstream never runs ahead of a held flow.
 */
public final class IdentityEnricher implements FlowSink {
    private static final String[] KINDS = {"container", "host", "external", "unresolved"};

    private final IdentityEnricherSettings settings;
    private final List<ContainerResolver> resolvers;
    private final HostAddresses hostAddresses;
    private final FlowSink next;
    private final List<Cidr> containerNetworks = new ArrayList<>();
    private final long graceMicros;
    private final Endpoint host;
    private final Endpoint external;
    private final Endpoint unresolved;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private final Counter[] containerEndpoints;   // per resolver
    private final Counter hostEndpoints;
    private final Counter externalEndpoints;
    private final Counter unresolvedEndpoints;
    private final Counter delayed;
    private final Counter resolvedAfterWait;
    private final Counter pendingOverflow;
    private final Counter byInterface;

    private long eventClock = Long.MIN_VALUE;
    private long forwardedWatermark = Long.MIN_VALUE;

    private record Pending(FlowRecord.Builder flow, long deadlineMicros) {
    }

    /**
     * @param resolvers in order of precedence; the enricher does not start or close them
     */
    public IdentityEnricher(IdentityEnricherSettings settings, List<ContainerResolver> resolvers, HostAddresses hostAddresses,
                            FlowSink next, MeterRegistry registry) {
        this.settings = settings;
        this.resolvers = List.copyOf(resolvers);
        this.hostAddresses = hostAddresses;
        this.next = next;
        for (String n : settings.containerNetworks()) {
            containerNetworks.add(Cidr.parse(n));
        }
        this.graceMicros = settings.grace().toNanos() / 1000;
        this.host = Endpoint.newBuilder().setKind(EndpointKind.HOST).setHost(settings.hostName()).build();
        this.external = Endpoint.newBuilder().setKind(EndpointKind.EXTERNAL).build();
        this.unresolved = Endpoint.newBuilder().setKind(EndpointKind.UNRESOLVED).build();

        String name = "eastwatch.agent.identity.endpoints";
        String doc = "Flow endpoints by identity kind and the resolver that supplied it";
        containerEndpoints = new Counter[this.resolvers.size()];
        for (int i = 0; i < containerEndpoints.length; i++) {
            containerEndpoints[i] = Counter.builder(name).tag("kind", KINDS[0]).tag("resolver", this.resolvers.get(i).name())
                    .description(doc).register(registry);
        }
        hostEndpoints = Counter.builder(name).tag("kind", KINDS[1]).tag("resolver", "none").description(doc).register(registry);
        externalEndpoints = Counter.builder(name).tag("kind", KINDS[2]).tag("resolver", "none").description(doc).register(registry);
        unresolvedEndpoints = Counter.builder(name).tag("kind", KINDS[3]).tag("resolver", "none").description(doc).register(registry);
        delayed = Counter.builder("eastwatch.agent.identity.flows.delayed")
                .description("Flows held for the grace period because an endpoint was not known yet").register(registry);
        resolvedAfterWait = Counter.builder("eastwatch.agent.identity.flows.resolved.after.wait")
                .description("Held flows whose endpoints became known within the grace period").register(registry);
        pendingOverflow = Counter.builder("eastwatch.agent.identity.pending.overflow")
                .description("Held flows sent early (unresolved) because the pending queue was full").register(registry);
        byInterface = Counter.builder("eastwatch.agent.identity.endpoints.by.interface")
                .description("Endpoints unknown by address attributed to the container whose veth carried the flow")
                .register(registry);
        Gauge.builder("eastwatch.agent.identity.pending", this, e -> e.pendingSize())
                .description("Flows held waiting for identity").register(registry);
    }

    @Override
    public synchronized void accept(FlowRecord.Builder flow) {
        eventClock = Math.max(eventClock, flow.getLastTsUs());
        releaseDue(eventClock);   // older held flows go out before this one
        if (tryResolve(flow)) {
            countAndSend(flow);
        } else {
            if (pending.size() >= settings.maxPending()) {
                pendingOverflow.increment();
                sendFinal(pending.pollFirst().flow);
            }
            delayed.increment();
            pending.addLast(new Pending(flow, eventClock + graceMicros));
        }
    }

    @Override
    public synchronized void advance(long watermarkMicros) {
        eventClock = Math.max(eventClock, watermarkMicros);
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (tryResolve(p.flow)) {
                it.remove();
                resolvedAfterWait.increment();
                countAndSend(p.flow);
            }
        }
        releaseDue(eventClock);
        long held = Long.MAX_VALUE;
        for (Pending p : pending) {
            held = Math.min(held, p.flow.getLastTsUs());
        }
        long wm = Math.min(watermarkMicros, held);
        if (wm > forwardedWatermark) {
            forwardedWatermark = wm;
            next.advance(wm);
        }
    }

    @Override
    public synchronized void flush() {
        while (!pending.isEmpty()) {
            sendFinal(pending.pollFirst().flow);
        }
        next.flush();
    }

    synchronized int pendingSize() {
        return pending.size();
    }

    private void releaseDue(long now) {
        while (!pending.isEmpty() && pending.peekFirst().deadlineMicros <= now) {
            sendFinal(pending.pollFirst().flow);
        }
    }

    private void sendFinal(FlowRecord.Builder flow) {
        if (tryResolve(flow)) {
            resolvedAfterWait.increment();
        } else {
            resolveByInterface(flow);
            if (!known(flow.getSrc())) {
                flow.setSrc(unresolved);
            }
            if (!known(flow.getDst())) {
                flow.setDst(unresolved);
            }
        }
        countAndSend(flow);
    }

    /**
     * Last resort for an address no resolver knows (a secondary address added inside a container,
     * an address the runtime does not report): a packet on container C's host-side veth comes
     * from or goes to C. So if the flow was captured on C's veth, the other endpoint is known and
     * is not C, the unknown endpoint can only be C. A router container would break this, which is
     * why it applies only once the grace period has passed without an answer by address.
     */
    private void resolveByInterface(FlowRecord.Builder flow) {
        String iface = flow.getInterface();
        if (iface.isEmpty() || known(flow.getSrc()) == known(flow.getDst())) {
            return;
        }
        ContainerIdentity owner = null;
        for (ContainerResolver r : resolvers) {
            owner = r.byInterface(iface, flow.getFirstTsUs());
            if (owner != null) {
                break;
            }
        }
        if (owner == null) {
            return;
        }
        Endpoint other = known(flow.getSrc()) ? flow.getSrc() : flow.getDst();
        if (other.getKind() == EndpointKind.CONTAINER && other.getContainerId().equals(owner.id())) {
            return;
        }
        if (known(flow.getSrc())) {
            flow.setDst(owner.endpoint());
        } else {
            flow.setSrc(owner.endpoint());
        }
        byInterface.increment();
    }

    /** Fills the endpoints that can be known now; true when both are. */
    private boolean tryResolve(FlowRecord.Builder flow) {
        String iface = flow.getInterface();
        if (iface.isEmpty()) {
            iface = null;
        }
        if (!known(flow.getSrc())) {
            Endpoint e = classify(flow.getSrcAddr(), flow.getFirstTsUs(), flow.getLastTsUs(), iface);
            if (e != null) {
                flow.setSrc(e);
            }
        }
        if (!known(flow.getDst())) {
            Endpoint e = classify(flow.getDstAddr(), flow.getFirstTsUs(), flow.getLastTsUs(), iface);
            if (e != null) {
                flow.setDst(e);
            }
        }
        return known(flow.getSrc()) && known(flow.getDst());
    }

    private static boolean known(Endpoint e) {
        return e.getKind() != EndpointKind.ENDPOINT_KIND_UNSPECIFIED;
    }

    /** The endpoint for {@code address}, or null while it may still turn out to be a container. */
    private Endpoint classify(ByteString address, long firstTs, long lastTs, String iface) {
        for (ContainerResolver r : resolvers) {
            ContainerIdentity c = r.lookup(address, firstTs, iface);
            if (c == null && lastTs != firstTs) {
                c = r.lookup(address, lastTs, iface);
            }
            if (c != null) {
                return c.endpoint();
            }
        }
        if (hostAddresses.contains(address)) {
            return host;
        }
        for (Cidr n : containerNetworks) {
            if (n.contains(address)) {
                return null;
            }
        }
        for (ContainerResolver r : resolvers) {
            if (r.inContainerNetwork(address)) {
                return null;
            }
        }
        return external;
    }

    private void countAndSend(FlowRecord.Builder flow) {
        count(flow.getSrc());
        count(flow.getDst());
        next.accept(flow);
    }

    private void count(Endpoint e) {
        switch (e.getKind()) {
            case CONTAINER -> {
                for (int i = 0; i < resolvers.size(); i++) {
                    if (resolvers.get(i).name().equals(e.getResolver())) {
                        containerEndpoints[i].increment();
                        return;
                    }
                }
            }
            case HOST -> hostEndpoints.increment();
            case EXTERNAL -> externalEndpoints.increment();
            default -> unresolvedEndpoints.increment();
        }
    }
}
