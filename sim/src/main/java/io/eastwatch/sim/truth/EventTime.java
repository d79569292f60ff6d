package io.eastwatch.sim.truth;

import java.time.Instant;

/** Event times as the inventory, ground truth and alerts write them (ISO-8601 UTC). */
public final class EventTime {
    private EventTime() {
    }

    public static String iso(long us) {
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L).toString();
    }

    public static long micros(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
