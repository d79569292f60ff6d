package io.eastwatch.sim.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real captures nobody here wrote (shared/pcaps/scans, ground truth from PROVENANCE.md), each
 * sending address made a container: every scanner and brute-forcer is flagged by a baseline-free
 * detector, and the negative controls (backscatter, nmap -A on one port) are not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealCaptureEvaluationTest {

    @TempDir
    static Path work;
    private Evaluation eval;
    private final List<CaptureScore> scores = new ArrayList<>();

    static Path scans() {
        String shared = System.getProperty("eastwatch.shared");
        Path root = shared != null ? Path.of(shared) : Path.of("..", "shared");
        return root.resolve("pcaps").resolve("scans");
    }

    static Stream<RealCapture> captures() throws Exception {
        return RealCapture.load().stream();
    }

    @BeforeAll
    void startBroker() throws Exception {
        eval = new Evaluation(work);
    }

    @AfterAll
    void report() {
        if (eval != null) {
            eval.close();
        }
        EvalMain.printCaptures(System.out, scores);
    }

    @Test
    void everyCaptureOfTheDirectoryHasAGroundTruthRow() throws Exception {
        assertTrue(Files.isDirectory(scans()), "shared captures missing: " + scans());
        List<String> rows = RealCapture.load().stream().map(RealCapture::file).toList();
        try (Stream<Path> files = Files.list(scans())) {
            for (Path f : files.toList()) {
                assertTrue(rows.contains(f.getFileName().toString()), "no ground truth for " + f.getFileName());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void meetsItsGroundTruth(RealCapture c) throws Exception {
        CaptureScore s = eval.capture(scans(), c);
        scores.add(s);
        assertTrue(s.pass(), c.file() + " (" + c.kind() + ", actor " + c.actor() + "): flagged=" + s.flagged()
                + " detectors=" + s.detectors() + " false positives=" + s.falsePositiveSamples());
    }
}
