package io.eastwatch.collector.detect;

/**
 * Tunables of the brute-force detector.
 *
 * @param windowMicros      attempts are counted per source and service over this window (event time). Longer
 *                          catches slow guessing (ncrack -T sneaky) but lets a busy legitimate client pile up.
 * @param minAttempts       fewest short or failed connections in a window that can be brute force. Lower catches
 *                          shorter attacks (a handful of SSH sessions) and risks flagging retries.
 * @param baselineFactor    on a known edge the window count must also exceed this multiple of the most any
 *                          container of the workload made in a baseline window (scaled to this window). Lower is
 *                          more sensitive on chatty edges.
 * @param shortMicros       a connection lasting at most this long counts as short (an authentication attempt).
 * @param shortBytes        ... and moving at most this many bytes both ways.
 * @param minShortFraction  fraction of the window's attempts that must be short or failed. Lower flags services
 *                          used with short sessions normally; higher misses guessers that keep sessions open.
 * @param maxKeys           (source, service) pairs tracked; the least recent is evicted beyond it.
 * @param authPorts         services that authenticate every connection (SSH, FTP, telnet, RDP, SMB, VNC, databases,
 *                          Kerberos, LDAP, mail). On an edge without a learned rate, guessing against one of these
 *                          needs only minAttempts. Caches (Redis, memcached) are left out by default: their clients
 *                          often open a short connection per request.
 * @param otherServiceFactor on an edge without a learned rate to any other port, minAttempts is multiplied by this:
 *                          many short connections to an unknown service are more often a tool at work (an HTTP
 *                          scanner script, a health checker) than password guessing, so more evidence is needed.
 *                          Lower catches guessing on non-standard ports sooner and flags such tools more.
 */
public record BruteForceSettings(
        long windowMicros,
        int minAttempts,
        double baselineFactor,
        long shortMicros,
        long shortBytes,
        double minShortFraction,
        int maxKeys,
        java.util.Set<Integer> authPorts,
        double otherServiceFactor) {

    public BruteForceSettings {
        if (windowMicros < 1_000_000L) {
            throw new IllegalArgumentException("windowMicros: " + windowMicros + " (expected: >= 1000000)");
        }
        if (minAttempts < 2) {
            throw new IllegalArgumentException("minAttempts: " + minAttempts + " (expected: >= 2)");
        }
        if (!(baselineFactor >= 1)) {
            throw new IllegalArgumentException("baselineFactor: " + baselineFactor + " (expected: >= 1)");
        }
        if (shortMicros < 1) {
            throw new IllegalArgumentException("shortMicros: " + shortMicros + " (expected: > 0)");
        }
        if (shortBytes < 1) {
            throw new IllegalArgumentException("shortBytes: " + shortBytes + " (expected: > 0)");
        }
        if (!(minShortFraction > 0 && minShortFraction <= 1)) {
            throw new IllegalArgumentException("minShortFraction: " + minShortFraction + " (expected: 0 < f <= 1)");
        }
        authPorts = java.util.Set.copyOf(authPorts);
        if (!(otherServiceFactor >= 1)) {
            throw new IllegalArgumentException("otherServiceFactor: " + otherServiceFactor + " (expected: >= 1)");
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: > 0)");
        }
    }

    public static BruteForceSettings defaults() {
        return new BruteForceSettings(600_000_000L, 6, 3.0, 30_000_000L, 65_536, 0.8, 200_000,
                java.util.Set.of(21, 22, 23, 25, 88, 110, 1812, 143, 389, 445, 587, 636, 993, 995, 1433, 1521, 2222, 3306,
                        3389, 5432, 5900, 5985, 5986, 27017), 8);
    }
}
