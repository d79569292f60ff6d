package io.eastwatch.agent.identity;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param file           the inventory file (DESIGN.md format)
 * @param reloadInterval how often the file's time, size and inode are checked for a new version:
 *                       shorter picks up changes sooner for one stat() call each time; zero never reloads
 * @param limits         bounds on the remembered intervals
 */
public record InventorySettings(Path file, Duration reloadInterval, ResolverLimits limits) {
    public InventorySettings {
        if (file == null) {
            throw new IllegalArgumentException("file: null (expected: the inventory file's path)");
        }
        if (reloadInterval == null || reloadInterval.isNegative()
                || (!reloadInterval.isZero() && reloadInterval.toMillis() < 100)) {
            throw new IllegalArgumentException("reloadInterval: " + reloadInterval + " (expected: 0 or >= 100 ms)");
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits: null (expected: resolver limits)");
        }
    }

    public static InventorySettings of(Path file) {
        return new InventorySettings(file, Duration.ofSeconds(2), ResolverLimits.DEFAULTS);
    }
}
