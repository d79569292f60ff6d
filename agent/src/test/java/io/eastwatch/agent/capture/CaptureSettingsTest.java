package io.eastwatch.agent.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureSettingsTest {

    @Test
    void defaultsCaptureHeadersOnlyIntoALargeKernelBuffer() {
        CaptureSettings d = CaptureSettings.defaults();
        assertEquals(128, d.snaplen());
        assertEquals(32 << 20, d.bufferBytes());
        assertEquals(false, d.promiscuous());
        assertEquals(false, d.immediate(), "kernel blocks: one wakeup per block, not per packet");
        assertEquals(10, d.timeoutMillis());
        assertEquals(50, d.reorderMillis());
    }

    @Test
    void rejectsBadValuesNamingTheField() {
        CaptureSettings d = CaptureSettings.defaults();
        assertMessage("snaplen: 10 (expected: 64..262144)", () -> new CaptureSettings(10, d.bufferBytes(), false, true,
                100, "", d.ringSlots(), 0.5, 8, 0.125, 500));
        assertMessage("ringSlots: 1000 (expected: a power of two >= 64)", () -> d.withRing(1000, 0.5, 8, 0.125));
        assertMessage("sampleOneIn: 0 (expected: >= 1)", () -> d.withRing(1024, 0.5, 0, 0.125));
        assertMessage("reserveFraction: 1.0 (expected: >= 0 and < 1)", () -> d.withRing(1024, 0.5, 8, 1.0));
        assertMessage("bufferBytes: 1000 (expected: >= 1048576)", () -> d.withBufferBytes(1000));
        assertMessage("filter: null (expected: a BPF expression or \"\")", () -> d.withFilter(null));
        assertMessage("tickIntervalMillis: 0 (expected: 10..60000)", () -> d.withTickIntervalMillis(0));
        assertMessage("reorderMillis: 15 (expected: 0 or >= 2 * timeoutMillis = 20 in block mode, so a packet held"
                + " in a kernel block is still put in order)", () -> d.withReorderMillis(15));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CaptureSettings(
                262_144, d.bufferBytes(), false, true, 100, "", 1 << 20, 0.5, 8, 0.125, 500));
        assertTrue(e.getMessage().startsWith("ringSlots: 1048576 (expected: ringSlots * snaplen <= "), e.getMessage());
    }

    @Test
    void discoverySettingsAreValidated() {
        assertMessage("pollMillis: 5 (expected: 100..60000)", () -> new DiscoverySettings(List.of(), true,
                List.of("veth*"), List.of(), 5, Path.of("/sys/class/net")));
        assertMessage("interfaces: [] (expected: at least one interface when autoDiscover is off)",
                () -> DiscoverySettings.only(List.of()));
        assertMessage("interfaces: [a-name-longer-than-15] (expected: names of 1..15 characters)",
                () -> DiscoverySettings.only(List.of("a-name-longer-than-15")));
    }

    @Test
    void globsMatchWholeNames() {
        assertTrue(InterfaceDiscovery.glob("br-*").matcher("br-1a2b3c").matches());
        assertTrue(InterfaceDiscovery.glob("veth?").matcher("veth0").matches());
        assertEquals(false, InterfaceDiscovery.glob("veth*").matcher("xveth0").matches());
        assertEquals(false, InterfaceDiscovery.glob("cni0").matcher("cni01").matches());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, e).getMessage());
    }
}
