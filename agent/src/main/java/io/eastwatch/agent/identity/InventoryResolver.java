package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identity from the inventory file of DESIGN.md: for replays of captures from elsewhere and for
 * hosts without a runtime API. The file states when each container started and stopped, so an
 * address reused by a later container is attributed by the flow's time. The file is re-read when
 * it changes; a bad new version is reported and the last good one stays in use.
 */
public final class InventoryResolver implements ContainerResolver {
    private static final Logger log = LoggerFactory.getLogger(InventoryResolver.class);
    static final String NAME = "inventory";

    private final InventorySettings settings;
    private final Counter reloads;
    private final Counter errors;
    private volatile ContainerTable table;
    private volatile Stamp loaded;
    private ScheduledExecutorService watcher;

    private record Stamp(long modifiedMillis, long size, Object fileKey) {
    }

    /** Loads the file now: a bad file fails construction with the file and JSON path in the message. */
    public InventoryResolver(InventorySettings settings, MeterRegistry registry) throws InventoryException {
        this.settings = settings;
        this.reloads = Counter.builder("eastwatch.agent.identity.inventory.reloads")
                .description("Inventory file loads that replaced the previous version").register(registry);
        this.errors = Counter.builder("eastwatch.agent.identity.errors").tag("resolver", NAME).tag("reason", "bad_inventory")
                .description("Resolver errors by resolver and reason").register(registry);
        FunctionCounter.builder("eastwatch.agent.identity.ownership.overflow", this, r -> (double) r.table.overflow()).tag("resolver", NAME)
                .description("Address ownerships not recorded because the resolver's table was full of running containers")
                .register(registry);
        Gauge.builder("eastwatch.agent.identity.containers", this, r -> r.containersKnown()).tag("resolver", NAME)
                .description("Running containers the resolver knows").register(registry);
        Stamp stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            throw new InventoryException(e.getMessage(), e);
        }
        this.table = InventoryFile.load(settings.file(), settings.limits(), NAME);
        this.loaded = stamp;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void start() {
        if (watcher != null || settings.reloadInterval().isZero()) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "eastwatch-inventory-watch");
            t.setDaemon(true);
            return t;
        });
        long ms = settings.reloadInterval().toMillis();
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Re-reads the file if its modification time, size or inode changed; true if a new version is in use. */
    boolean reloadIfChanged() {
        try {
            Stamp now = stamp();
            if (now.equals(loaded)) {
                return false;
            }
            ContainerTable next = InventoryFile.load(settings.file(), settings.limits(), NAME);
            table = next;
            loaded = now;
            reloads.increment();
            log.info("inventory {} reloaded: {} running containers", settings.file(), next.containersKnown());
            return true;
        } catch (InventoryException | IOException e) {
            errors.increment();
            log.error("inventory not reloaded, keeping the previous version: {}", e.getMessage());
            try {
                loaded = stamp();   // report a bad version once, not at every poll
            } catch (IOException again) {
                log.debug("inventory {} still unreadable", settings.file(), again);
            }
            return false;
        }
    }

    private Stamp stamp() throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(settings.file(), BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
        } catch (IOException e) {
            throw new IOException(settings.file() + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public ContainerIdentity lookup(ByteString address, long tsMicros, String captureInterface) {
        return table.lookup(address, tsMicros, captureInterface);
    }

    @Override
    public boolean inContainerNetwork(ByteString address) {
        return false;
    }

    @Override
    public int containersKnown() {
        return table.containersKnown();
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    Path file() {
        return settings.file();
    }
}
