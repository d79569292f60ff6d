package io.eastwatch.agent.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identity from the Docker Engine API (v1.41) on its unix socket.
 *
 * <p>On every (re)connection: note the time, list running containers and inspect each (addresses,
 * labels, image, pid), release the ones known before that are gone, then follow {@code /events}
 * from the noted time, so nothing that happened during the listing is missed: starts and network
 * connects inspect the container again, dies and disconnects end its ownership at the event's
 * time. When the stream ends (dockerd restarted) the resolver reconnects with exponential backoff.
 * Host-side veths are read from the container's namespace by pid ({@link NamespaceNetwork}).
 *
 * <p>All state changes run on the client's single event loop.
 */
public final class DockerContainerResolver implements ContainerResolver {
    private static final Logger log = LoggerFactory.getLogger(DockerContainerResolver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INSPECT_PARALLEL = 8;
    static final String NAME = "docker";
    private static final String EVENT_FILTER = URLEncoder.encode("{\"type\":[\"container\",\"network\"]}", StandardCharsets.UTF_8);
    private static final List<String> ACTIONS = List.of("start", "die", "stop", "destroy", "connect", "disconnect", "create", "other");

    private final DockerResolverSettings settings;
    private final ContainerTable table;
    private final NamespaceNetwork namespaces;
    private final DockerApiClient client;
    private final Map<String, ContainerIdentity> running = new HashMap<>();
    private final Map<String, Counter> events = new HashMap<>();
    private final Counter reconnects;
    private final Counter connectErrors;
    private final Counter badEvents;
    private final Counter inspectErrors;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private volatile int runningCount;
    private long backoffMillis;
    private long lastEventNanos;
    private boolean closed;
    private boolean failing;
    private Channel eventStream;

    public DockerContainerResolver(DockerResolverSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.table = new ContainerTable(settings.limits());
        this.namespaces = new NamespaceNetwork(settings.procRoot(), settings.sysClassNet());
        this.client = new DockerApiClient(settings.socket(), settings.apiVersion(), settings.requestTimeout().toMillis(),
                settings.maxResponseBytes(), settings.maxEventBytes());
        for (String a : ACTIONS) {
            events.put(a, Counter.builder("eastwatch.agent.identity.docker.events").tag("action", a)
                    .description("Docker events received, by action").register(registry));
        }
        this.reconnects = Counter.builder("eastwatch.agent.identity.docker.reconnects")
                .description("Reconnections to the Docker API after the event stream ended").register(registry);
        this.connectErrors = error(registry, "connect");
        this.badEvents = error(registry, "bad_event");
        this.inspectErrors = error(registry, "inspect");
        FunctionCounter.builder("eastwatch.agent.identity.ownership.overflow", this, r -> (double) r.table.overflow()).tag("resolver", NAME)
                .description("Address ownerships not recorded because the resolver's table was full of running containers")
                .register(registry);
        Gauge.builder("eastwatch.agent.identity.containers", this, r -> r.containersKnown()).tag("resolver", NAME)
                .description("Running containers the resolver knows").register(registry);
        this.backoffMillis = settings.reconnectMin().toMillis();
    }

    private static Counter error(MeterRegistry registry, String reason) {
        return Counter.builder("eastwatch.agent.identity.errors").tag("resolver", NAME).tag("reason", reason)
                .description("Resolver errors by resolver and reason").register(registry);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        client.loop().execute(this::connect);
    }

    /** Completes when the first listing of running containers is in the table. */
    public CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    private void connect() {
        if (closed) {
            return;
        }
        long since = lastEventNanos > 0 ? lastEventNanos / 1_000_000_000L : System.currentTimeMillis() / 1000 - 1;
        client.get("/networks").thenAccept(this::learnNetworks)
                .thenCompose(v -> client.get("/containers/json"))
                .thenComposeAsync(this::inspectAll, client.loop())
                .whenCompleteAsync((v, err) -> {
                    if (err != null) {
                        connectErrors.increment();
                        if (!failing) {   // once per outage, not at every retry
                            log.warn("Docker API {} unavailable: {}; retrying with backoff up to {} ms", settings.socket(),
                                    rootMessage(err), settings.reconnectMax().toMillis());
                        }
                        failing = true;
                        retryLater();
                        return;
                    }
                    if (failing) {
                        log.info("Docker API {} back", settings.socket());
                    }
                    failing = false;
                    firstSync.complete(null);
                    followEvents(since);
                }, client.loop());
    }

    private void learnNetworks(String body) {
        try {
            for (JsonNode n : JSON.readTree(body)) {
                for (JsonNode cfg : n.path("IPAM").path("Config")) {
                    String subnet = cfg.path("Subnet").asText("");
                    if (!subnet.isEmpty()) {
                        table.addNetwork(Cidr.parse(subnet));
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            badEvents.increment();
            log.warn("unreadable network list from Docker: {}", e.toString());
        }
    }

    private CompletableFuture<Void> inspectAll(String listBody) {
        long now = System.currentTimeMillis() * 1000;
        List<String> ids = new ArrayList<>();
        try {
            for (JsonNode c : JSON.readTree(listBody)) {
                ids.add(c.path("Id").asText());
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new DockerApiException("unreadable container list: " + e, e));
        }
        Set<String> listed = new HashSet<>(ids);
        for (String gone : new ArrayList<>(running.keySet())) {
            if (!listed.contains(gone)) {
                release(gone, now);
            }
        }
        // A few inspections at a time: thousands of simultaneous connections would load dockerd.
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < ids.size(); i += INSPECT_PARALLEL) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + INSPECT_PARALLEL));
            chain = chain.thenCompose(v -> CompletableFuture.allOf(batch.stream().map(this::inspectListed)
                    .toArray(CompletableFuture<?>[]::new)));
        }
        return chain;
    }

    private CompletableFuture<Void> inspectListed(String id) {
        return client.get("/containers/" + id + "/json").thenAcceptAsync(body -> learn(body, -1), client.loop())
                .exceptionally(err -> {
                    inspectErrors.increment();   // removed between list and inspect: its events follow
                    log.debug("inspect {}: {}", id, rootMessage(err));
                    return null;
                });
    }

    /** Attaches an inspected container's addresses and veths from {@code atMicros} (or its start time if -1). */
    private void learn(String inspectBody, long atMicros) {
        JsonNode d;
        try {
            d = JSON.readTree(inspectBody);
        } catch (IOException e) {
            badEvents.increment();
            return;
        }
        String id = d.path("Id").asText("");
        JsonNode state = d.path("State");
        if (id.isEmpty() || !state.path("Running").asBoolean(false)) {
            return;
        }
        String name = d.path("Name").asText("").replaceFirst("^/", "");
        JsonNode cfg = d.path("Config");
        String image = cfg.path("Image").asText("");
        Map<String, String> labels = new HashMap<>();
        cfg.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        Set<ByteString> addresses = new LinkedHashSet<>();
        for (JsonNode n : d.path("NetworkSettings").path("Networks")) {
            for (String field : new String[] {"IPAddress", "GlobalIPv6Address"}) {
                ByteString a = Addresses.of(n.path(field).asText(""));
                if (a != null) {
                    addresses.add(a);
                }
            }
        }
        int pid = state.path("Pid").asInt(0);
        Set<String> veths = Set.of();
        if (pid > 0 && !addresses.isEmpty()) {
            try {
                veths = namespaces.read(pid).hostInterfaces();
            } catch (IOException e) {
                log.debug("veths of {} (pid {}): {}", name, pid, e.toString());
            }
        }
        ContainerIdentity identity = running.get(id);
        if (identity == null) {
            identity = new ContainerIdentity(id, name, image, Workloads.of(labels, image, name), settings.hostName(), NAME);
            running.put(id, identity);
            runningCount = running.size();
        }
        long from = atMicros >= 0 ? atMicros : startedMicros(state.path("StartedAt").asText(""));
        table.attach(identity, addresses, veths, from);
    }

    private static long startedMicros(String startedAt) {
        try {
            Instant t = Instant.parse(startedAt);
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            return System.currentTimeMillis() * 1000;
        }
    }

    private void release(String id, long atMicros) {
        table.release(id, atMicros);
        running.remove(id);
        runningCount = running.size();
    }

    private void followEvents(long sinceSeconds) {
        if (closed) {
            return;
        }
        String path = "/events?since=" + sinceSeconds + "&filters=" + EVENT_FILTER;
        eventStream = client.stream(path, () -> backoffMillis = settings.reconnectMin().toMillis(), this::onEvent, reason -> {
            if (closed) {
                return;
            }
            reconnects.increment();
            log.warn("Docker event stream ended ({}); reconnecting", reason == null ? "closed by dockerd" : rootMessage(reason));
            retryLater();
        });
    }

    private void retryLater() {
        if (closed) {
            return;
        }
        long wait = backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, settings.reconnectMax().toMillis());
        client.loop().schedule(this::connect, wait, TimeUnit.MILLISECONDS);
    }

    private void onEvent(String line) {
        JsonNode e;
        try {
            e = JSON.readTree(line);
        } catch (IOException ex) {
            badEvents.increment();
            log.debug("unreadable Docker event: {}", ex.toString());
            return;
        }
        String type = e.path("Type").asText("");
        String action = e.path("Action").asText("");
        long nanos = e.path("timeNano").asLong(e.path("time").asLong(0) * 1_000_000_000L);
        lastEventNanos = Math.max(lastEventNanos, nanos);
        long at = nanos > 0 ? nanos / 1000 : System.currentTimeMillis() * 1000;
        String counted = ACTIONS.contains(action) ? action : "other";
        events.get(counted).increment();
        String containerId = type.equals("network") ? e.path("Actor").path("Attributes").path("container").asText("")
                : e.path("Actor").path("ID").asText(e.path("id").asText(""));
        switch (type + "/" + action) {
            case "container/start", "network/connect", "network/disconnect" -> inspect(containerId, type.equals("network") ? at : -1);
            case "container/die", "container/stop", "container/destroy" -> {
                if (running.containsKey(containerId)) {
                    release(containerId, at);
                }
            }
            case "network/create" -> client.get("/networks").thenAcceptAsync(this::learnNetworks, client.loop());
            default -> {
            }
        }
        table.prune(System.currentTimeMillis() * 1000);
    }

    private void inspect(String id, long atMicros) {
        if (id.isEmpty()) {
            badEvents.increment();
            return;
        }
        client.get("/containers/" + id + "/json").whenCompleteAsync((body, err) -> {
            if (err != null) {
                inspectErrors.increment();
                log.debug("inspect {}: {}", id, rootMessage(err));
            } else {
                learn(body, atMicros);
            }
        }, client.loop());
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public ContainerIdentity lookup(ByteString address, long tsMicros, String captureInterface) {
        return table.lookup(address, tsMicros, captureInterface);
    }

    @Override
    public ContainerIdentity byInterface(String iface, long tsMicros) {
        return table.byInterface(iface, tsMicros);
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
        return runningCount;
    }

    @Override
    public void close() {
        client.loop().execute(() -> {
            closed = true;
            if (eventStream != null) {
                eventStream.close();
            }
        });
        client.close();
    }
}
