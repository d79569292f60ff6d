package io.eastwatch.launcher.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.launcher.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line of {@code eastwatch lab}: help and every usage error, without touching Docker. */
class LabCommandTest {

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome launch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listedInTopLevelHelpWithItsOwnHelp() {
        assertTrue(launch("--help").out().contains("  lab "));
        Outcome r = launch("lab", "--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Usage: eastwatch lab"), r.out());
        assertTrue(r.out().contains("--containers"), r.out());
    }

    @Test
    void badOptionsAreStatus2NamingTheOption() {
        Outcome few = launch("lab", "--containers", "3");
        assertEquals(2, few.status());
        assertTrue(few.err().contains("--containers 3"), few.err());

        Outcome shortLearn = launch("lab", "--learn", "20s");
        assertEquals(2, shortLearn.status());
        assertTrue(shortLearn.err().contains("--learn 20s") && shortLearn.err().contains("60 s windows"), shortLearn.err());

        Outcome attacker = launch("lab", "--attacker", "lab-client-003");
        assertEquals(2, attacker.status());
        assertTrue(attacker.err().contains("not a lab container name"), attacker.err());

        Outcome subnet = launch("lab", "--subnet", "10.0.0.0");
        assertEquals(2, subnet.status());
        assertTrue(subnet.err().contains("--subnet 10.0.0.0"), subnet.err());

        assertEquals(2, launch("lab", "--learn", "soon").status());
        assertEquals(2, launch("lab", "--contaners", "9").status());
    }

    @Test
    void defaultsScaleTheTrafficAndTheLearningWithTheLabSize() {
        LabRun.Settings small = LabRun.Settings.forSize(45);
        assertEquals(2, small.interval());
        assertTrue(small.learn().toSeconds() >= LabRun.Settings.minLearnSeconds(small.interval(), small.scrapeInterval()));
        LabRun.Settings big = LabRun.Settings.forSize(200);
        assertTrue(big.interval() > small.interval(), "fewer rounds per client at 200 containers");
        assertTrue(big.learn().compareTo(small.learn()) > 0);
    }
}
