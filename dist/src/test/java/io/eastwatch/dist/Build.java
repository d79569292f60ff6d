package io.eastwatch.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the dist module's package phase built, and the sources it was built from (failsafe passes the paths). */
final class Build {

    static final String VERSION = required("eastwatch.version");
    static final Path TARGET = Path.of(required("eastwatch.target"));
    static final Path ROOT = Path.of(System.getProperty("eastwatch.root", "..")).toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path SHARED = Path.of(System.getProperty("eastwatch.shared", ROOT.resolve("../shared").toString()))
            .toAbsolutePath().normalize();
    /** The runtime jars ./eastwatch runs from a checkout: the package must hold every one. */
    static final Path LAUNCHER_LIB = Path.of(required("eastwatch.launcherLib"));

    private Build() {
    }

    /** The one .deb of this build (jdeb names it after the Debian form of the version). */
    static Path deb() throws IOException {
        try (Stream<Path> s = Files.list(TARGET)) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("eastwatch_.+_all\\.deb")).toList();
            assertEquals(1, debs.size(), "expected one eastwatch_*_all.deb in " + TARGET + ": " + debs);
            return debs.get(0);
        }
    }

    static Path tarball() {
        Path t = TARGET.resolve("eastwatch-" + VERSION + ".tar.gz");
        assertTrue(Files.isRegularFile(t), "missing " + t + " (built by mvn package in dist/)");
        return t;
    }

    /** The Debian version of the Maven version: a snapshot sorts before its release (~). */
    static String debianVersion() {
        return VERSION.replace("-SNAPSHOT", "~snapshot");
    }

    /** Jar names of launcher/target/lib, plus the launcher's and sim's own jars. */
    static List<String> runtimeJars() throws IOException {
        assertTrue(Files.isDirectory(LAUNCHER_LIB), "missing " + LAUNCHER_LIB);
        try (Stream<Path> s = Files.list(LAUNCHER_LIB)) {
            List<String> jars = new java.util.ArrayList<>(s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar")).sorted().toList());
            assertTrue(jars.size() > 20, "launcher/target/lib looks incomplete: " + jars);
            jars.add("eastwatch-launcher-" + VERSION + ".jar");
            jars.add("eastwatch-sim-" + VERSION + ".jar");
            return jars;
        }
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is unset: run through mvn verify (failsafe)");
        }
        return v;
    }
}
