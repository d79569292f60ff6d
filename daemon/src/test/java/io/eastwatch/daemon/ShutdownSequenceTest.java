package io.eastwatch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ShutdownSequenceTest {

    @Test
    void stepsRunInOrderOnce() {
        List<String> order = new CopyOnWriteArrayList<>();
        ShutdownSequence s = new ShutdownSequence(Duration.ofSeconds(5))
                .then("capture", () -> order.add("capture"))
                .then("table", () -> order.add("table"))
                .then("producer", () -> order.add("producer"));
        assertTrue(s.run());
        assertFalse(s.run(), "second run does nothing");
        assertEquals(List.of("capture", "table", "producer"), order);
    }

    @Test
    void aFailingOrHangingStepDoesNotStopLaterStepsOrTheDeadline() {
        List<String> order = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        ShutdownSequence s = new ShutdownSequence(Duration.ofMillis(500))
                .then("fails", () -> {
                    throw new IllegalStateException("boom");
                })
                .then("hangs", () -> Thread.sleep(60_000))
                .then("close", () -> order.add("close"));
        assertFalse(s.run());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(List.of("close"), order);
        assertTrue(ms < 2_000, "bounded: took " + ms + " ms");
    }
}
