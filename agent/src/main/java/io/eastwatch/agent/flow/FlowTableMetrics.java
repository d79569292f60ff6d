package io.eastwatch.agent.flow;

import io.eastwatch.flow.v1.EndReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.IntSupplier;

/**
 * The flow table's meters, registered once so the packet path only increments counters it holds.
 * Tags are fixed enumerations (end reason, drop reason), never addresses or ports.
 */
final class FlowTableMetrics {

    static final String SIZE = "eastwatch.agent.flow.table.size";
    static final String CREATED = "eastwatch.agent.flow.created";
    static final String EXPORTED = "eastwatch.agent.flow.exported";
    static final String EVICTED = "eastwatch.agent.flow.evicted";
    static final String EMERGENCY = "eastwatch.agent.flow.emergency";
    static final String EMERGENCY_ENTERED = "eastwatch.agent.flow.emergency.entered";
    static final String IGNORED = "eastwatch.agent.flow.packets.ignored";
    static final String ICMP_ERRORS = "eastwatch.agent.flow.icmp.errors";
    static final String DUPLICATES = "eastwatch.agent.flow.packets.duplicate";

    final Counter created;
    final Counter evicted;
    final Counter emergencyEntered;
    final Counter ignoredNotIp;
    final Counter ignoredFragment;
    final Counter icmpErrorMatched;
    final Counter icmpErrorUnmatched;
    /** Same TTL: one packet seen on two interfaces of one hop (a veth and its bridge). */
    final Counter duplicateSameHop;
    /** Lower TTL: one packet seen again after a router (the host or a container) forwarded it. */
    final Counter duplicateRouted;
    private final Counter[] exportedByReason = new Counter[EndReason.values().length];

    FlowTableMetrics(MeterRegistry registry, IntSupplier size, IntSupplier emergency) {
        Gauge.builder(SIZE, size, s -> s.getAsInt())
                .description("Flows tracked in the flow table")
                .strongReference(true)
                .register(registry);
        Gauge.builder(EMERGENCY, emergency, s -> s.getAsInt())
                .description("1 while the flow table runs with emergency (shorter) timeouts")
                .strongReference(true)
                .register(registry);
        created = Counter.builder(CREATED).description("Flows created").register(registry);
        evicted = Counter.builder(EVICTED)
                .description("Flows exported early because the flow table was full")
                .register(registry);
        emergencyEntered = Counter.builder(EMERGENCY_ENTERED)
                .description("Times the flow table entered emergency mode")
                .register(registry);
        ignoredNotIp = ignored(registry, "not_ip");
        ignoredFragment = ignored(registry, "fragment_unattributed");
        icmpErrorMatched = Counter.builder(ICMP_ERRORS).tag("match", "flow")
                .description("ICMP errors, by whether the flow they quote was found")
                .register(registry);
        icmpErrorUnmatched = Counter.builder(ICMP_ERRORS).tag("match", "none")
                .description("ICMP errors, by whether the flow they quote was found")
                .register(registry);
        duplicateSameHop = Counter.builder(DUPLICATES).tag("path", "same_hop")
                .description("Packets not counted because the same packet was already captured on another interface, by whether it was routed in between")
                .register(registry);
        duplicateRouted = Counter.builder(DUPLICATES).tag("path", "routed")
                .description("Packets not counted because the same packet was already captured on another interface, by whether it was routed in between")
                .register(registry);
        for (EndReason reason : EndReason.values()) {
            if (reason == EndReason.UNRECOGNIZED || reason == EndReason.END_REASON_UNSPECIFIED) {
                continue;
            }
            exportedByReason[reason.ordinal()] = Counter.builder(EXPORTED)
                    .tag("reason", tagOf(reason))
                    .description("Flow records exported, by end reason (active = interim report)")
                    .register(registry);
        }
    }

    void exported(EndReason reason) {
        exportedByReason[reason.ordinal()].increment();
    }

    private static Counter ignored(MeterRegistry registry, String reason) {
        return Counter.builder(IGNORED).tag("reason", reason)
                .description("Packets the flow table could not attribute to a flow, by reason")
                .register(registry);
    }

    static String tagOf(EndReason reason) {
        return reason.name().substring("END_".length()).toLowerCase(java.util.Locale.ROOT);
    }
}
