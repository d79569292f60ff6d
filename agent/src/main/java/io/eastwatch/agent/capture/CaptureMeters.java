package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Live-capture metrics. Totals over all interfaces only: interface names come and go with
 * containers and would make an unbounded tag; per-interface kernel drops are logged instead.
 * Hot-path counts live in the ring and in {@link LongAdder}s; Micrometer reads them on scrape.
 */
final class CaptureMeters {

    final LongAdder kernelReceived = new LongAdder();
    final LongAdder kernelDrops = new LongAdder();
    final LongAdder interfaceDrops = new LongAdder();
    final LongAdder readErrors = new LongAdder();
    final LongAdder openFailures = new LongAdder();
    final LongAdder opened = new LongAdder();
    final LongAdder closed = new LongAdder();

    CaptureMeters(MeterRegistry registry, PacketRing ring, IntSupplier openInterfaces) {
        FunctionCounter.builder("eastwatch.agent.capture.packets", ring, PacketRing::delivered)
                .description("Packets captured live and handed to the decoder")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.shed", ring, PacketRing::sampledOut)
                .tag("reason", "sampled")
                .description("Data packets left out by load sampling (never TCP SYN, FIN or RST)")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.shed", ring, PacketRing::droppedFull)
                .tag("reason", "ring_full")
                .description("Data packets dropped because the hand-off ring was full")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.control.waits", ring, PacketRing::controlWaits)
                .description("Times a TCP control packet waited for room in the full hand-off ring")
                .register(registry);
        Gauge.builder("eastwatch.agent.capture.ring.used", ring, PacketRing::used)
                .description("Packets waiting in the hand-off ring")
                .register(registry);
        Gauge.builder("eastwatch.agent.capture.ring.capacity", ring, PacketRing::capacity)
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.kernel.received", kernelReceived, LongAdder::sum)
                .description("Packets the kernel passed the capture filter (pcap_stats ps_recv, all interfaces)")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.kernel.drops", kernelDrops, LongAdder::sum)
                .description("Packets dropped because the kernel capture buffer was full (pcap_stats ps_drop, all interfaces)")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.kernel.interface.drops", interfaceDrops, LongAdder::sum)
                .description("Packets dropped by the network interface or its driver (pcap_stats ps_ifdrop)")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.errors", readErrors, LongAdder::sum)
                .tag("reason", "read")
                .description("Captures ended by a read error (usually the interface went away)")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.errors", openFailures, LongAdder::sum)
                .tag("reason", "open")
                .description("Interfaces that could not be opened for capture (retried on the next discovery poll)")
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.interfaces.opened", opened, LongAdder::sum)
                .register(registry);
        FunctionCounter.builder("eastwatch.agent.capture.interfaces.closed", closed, LongAdder::sum)
                .register(registry);
        Gauge.builder("eastwatch.agent.capture.interfaces", openInterfaces, s -> s.getAsInt())
                .description("Interfaces being captured now")
                // The supplier is a lambda nobody else holds: a weak reference would read NaN after a GC.
                .strongReference(true)
                .register(registry);
    }
}
