package io.eastwatch.agent.capture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the interfaces to capture: the configured ones plus, with auto-discovery, the host-side
 * veths and the bridges of containers, by polling {@code /sys/class/net}. Interfaces that appear
 * or disappear while running are reported to a {@link Listener}, which opens or closes their
 * capture.
 *
 * <p>What counts as a veth is read from sysfs, not guessed from the name alone: a device whose
 * {@code iflink} differs from its {@code ifindex} (its peer lives elsewhere), that is not a bridge
 * and has no {@code lower_*} device (which would make it a VLAN or macvlan on a host NIC).
 * The peer index ({@code iflink}) is kept so the identity stage can map an interface to the
 * container whose namespace holds the peer.
 */
public final class InterfaceDiscovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InterfaceDiscovery.class);

    /** Receives interface changes on the discovery thread. */
    public interface Listener {
        /** @return false if the interface could not be taken now: it is offered again on the next poll */
        boolean added(NetInterface netInterface);

        void removed(NetInterface netInterface);
    }

    private final DiscoverySettings settings;
    private final List<Pattern> include;
    private final List<Pattern> exclude;
    private final Map<String, NetInterface> current = new ConcurrentHashMap<>();
    private volatile Thread poller;
    private volatile boolean closed;

    public InterfaceDiscovery(DiscoverySettings settings) {
        this.settings = settings;
        this.include = settings.include().stream().map(InterfaceDiscovery::glob).toList();
        this.exclude = settings.exclude().stream().map(InterfaceDiscovery::glob).toList();
    }

    public DiscoverySettings settings() {
        return settings;
    }

    /** Reports the interfaces present now, then polls for changes on a daemon thread until {@link #close}. */
    public synchronized void start(Listener listener) {
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        poll(listener);
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(settings.pollMillis());
                } catch (InterruptedException e) {
                    if (closed) {
                        break;
                    }
                    Thread.currentThread().interrupt();
                    break;
                }
                try {
                    poll(listener);
                } catch (RuntimeException e) {
                    // A listener failure must not end discovery: later containers still need capture.
                    log.warn("interface discovery poll failed; retrying in {} ms", settings.pollMillis(), e);
                }
            }
        }, "eastwatch-iface-discovery");
        t.setDaemon(true);
        poller = t;
        t.start();
    }

    /** Interfaces currently selected for capture, by name. */
    public Map<String, NetInterface> current() {
        return Map.copyOf(current);
    }

    /**
     * For the identity stage: the peer interface index (inside the container's namespace) of the
     * captured host-side veth with this index, or -1 if none is known.
     */
    public int peerIfindex(int ifindex) {
        for (NetInterface i : current.values()) {
            if (i.ifindex() == ifindex) {
                return i.kind() == NetInterface.Kind.VETH ? i.peerIfindex() : -1;
            }
        }
        return -1;
    }

    synchronized void poll(Listener listener) {
        Map<String, NetInterface> seen = scan();
        for (NetInterface old : new ArrayList<>(current.values())) {
            NetInterface now = seen.get(old.name());
            if (now == null || now.ifindex() != old.ifindex()) {
                current.remove(old.name());
                listener.removed(old);
            }
        }
        for (NetInterface now : seen.values()) {
            if (!current.containsKey(now.name()) && listener.added(now)) {
                current.put(now.name(), now);
            }
        }
    }

    /** The interfaces to capture as sysfs shows them now. */
    Map<String, NetInterface> scan() {
        Map<String, NetInterface> out = new HashMap<>();
        Path root = settings.sysClassNet();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                boolean configured = settings.interfaces().contains(name);
                if (!configured && !(settings.autoDiscover() && matches(name))) {
                    continue;
                }
                NetInterface i = describe(p, name, configured);
                if (i != null && (configured || i.kind() != NetInterface.Kind.OTHER)) {
                    out.put(name, i);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list {}: {}", root, e.toString());
        }
        return out;
    }

    private boolean matches(String name) {
        for (Pattern p : exclude) {
            if (p.matcher(name).matches()) {
                return false;
            }
        }
        for (Pattern p : include) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Null if the interface vanished while being read (containers stop at any moment). */
    private static NetInterface describe(Path dir, String name, boolean configured) {
        try {
            int ifindex = Integer.parseInt(Files.readString(dir.resolve("ifindex")).trim());
            int iflink = Integer.parseInt(Files.readString(dir.resolve("iflink")).trim());
            String master = null;
            Path masterLink = dir.resolve("master");
            if (Files.isSymbolicLink(masterLink)) {
                master = Files.readSymbolicLink(masterLink).getFileName().toString();
            }
            NetInterface.Kind kind;
            if (Files.isDirectory(dir.resolve("bridge"))) {
                kind = NetInterface.Kind.BRIDGE;
            } else if (iflink != ifindex && !hasLowerDevice(dir)) {
                kind = NetInterface.Kind.VETH;
            } else {
                kind = NetInterface.Kind.OTHER;
            }
            return new NetInterface(name, ifindex, iflink, master, kind, configured);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | NumberFormatException e) {
            log.debug("cannot describe interface {}: {}", name, e.toString());
            return null;
        }
    }

    private static boolean hasLowerDevice(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "lower_*")) {
            return s.iterator().hasNext();
        }
    }

    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public void close() {
        closed = true;
        Thread t = poller;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
