package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher in-process: exit statuses and messages, without System.exit. */
class MainTest {

    record Outcome(int status, String out, String err) {
    }

    static Outcome launch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @TempDir
    Path dir;

    @Test
    void topLevelHelpListsEveryCommand() {
        Outcome r = launch("--help");
        assertEquals(0, r.status());
        for (String c : new String[] {"agent", "collector", "replay", "standalone"}) {
            assertTrue(r.out().contains("  " + c + " "), c);
        }
        assertEquals(2, launch().status(), "no command is a usage error");
    }

    @Test
    void versionIsPrinted() {
        Outcome r = launch("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("eastwatch "), r.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"agent", "collector", "replay", "standalone"}) {
            Outcome r = launch(c, "--help");
            assertEquals(0, r.status(), c + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: eastwatch " + c), c + ": " + r.out());
        }
        assertTrue(launch("agent", "--help").out().contains("--pcap FILE"));
    }

    @Test
    void unknownCommandOrOptionIsStatus2NamingIt() {
        Outcome cmd = launch("agnet");
        assertEquals(2, cmd.status());
        assertTrue(cmd.err().contains("unknown command 'agnet'"), cmd.err());

        Outcome opt = launch("agent", "--confg", "x.yaml");
        assertEquals(2, opt.status());
        assertEquals("eastwatch agent: unknown option --confg (see --help)", opt.err().trim());

        Outcome none = launch("agent");
        assertEquals(2, none.status());
        assertTrue(none.err().contains("--config FILE"), none.err());
    }

    @Test
    void badConfigurationIsStatus2NamingTheKey() throws Exception {
        Path cfg = dir.resolve("agent.yaml");
        Files.writeString(cfg, "capture:\n  snaplen: 10\n");
        Outcome r = launch("agent", "--config", cfg.toString(), "--check");
        assertEquals(2, r.status());
        assertEquals("eastwatch agent: Invalid value 10 for configuration capture.snaplen: must be at least 64", r.err().trim());

        Files.writeString(cfg, "flow_table:\n  max_flow: 10\n");
        Outcome unknown = launch("agent", "--config", cfg.toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unknown configuration key flow_table.max_flow (did you mean flow_table.max_flows?)"),
                unknown.err());

        Outcome output = launch("agent", "--pcap", "/nonexistent.pcap", "--output", "xml");
        assertEquals(2, output.status());
        assertTrue(output.err().contains("Invalid value xml for configuration output: must be one of [kafka, json, count]"), output.err());

        Outcome missing = launch("agent", "--config", dir.resolve("missing.yaml").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("Cannot read configuration file"), missing.err());
    }

    @Test
    void unreadableOrInvalidInventoryIsStatus2NamingTheKey() throws Exception {
        String pcap = AgentPcapJsonTest.pcaps().resolve("scans/port_scan_10ports.pcap").toString();
        Outcome missing = launch("agent", "--pcap", pcap, "--output", "json", "--inventory", dir.resolve("none.json").toString());
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().contains("for configuration identity.inventory.file: must be a readable file"), missing.err());

        Path bad = dir.resolve("inventory.json");
        Files.writeString(bad, "{\"containers\": 3}");
        Outcome invalid = launch("agent", "--pcap", pcap, "--output", "json", "--inventory", bad.toString());
        assertEquals(2, invalid.status(), invalid.err());
        assertTrue(invalid.err().contains("for configuration identity.inventory.file: is not a valid inventory"), invalid.err());
    }

    @Test
    void checkPrintsTheEffectiveConfiguration() throws Exception {
        Path cfg = dir.resolve("agent.yaml");
        Files.writeString(cfg, "agent: {id: edge-7}\n");
        Outcome r = launch("agent", "--config", cfg.toString(), "--check");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("agent.id = edge-7"));
        assertTrue(r.out().contains("flow_table.unanswered_timeout = 3s"));
    }

    @Test
    void missingCaptureFileIsARuntimeFailure() {
        Outcome r = launch("agent", "--pcap", dir.resolve("none.pcap").toString(), "--output", "json");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("none.pcap"), r.err());
    }

    @Test
    void absentSubcommandImplementationIsStatus1WithAClearMessage() {
        DelegatedSubcommand absent = new DelegatedSubcommand("x", "x", "Usage: eastwatch x\n", "io.eastwatch.NoSuchMain");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            status = absent.run(new String[0], new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(1, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not available in this build"));
    }

    /** A stand-in entry point for the dispatch contract (run(String[], PrintStream, PrintStream)). */
    public static final class FakeEntry {
        public static int run(String[] args, PrintStream out, PrintStream err) {
            if (args.length > 0 && args[0].equals("--bad")) {
                throw new io.eastwatch.daemon.UsageException("eastwatch fake: unknown option --bad");
            }
            if (args.length > 0 && args[0].equals("--boom")) {
                throw new IllegalStateException("broker unreachable");
            }
            out.println("ran " + args.length);
            return 0;
        }
    }

    @Test
    void presentImplementationIsCalledAndItsErrorsMapToStatuses() throws Exception {
        DelegatedSubcommand present = new DelegatedSubcommand("fake", "f", "Usage\n", FakeEntry.class.getName());
        Main main = new Main();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, present.run(new String[] {"a", "b"}, o, o));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("ran 2"));
        main.add(present);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, main.dispatch(new String[] {"fake", "--bad"}, o, e));
        assertEquals(1, main.dispatch(new String[] {"fake", "--boom"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("broker unreachable"));
    }
}
