package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Container identity without a runtime API, for hosts that run containerd, CRI-O or podman: every
 * scan reads each process's cgroup paths for a container id ({@link CgroupPaths}), groups the
 * containers by network namespace ({@code /proc/<pid>/ns/net} inode), reads each namespace's
 * addresses and host-side veths from outside it ({@link NamespaceNetwork}), and names the container
 * from the runtime's state on disk ({@link RuntimeMetadata}).
 *
 * <p>Containers that share a namespace (a Kubernetes pod's sandbox and its containers) own its
 * addresses together; the address is attributed to the first non-sandbox container. Containers in
 * the host's namespace own no address: their traffic is the host's. A container is taken to own
 * its addresses from its first process's start time and until the scan that finds it gone.
 */
public final class ProcContainerResolver implements ContainerResolver {
    private static final Logger log = LoggerFactory.getLogger(ProcContainerResolver.class);
    static final String NAME = "proc";
    private static final int MAX_NETWORKS = 4096;

    private final ProcResolverSettings settings;
    private final ContainerTable table;
    private final NamespaceNetwork namespaces;
    private final RuntimeMetadata metadata;
    private final Map<String, Known> known = new HashMap<>();
    private final Counter scans;
    private final Counter scanErrors;
    private final Counter metadataErrors;
    private final long bootMicros;
    private final long clockTicks;
    private int networks;
    private ScheduledExecutorService scanner;

    private record Known(ContainerIdentity identity, int pid, boolean sandbox) {
    }

    private record Seen(String id, int pid, long netns, long startedMicros) {
    }

    public ProcContainerResolver(ProcResolverSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.table = new ContainerTable(settings.limits());
        this.namespaces = new NamespaceNetwork(settings.procRoot(), settings.sysClassNet());
        this.metadata = new RuntimeMetadata(settings.dockerContainers(), settings.bundleRoots());
        this.scans = Counter.builder("eastwatch.agent.identity.proc.scans").description("Scans of /proc for containers")
                .register(registry);
        this.scanErrors = Counter.builder("eastwatch.agent.identity.errors").tag("resolver", NAME).tag("reason", "scan")
                .description("Resolver errors by resolver and reason").register(registry);
        this.metadataErrors = Counter.builder("eastwatch.agent.identity.errors").tag("resolver", NAME).tag("reason", "metadata")
                .description("Resolver errors by resolver and reason").register(registry);
        FunctionCounter.builder("eastwatch.agent.identity.ownership.overflow", this, r -> (double) r.table.overflow()).tag("resolver", NAME)
                .description("Address ownerships not recorded because the resolver's table was full of running containers")
                .register(registry);
        Gauge.builder("eastwatch.agent.identity.containers", this, r -> r.containersKnown()).tag("resolver", NAME)
                .description("Running containers the resolver knows").register(registry);
        this.bootMicros = readBootMicros(settings.procRoot());
        this.clockTicks = 100;   // USER_HZ: 100 on every Linux architecture the agent runs on
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void start() {
        if (scanner != null) {
            return;
        }
        scanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "eastwatch-proc-scan");
            t.setDaemon(true);
            return t;
        });
        scanner.scheduleWithFixedDelay(this::scanQuietly, 0, settings.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (IOException | RuntimeException e) {
            scanErrors.increment();
            log.warn("/proc scan failed: {}", e.toString());
        }
    }

    /** One scan: learns started containers, address changes, and stopped containers. */
    synchronized void scan() throws IOException {
        long now = System.currentTimeMillis() * 1000;
        long hostNetns = netnsInode(settings.procRoot().resolve("self"));   // the agent runs in the host's namespace
        Map<String, Seen> seen = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(settings.procRoot(), p -> isPid(p.getFileName().toString()))) {
            for (Path dir : pids) {
                int pid = Integer.parseInt(dir.getFileName().toString());
                CgroupPaths.Match m;
                long netns;
                try {
                    m = CgroupPaths.containerOf(Files.readString(dir.resolve("cgroup")));
                    if (m == null) {
                        continue;
                    }
                    Seen prev = seen.get(m.id());
                    if (prev != null && prev.pid < pid) {
                        continue;   // the container's first process represents it
                    }
                    netns = netnsInode(dir);
                    seen.put(m.id(), new Seen(m.id(), pid, netns, startMicros(dir)));
                } catch (IOException e) {
                    // The process exited between listing and reading: a normal race, not an error.
                    log.trace("process {} gone during scan", pid);
                }
            }
        }
        Map<Long, List<Seen>> byNetns = new HashMap<>();
        for (Seen s : seen.values()) {
            if (s.netns != hostNetns && s.netns > 0) {
                byNetns.computeIfAbsent(s.netns, k -> new ArrayList<>()).add(s);
            }
        }
        for (List<Seen> group : byNetns.values()) {
            attachGroup(group, now);
        }
        for (var it = known.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!seen.containsKey(e.getKey())) {
                table.release(e.getKey(), now);
                it.remove();
            }
        }
        table.prune(now);
        scans.increment();
    }

    private void attachGroup(List<Seen> group, long now) {
        Seen owner = null;
        Known ownerKnown = null;
        boolean ownerNew = false;
        for (Seen s : group) {
            Known k = known.get(s.id);
            boolean isNew = k == null || k.pid != s.pid;
            if (isNew) {
                k = learn(s);
                known.put(s.id, k);
            }
            if (owner == null || (ownerKnown.sandbox && !k.sandbox)
                    || (ownerKnown.sandbox == k.sandbox && s.startedMicros < owner.startedMicros)) {
                owner = s;
                ownerKnown = k;
                ownerNew = isNew;
            }
        }
        NamespaceNetwork.Result net;
        try {
            net = namespaces.read(owner.pid);
        } catch (IOException e) {
            log.trace("namespace of {} gone during scan", owner.pid);
            return;
        }
        for (Cidr c : net.networks()) {
            if (networks < MAX_NETWORKS && !table.hasNetwork(c)) {
                table.addNetwork(c);
                networks++;
            }
        }
        for (Seen s : group) {
            if (s != owner) {
                table.attach(known.get(s.id).identity, List.of(), List.of(), now);
            }
        }
        long from = ownerNew && bootMicros > 0 ? Math.min(owner.startedMicros, now) : now;
        table.attach(ownerKnown.identity, net.addresses(), net.hostInterfaces(), from);
    }

    private Known learn(Seen s) {
        RuntimeMetadata.Metadata md = RuntimeMetadata.Metadata.UNKNOWN;
        try {
            md = metadata.of(s.id);
        } catch (IOException | RuntimeException e) {
            metadataErrors.increment();
            log.debug("no metadata for container {}: {}", s.id, e.toString());
        }
        String name = md.name().isEmpty() ? s.id.substring(0, 12) : md.name();
        ContainerIdentity identity = new ContainerIdentity(s.id, name, md.image(), Workloads.of(md.labels(), md.image(), name),
                settings.hostName(), NAME);
        return new Known(identity, s.pid, md.sandbox());
    }

    @Override
    public ContainerIdentity lookup(ByteString address, long tsMicros, String captureInterface) {
        return table.lookup(address, tsMicros, captureInterface);
    }

    @Override
    public boolean inContainerNetwork(ByteString address) {
        return table.inNetwork(address);
    }

    @Override
    public java.util.List<HeldAddress> heldAddresses(int limit) {
        return table.held(limit);
    }

    @Override
    public int containersKnown() {
        synchronized (this) {
            return known.size();
        }
    }

    @Override
    public ContainerIdentity byInterface(String iface, long tsMicros) {
        return table.byInterface(iface, tsMicros);
    }

    @Override
    public synchronized void close() {
        if (scanner != null) {
            scanner.shutdownNow();
            scanner = null;
        }
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static long netnsInode(Path procPid) throws IOException {
        String link = Files.readSymbolicLink(procPid.resolve("ns/net")).toString();   // net:[4026532263]
        int open = link.indexOf('[');
        int close = link.indexOf(']');
        if (open < 0 || close < open) {
            return -1;
        }
        return Long.parseLong(link.substring(open + 1, close));
    }

    /** Process start time: /proc/<pid>/stat field 22 (clock ticks after boot) plus boot time. */
    private long startMicros(Path procPid) throws IOException {
        String stat = Files.readString(procPid.resolve("stat"));
        int afterComm = stat.lastIndexOf(')');   // the command name may contain spaces and parentheses
        String[] f = stat.substring(afterComm + 2).split(" ");
        long ticks = Long.parseLong(f[19]);       // field 22 overall; f[0] is field 3
        return bootMicros + ticks * 1_000_000L / clockTicks;
    }

    private static long readBootMicros(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"))) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim()) * 1_000_000L;
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot read boot time from {}/stat, container start times fall back to first sighting: {}", proc, e.toString());
        }
        return 0;
    }
}
