package io.eastwatch.sim;

import io.eastwatch.sim.attack.AttackContext;
import io.eastwatch.sim.attack.Scenario;
import io.eastwatch.sim.cluster.ChurnEvent;
import io.eastwatch.sim.cluster.Cluster;
import io.eastwatch.sim.cluster.ClusterBuilder;
import io.eastwatch.sim.cluster.Container;
import io.eastwatch.sim.cluster.Workload;
import io.eastwatch.sim.traffic.NormalTraffic;
import io.eastwatch.sim.truth.EventTime;
import io.eastwatch.sim.truth.GroundTruth;
import io.eastwatch.sim.truth.InventoryWriter;
import io.eastwatch.sim.wire.FrameBuilder;
import io.eastwatch.sim.wire.Nic;
import io.eastwatch.sim.wire.PacketLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** One run of the simulator: builds the cluster, writes its traffic and the attack, then the three files. */
public final class Simulation {
    /** Capture start of every run: fixed, so runs are comparable and byte-identical per seed. */
    public static final long ORIGIN_US = EventTime.micros("2026-01-08T18:00:00Z");
    public static final int SNAP_LEN = 128;

    public static final String PCAP = "capture.pcap";
    public static final String INVENTORY = "inventory.json";
    public static final String TRUTH = "truth.json";

    /** The files of a run. */
    public record Output(Path pcap, Path inventory, Path truth, GroundTruth groundTruth) {
    }

    private Simulation() {
    }

    public static Output generate(SimSettings s, Path dir) throws IOException {
        long durationUs = s.duration().toNanos() / 1000;
        long learnUs = s.learn().toNanos() / 1000;
        Cluster cluster = new ClusterBuilder(s.seed(), ORIGIN_US, durationUs, learnUs, s.hosts()).build(s.containers());
        PacketLog log = new PacketLog(ORIGIN_US, SNAP_LEN);
        FrameBuilder frames = new FrameBuilder(log);
        new NormalTraffic(cluster, frames, s.seed()).generate();

        GroundTruth.Attacker attacker = null;
        String attackStart = null;
        String attackEnd = null;
        if (s.scenario() != Scenario.NONE) {
            long start = ORIGIN_US + s.attackAt().toNanos() / 1000;
            Container rogue = attacker(cluster, s.scenario());
            SplittableRandom rnd = new SplittableRandom(s.seed() * 31 + s.scenario().ordinal());
            long end = s.scenario().run(new AttackContext(cluster, rogue, frames, rnd, start));
            attacker = new GroundTruth.Attacker(rogue.id(), rogue.name(), rogue.workload().name(), rogue.image(),
                    rogue.host().name(), Nic.format(rogue.nic().ip()));
            attackStart = EventTime.iso(start);
            attackEnd = EventTime.iso(end);
        }

        Files.createDirectories(dir);
        Path pcap = dir.resolve(PCAP);
        Path inventory = dir.resolve(INVENTORY);
        Path truthFile = dir.resolve(TRUTH);
        log.writePcap(pcap);
        InventoryWriter.write(cluster, inventory);
        int atStart = 0;
        for (Container c : cluster.containers()) {
            if (c.aliveDuring(ORIGIN_US, ORIGIN_US)) {
                atStart++;
            }
        }
        List<GroundTruth.Churn> churn = new ArrayList<>();
        for (ChurnEvent e : cluster.events()) {
            churn.add(new GroundTruth.Churn(e.kind(), EventTime.iso(e.atUs()), e.workload(), e.detail()));
        }
        GroundTruth truth = new GroundTruth(s.scenario().id(), s.scenario().description(), s.seed(), atStart, s.hosts(),
                EventTime.iso(ORIGIN_US), EventTime.iso(ORIGIN_US + durationUs), learnUs / 1_000_000, attacker,
                attackStart, attackEnd, s.scenario().expectedDetectors(), log.count(), churn);
        truth.write(truthFile);
        return new Output(pcap, inventory, truthFile, truth);
    }

    /** The rogue: the longest-running replica of the churn-free workload of the scenario's tier. */
    private static Container attacker(Cluster cluster, Scenario scenario) {
        for (Workload w : cluster.quietWorkloads()) {
            if (w.tier() == scenario.attackerTier()) {
                return w.containers().get(0);
            }
        }
        throw new IllegalStateException("no quiet workload of tier " + scenario.attackerTier());
    }
}
