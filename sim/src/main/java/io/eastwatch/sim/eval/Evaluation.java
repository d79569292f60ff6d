package io.eastwatch.sim.eval;

import io.eastwatch.collector.alert.Alert;
import io.eastwatch.launcher.EmbeddedKafka;
import io.eastwatch.launcher.ReplayCommand;
import io.eastwatch.sim.SimSettings;
import io.eastwatch.sim.Simulation;
import io.eastwatch.sim.truth.GroundTruth;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs simulated scenarios and real captures through {@code replay} against one embedded broker
 * (each replay on fresh topics) and scores the alerts against the ground truth.
 */
public final class Evaluation implements AutoCloseable {
    /** Detectors that need no learned history: the only fair judges of a capture without one. */
    static final Set<String> BASELINE_FREE = Set.of("port-scan", "brute-force");

    private final Path work;
    private final EmbeddedKafka kafka;

    public Evaluation(Path work) throws IOException {
        this.work = work;
        Files.createDirectories(work);
        this.kafka = new EmbeddedKafka(EmbeddedKafka.Settings.ephemeralPorts(work.resolve("kafka")));
        kafka.start();
    }

    /** Generates the scenario, replays it with the run's learning period, scores it. */
    public ScenarioScore scenario(SimSettings settings) throws IOException, InterruptedException {
        Path dir = work.resolve(settings.scenario().id() + "-" + settings.seed());
        Simulation.Output o = Simulation.generate(settings, dir);
        GroundTruth truth = o.groundTruth();
        ReplayCommand.Result r = ReplayCommand.replay(new ReplayCommand.Options(o.pcap(), o.inventory(),
                Duration.ofSeconds(truth.learnSeconds()), dir.resolve("alerts.jsonl")), kafka);
        return Scoring.score(truth, r);
    }

    /**
     * Replays one real capture with an inventory that makes each sending address a container and
     * no learning period (the capture holds no normal traffic to learn from), and scores it.
     */
    public CaptureScore capture(Path pcapDir, RealCapture c) throws IOException, InterruptedException {
        Path pcap = pcapDir.resolve(c.file());
        if (!Files.isReadable(pcap)) {
            throw new IOException("real capture missing: " + pcap);
        }
        Path dir = work.resolve("real").resolve(c.file());
        Files.createDirectories(dir);
        Path inventory = dir.resolve("inventory.json");
        CaptureInventory.write(pcap, inventory);
        ReplayCommand.Result r = ReplayCommand.replay(new ReplayCommand.Options(pcap, inventory, Duration.ZERO,
                dir.resolve("alerts.jsonl")), kafka);
        String actor = InetAddress.getByName(c.actor()).getHostAddress();
        Set<String> detectors = new LinkedHashSet<>();
        Map<String, Alert> fps = new LinkedHashMap<>();
        Set<String> others = new LinkedHashSet<>();
        for (Alert a : r.revisions()) {
            if (a.kind() != Alert.Kind.DETECTION) {
                continue;
            }
            Set<String> kinds = new LinkedHashSet<>();
            kinds.add(a.detector());
            for (Alert.Stage s : a.stages()) {
                kinds.add(s.detector());
            }
            kinds.retainAll(BASELINE_FREE);
            if (kinds.isEmpty()) {
                others.add(a.id());
                continue;
            }
            if (actor.equals(a.source().ip())) {
                detectors.addAll(kinds);
            } else {
                fps.putIfAbsent(a.id(), a);
            }
        }
        List<String> samples = new ArrayList<>();
        for (Alert a : fps.values()) {
            if (samples.size() < 3) {
                samples.add(a.detector() + " " + a.source().ip() + ": " + a.summary());
            }
        }
        return new CaptureScore(c, !detectors.isEmpty(), List.copyOf(detectors), fps.size(), samples, others.size(),
                r.flowsConsumed());
    }

    @Override
    public void close() {
        kafka.close();
    }
}
