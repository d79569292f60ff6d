package io.eastwatch.sim.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.sim.SimSettings;
import io.eastwatch.sim.attack.Scenario;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The evaluation's bar on a cluster of 1,000 containers over 20 hosts: every attack scenario is
 * caught with the rogue container named, and nothing else is ever flagged, in the no-attack run
 * as in the attack runs. Each scenario is generated, replayed through agent, embedded Kafka and
 * the detection engine, and scored against its ground truth.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScenarioEvaluationTest {
    private static final int CONTAINERS = 1000;
    private static final int HOSTS = 20;
    private static final long SEED = 1;

    @TempDir
    static Path work;
    private Evaluation eval;
    private final List<ScenarioScore> scores = new ArrayList<>();

    @BeforeAll
    void startBroker() throws Exception {
        eval = new Evaluation(work);
    }

    @AfterAll
    void report() {
        if (eval != null) {
            eval.close();
        }
        EvalMain.printScenarios(System.out, scores, CONTAINERS, HOSTS, SEED);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void caughtWithTheRightContainerAndNoFalsePositive(Scenario scenario) throws Exception {
        ScenarioScore s = eval.scenario(SimSettings.defaults(CONTAINERS, HOSTS, scenario, SEED));
        scores.add(s);
        if (scenario != Scenario.NONE) {
            assertTrue(s.detected(), scenario.id() + ": " + s.attacker() + " not named by any alert");
        }
        assertEquals(0, s.falsePositives(), scenario.id() + ": false positives " + s.falsePositiveSamples());
    }
}
