package io.eastwatch.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tarball extracts to one directory whose bin/eastwatch runs, also through a symlink elsewhere. */
class TarballIT {

    @Test
    void extractsAndRuns(@TempDir Path dir) throws Exception {
        Command.run("tar", "-xzf", Build.tarball().toString(), "-C", dir.toString()).ok();
        try (Stream<Path> top = Files.list(dir)) {
            assertEquals(List.of("eastwatch-" + Build.VERSION), top.map(p -> p.getFileName().toString()).toList(),
                    "one top-level directory");
        }
        Path home = dir.resolve("eastwatch-" + Build.VERSION);
        for (String[] pair : new String[][] {
                {"etc/eastwatch/agent.yaml", "agent.yaml"},
                {"etc/eastwatch/collector.yaml", "collector.yaml"},
                {"systemd/eastwatch-agent.service", "eastwatch-agent.service"},
                {"systemd/eastwatch-collector.service", "eastwatch-collector.service"},
                {"sysusers.d/eastwatch.conf", "eastwatch.sysusers"},
                {"README.md", "README.md"}}) {
            assertArrayEquals(Files.readAllBytes(Build.DEPLOY.resolve(pair[1])), Files.readAllBytes(home.resolve(pair[0])), pair[0]);
        }
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            assertEquals(Build.runtimeJars().stream().sorted().toList(),
                    lib.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.isExecutable(home.resolve("bin/eastwatch")));
        for (String d : List.of("eastwatch-soc.json", "eastwatch-agent.json", "eastwatch-pipeline.json", "eastwatch-group.json",
                "provisioning/dashboards/eastwatch.yaml", "provisioning/datasources/eastwatch.yaml", "prometheus/prometheus.yml")) {
            assertTrue(Files.isRegularFile(home.resolve("dashboards").resolve(d)), d);
        }

        assertEquals("eastwatch " + Build.VERSION,
                Command.run(home.resolve("bin/eastwatch").toString(), "--version").ok().out().strip());
        // the parallel GC by default; EASTWATCH_OPTS naming a collector wins (two would stop the JVM)
        String bin = home.resolve("bin/eastwatch").toString();
        String parallel = Command.run("env", "EASTWATCH_OPTS=-Xlog:gc:stdout", bin, "--help").ok().out();
        assertTrue(parallel.contains("Using Parallel"), parallel);
        String serial = Command.run("env", "EASTWATCH_OPTS=-XX:+UseSerialGC -Xlog:gc:stdout", bin, "--help").ok().out();
        assertTrue(serial.contains("Using Serial"), serial);
        String help = Command.run(home.resolve("bin/eastwatch").toString(), "--help").ok().out();
        assertTrue(help.contains("Usage: eastwatch <command>") && help.contains("  collector "), help);

        // as installed by deploy/README.md: a link in a bin directory on the PATH finds the jars
        // beside the link's target
        Path link = Files.createDirectories(dir.resolve("usr-local-bin")).resolve("eastwatch");
        Files.createSymbolicLink(link, home.resolve("bin/eastwatch"));
        assertTrue(Command.run(link.toString(), "agent", "--help").ok().out().startsWith("Usage: eastwatch agent"));
    }
}
