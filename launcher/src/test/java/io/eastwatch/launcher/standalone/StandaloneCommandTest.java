package io.eastwatch.launcher.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.daemon.UsageException;
import io.eastwatch.launcher.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eastwatch standalone} through the launcher: bad usage is status 2 with a message naming the problem. */
class StandaloneCommandTest {

    record Outcome(int status, String out, String err) {
    }

    @TempDir
    Path dir;

    /** The command quiets the daemons' INFO logs through system properties: not for the tests after this one. */
    @AfterEach
    void restoreLogLevels() {
        for (String name : new String[] {"io.eastwatch", "state.change.logger", "kafka", "org.apache.kafka"}) {
            System.clearProperty("org.slf4j.simpleLogger.log." + name);
        }
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

    @Test
    void helpNamesEveryOption() {
        Outcome r = launch("standalone", "--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Usage: eastwatch standalone"), r.out());
        for (String o : List.of("--learn", "--data-dir", "--interfaces", "--api-port", "--agent-metrics-port", "--duration",
                "--api-token-file")) {
            assertTrue(r.out().contains(o), o);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--learn abc                           | --learn abc: not a duration",
        "--learn -5s                           | --learn -5s: not a duration",
        "--duration 10x                        | --duration 10x: not a duration",
        "--api-port 70000                      | --api-port 70000: not a port",
        "--api-port 9999 --agent-metrics-port 9999 | --agent-metrics-port 9999: the same port as --api-port",
        "--interfaces ewt-sa-none0             | --interfaces ewt-sa-none0: no such interface",
        "--interfaces ,                        | --interfaces ',': no interface named",
        "--lern 5s                             | unknown option --lern",
        "--api-token-file /nonexistent/ewt-sa  | --api-token-file /nonexistent/ewt-sa: not a readable file",
    })
    void badUsageIsStatus2NamingTheOption(String args, String message) {
        String[] argv = ("standalone " + args.trim()).split("\\s+");
        Outcome r = launch(argv);
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void aPortInUseIsStatus2NamingTheOption() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Outcome r = launch("standalone", "--interfaces", "lo", "--api-port", Integer.toString(port),
                    "--data-dir", dir.toString());
            assertEquals(2, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("--api-port " + port + ": 127.0.0.1:" + port + " is in use"), r.err());

            r = launch("standalone", "--interfaces", "lo", "--api-port", "0", "--agent-metrics-port",
                    Integer.toString(port), "--data-dir", dir.toString());
            assertEquals(2, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("--agent-metrics-port " + port + ": 127.0.0.1:" + port + " is in use"), r.err());
        }
    }

    @Test
    void aHostWithoutContainerInterfacesIsToldSo() throws Exception {
        Path sys = Files.createDirectories(dir.resolve("sys-class-net"));
        Files.createDirectories(sys.resolve("lo"));
        Files.createDirectories(sys.resolve("eth0"));
        UsageException e = assertThrows(UsageException.class,
                () -> Standalone.checkInterfaces(StandaloneOptions.defaults(), sys));
        assertTrue(e.getMessage().contains("no container interface on this host") && e.getMessage().contains("--interfaces"),
                e.getMessage());
    }
}
