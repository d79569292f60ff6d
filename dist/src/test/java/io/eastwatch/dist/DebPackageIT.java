package io.eastwatch.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eastwatch.collector.CollectorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb: its control data and file list, then a real {@code dpkg -i}, the installed
 * {@code eastwatch} run, {@code systemd-analyze verify} on the installed units and
 * {@code dpkg --purge}.
 *
 * <p>The install goes into a private root ({@code dpkg --root DIR --force-script-chrootless})
 * rather than onto this host: the test must leave the machine as it found it even when the JVM
 * is killed half way, must not race another run for the host's dpkg lock, and must not purge an
 * operator's real installation. Nothing else is faked: the root's dpkg database is a copy of this
 * host's (status and every package's file list), so Depends are resolved and file conflicts
 * checked against what is really installed here; the maintainer scripts run for real, on this
 * host, with DPKG_ROOT pointing at the root (systemd-sysusers --root creates the user there).
 */
class DebPackageIT {

    private static final String DEPENDS = "openjdk-17-jre-headless | java17-runtime-headless, libpcap0.8 | libpcap0.8t64";

    @Test
    void controlFieldsConffilesAndScripts() throws Exception {
        Path deb = Build.deb();
        Map<String, String> fields = fields(Command.run("dpkg-deb", "--field", deb.toString()).ok().out());
        assertEquals("eastwatch", fields.get("Package"));
        assertEquals(Build.debianVersion(), fields.get("Version"));
        assertEquals("all", fields.get("Architecture"));
        assertEquals("net", fields.get("Section"));
        assertEquals(DEPENDS, fields.get("Depends"));
        assertTrue(fields.getOrDefault("Maintainer", "").contains("@"), fields.toString());
        assertTrue(Long.parseLong(fields.get("Installed-Size")) > 10_000, "KiB: " + fields.get("Installed-Size"));

        assertEquals(List.of("/etc/eastwatch/agent.yaml", "/etc/eastwatch/collector.yaml"),
                Command.run("dpkg-deb", "--info", deb.toString(), "conffiles").ok().out().lines().sorted().toList());
        String info = Command.run("dpkg-deb", "--info", deb.toString()).ok().out();
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertTrue(info.lines().anyMatch(l -> l.contains(" * ") && l.contains(script) && l.contains("#!/bin/sh")),
                    script + " missing or not executable:\n" + info);
        }
    }

    @Test
    void contentsHoldBothDaemonsUnitsAndConfiguration() throws Exception {
        Map<String, Entry> files = contents(Build.deb());
        assertTrue(files.values().stream().allMatch(e -> e.owner().equals("root/root")), "all owned by root");

        Entry wrapper = files.get("/usr/bin/eastwatch");
        assertTrue(wrapper != null && wrapper.mode().startsWith("l"), "/usr/bin/eastwatch is a link: " + wrapper);
        assertEquals("../share/eastwatch/bin/eastwatch", wrapper.link());
        assertEquals("-rwxr-xr-x", files.get("/usr/share/eastwatch/bin/eastwatch").mode());
        for (String unit : List.of("/usr/lib/systemd/system/eastwatch-agent.service",
                "/usr/lib/systemd/system/eastwatch-collector.service", "/usr/lib/sysusers.d/eastwatch.conf")) {
            assertEquals("-rw-r--r--", mode(files, unit), unit);
        }
        // the configuration may hold secrets: not world-readable, even before postinst runs
        assertEquals("drwxr-x---", mode(files, "/etc/eastwatch/"));
        assertEquals("-rw-r-----", mode(files, "/etc/eastwatch/agent.yaml"));
        assertEquals("-rw-r-----", mode(files, "/etc/eastwatch/collector.yaml"));
        for (String doc : List.of("README.md", "config-agent.md", "config-collector.md", "alerts.md",
                "examples/provisioning/dashboards/eastwatch.yaml", "examples/provisioning/datasources/eastwatch.yaml",
                "examples/prometheus/prometheus.yml")) {
            assertTrue(files.containsKey("/usr/share/doc/eastwatch/" + doc), doc);
        }
        // the Grafana dashboards where the example provisioning looks for them
        try (var shipped = Files.list(Build.DEPLOY.resolveSibling("dashboards"))) {
            List<String> json = shipped.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
            assertEquals(4, json.size(), json.toString());
            for (String d : json) {
                assertEquals("-rw-r--r--", mode(files, "/usr/share/eastwatch/dashboards/" + d), d);
            }
        }
        assertTrue(Files.readString(Build.DEPLOY.resolveSibling("dashboards").resolve("provisioning/dashboards/eastwatch.yaml"))
                .contains("path: /usr/share/eastwatch/dashboards"), "the provisioning example points at the installed folder");

        List<String> packagedJars = files.keySet().stream()
                .filter(p -> p.startsWith("/usr/share/eastwatch/lib/") && p.endsWith(".jar"))
                .map(p -> p.substring("/usr/share/eastwatch/lib/".length())).sorted().toList();
        List<String> expected = Build.runtimeJars().stream().sorted().toList();
        assertEquals(expected, packagedJars, "the package's jars are exactly ./eastwatch's runtime class path");
        for (String daemon : List.of("agent", "collector", "daemon", "flow")) {
            assertTrue(packagedJars.contains("eastwatch-" + daemon + "-" + Build.VERSION + ".jar"), daemon);
        }
        assertTrue(packagedJars.stream().noneMatch(j -> j.startsWith("junit") || j.startsWith("jmh")), "no test jar");
    }

    @Test
    void installsRunsVerifiesAndPurges(@TempDir Path dir) throws Exception {
        assertEquals("root", System.getProperty("user.name"), "dpkg -i needs root (it chowns the configuration)");
        Path root = dir.resolve("root");
        seedDpkgDatabase(root);
        HostState before = HostState.now();

        Command.Outcome purge;
        try {
            Command.Outcome install = dpkg(root, "--install", Build.deb().toString()).ok();
            assertTrue(install.out().contains("Setting up eastwatch (" + Build.debianVersion() + ")"), install.toString());
            checkInstalled(root, dir);

            // an upgrade (here: the same version again) keeps the operator's edited configuration
            Path agentYaml = root.resolve("etc/eastwatch/agent.yaml");
            Files.writeString(agentYaml, "# edited on this host\n", java.nio.file.StandardOpenOption.APPEND);
            Command.Outcome again = dpkg(root, "--force-confold", "--install", Build.deb().toString()).ok();
            assertTrue(again.out().contains("Setting up eastwatch"), again.toString());
            assertTrue(Files.readString(agentYaml).endsWith("# edited on this host\n"), "the edit was replaced");
            assertEquals(0640, (int) Files.getAttribute(agentYaml, "unix:mode") & 07777, "still not world-readable");
        } finally {
            purge = dpkg(root, "--purge", "eastwatch");
        }
        purge.ok();
        for (String gone : List.of("usr/share/eastwatch", "usr/bin/eastwatch", "usr/lib/systemd/system/eastwatch-agent.service",
                "usr/lib/sysusers.d/eastwatch.conf", "etc/eastwatch", "var/lib/eastwatch")) {
            assertFalse(Files.exists(root.resolve(gone), LinkOption.NOFOLLOW_LINKS), "left after purge: /" + gone);
        }
        Command.Outcome query = Command.run("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"), "-W", "eastwatch");
        assertTrue(query.status() != 0 || query.out().strip().equals("eastwatch\t"), "still known to dpkg: " + query);
        assertEquals(before, HostState.now(), "the host itself must not change");
    }

    private static void checkInstalled(Path root, Path dir) throws Exception {
        // postinst: the system user in the root's own database, owning the state directory and
        // (as group) the configuration
        String passwd = Files.readString(root.resolve("etc/passwd"));
        String user = passwd.lines().filter(l -> l.startsWith("eastwatch:")).findFirst().orElseThrow(
                () -> new AssertionError("no eastwatch user in the root's /etc/passwd:\n" + passwd));
        String[] pw = user.split(":");
        int uid = Integer.parseInt(pw[2]);
        int gid = Integer.parseInt(pw[3]);
        assertTrue(uid > 0 && uid < 1000, "a system uid: " + user);
        assertEquals("/var/lib/eastwatch", pw[5]);
        assertOwned(root.resolve("etc/eastwatch"), 0, gid, 0750);
        assertOwned(root.resolve("etc/eastwatch/agent.yaml"), 0, gid, 0640);
        assertOwned(root.resolve("etc/eastwatch/collector.yaml"), 0, gid, 0640);
        assertOwned(root.resolve("var/lib/eastwatch"), uid, gid, 0750);

        // what is installed is what deploy/ holds
        for (String[] pair : new String[][] {
                {"etc/eastwatch/agent.yaml", "agent.yaml"},
                {"etc/eastwatch/collector.yaml", "collector.yaml"},
                {"usr/lib/systemd/system/eastwatch-agent.service", "eastwatch-agent.service"},
                {"usr/lib/systemd/system/eastwatch-collector.service", "eastwatch-collector.service"},
                {"usr/lib/sysusers.d/eastwatch.conf", "eastwatch.sysusers"}}) {
            assertArrayEquals(Files.readAllBytes(Build.DEPLOY.resolve(pair[1])), Files.readAllBytes(root.resolve(pair[0])), pair[0]);
        }

        // the installed copy runs: java from the PATH, the jars under /usr/share/eastwatch/lib
        String eastwatch = root.resolve("usr/bin/eastwatch").toString();
        assertEquals("eastwatch " + Build.VERSION, Command.run(eastwatch, "--version").ok().out().strip());
        String help = Command.run(eastwatch, "--help").ok().out();
        assertTrue(help.contains("Usage: eastwatch <command>"), help);
        for (String command : List.of("agent", "collector", "replay", "demo")) {
            assertTrue(help.contains("  " + command + " "), command + " in:\n" + help);
        }
        Command.Outcome check = Command.run(eastwatch, "agent", "--config", root.resolve("etc/eastwatch/agent.yaml").toString(), "--check").ok();
        assertTrue(check.out().contains("export.state_dir = /var/lib/eastwatch"), check.toString());
        CollectorConfig collector = CollectorConfig.load(root.resolve("etc/eastwatch/collector.yaml"));
        assertEquals("127.0.0.1:9092", collector.ingest().bootstrapServers());
        Command.Outcome collectorCheck = Command.run(eastwatch, "collector", "--config",
                root.resolve("etc/eastwatch/collector.yaml").toString(), "--check").ok();
        assertTrue(collectorCheck.out().contains("configuration OK"), collectorCheck.toString());

        Path pcap = Build.SHARED.resolve("pcaps/benign/docker_app_postgres.pcap");
        assertTrue(Files.isRegularFile(pcap), "missing " + pcap + " (../shared beside the checkout)");
        Command.Outcome count = Command.run(Duration.ofSeconds(120),
                List.of(eastwatch, "agent", "--pcap", pcap.toString(), "--output", "count")).ok();
        assertTrue(count.out().matches("(?s).*flow records: [1-9]\\d* \\(final: \\d+\\), packets in records: [1-9]\\d*.*"), count.toString());

        verifyUnits(root, dir);
    }

    /**
     * systemd-analyze verify on the installed units. The root holds no systemd of its own, so
     * copies are verified against this host's systemd with ExecStart pointing into the root.
     */
    private static void verifyUnits(Path root, Path dir) throws Exception {
        Path units = Files.createDirectories(dir.resolve("units"));
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
        for (String name : List.of("eastwatch-agent.service", "eastwatch-collector.service")) {
            String unit = Files.readString(root.resolve("usr/lib/systemd/system").resolve(name));
            assertTrue(unit.contains("ExecStart=/usr/bin/eastwatch "), name);
            Path copy = units.resolve(name);
            Files.writeString(copy, unit.replace("/usr/bin/eastwatch ", root.resolve("usr/bin/eastwatch") + " "));
            command.add(copy.toString());
        }
        Command.Outcome verify = Command.run(Duration.ofSeconds(60), command);
        assertEquals(0, verify.status(), verify.toString());
        String all = verify.out() + verify.err();
        assertTrue(all.lines().noneMatch(l -> l.contains("eastwatch-")), "warnings about the units:\n" + verify);
    }

    /** A dpkg database for the root that knows what this host has installed. */
    private static void seedDpkgDatabase(Path root) throws IOException {
        Path admin = Files.createDirectories(root.resolve("var/lib/dpkg"));
        Files.createDirectories(admin.resolve("updates"));
        Files.createDirectories(admin.resolve("triggers"));
        Path info = Files.createDirectories(admin.resolve("info"));
        Files.createDirectories(root.resolve("var/log"));
        Path host = Path.of("/var/lib/dpkg");
        Files.copy(host.resolve("status"), admin.resolve("status"));
        if (Files.exists(host.resolve("diversions"))) {
            Files.copy(host.resolve("diversions"), admin.resolve("diversions"));
        }
        try (Stream<Path> lists = Files.list(host.resolve("info"))) {
            for (Path list : lists.filter(p -> p.getFileName().toString().endsWith(".list")).toList()) {
                Files.copy(list, info.resolve(list.getFileName()));
            }
        }
    }

    private static Command.Outcome dpkg(Path root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("dpkg", "--root=" + root, "--force-script-chrootless",
                "--force-unsafe-io", "--log=" + root.resolve("var/log/dpkg.log")));
        command.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(120), command);
    }

    private static void assertOwned(Path p, int uid, int gid, int mode) throws IOException {
        assertEquals(uid, Files.getAttribute(p, "unix:uid"), p + " uid");
        assertEquals(gid, Files.getAttribute(p, "unix:gid"), p + " gid");
        assertEquals(Integer.toOctalString(mode), Integer.toOctalString((int) Files.getAttribute(p, "unix:mode") & 07777), p + " mode");
    }

    record Entry(String mode, String owner, String link) {
    }

    /** dpkg-deb --contents: path (without the leading '.') to mode, owner and link target. */
    private static Map<String, Entry> contents(Path deb) throws Exception {
        Map<String, Entry> files = new LinkedHashMap<>();
        for (String line : Command.run("dpkg-deb", "--contents", deb.toString()).ok().out().lines().toList()) {
            String[] f = line.split("\\s+", 6);
            String rest = f[5];
            int arrow = rest.indexOf(" -> ");
            String path = (arrow < 0 ? rest : rest.substring(0, arrow)).substring(1);
            files.put(path, new Entry(f[0], f[1], arrow < 0 ? null : rest.substring(arrow + 4)));
        }
        return files;
    }

    private static String mode(Map<String, Entry> files, String path) {
        Entry e = files.get(path);
        assertTrue(e != null, "not in the package: " + path);
        return e.mode();
    }

    /** Control fields (first line of each; the Description's continuation lines are dropped). */
    private static Map<String, String> fields(String control) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : control.lines().toList()) {
            int colon = line.indexOf(':');
            if (!line.startsWith(" ") && colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /** What of the host a real install would have touched. */
    private record HostState(boolean user, boolean share, boolean etc, boolean units, boolean installed) {

        static HostState now() throws Exception {
            boolean user = Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("eastwatch:"));
            Command.Outcome q = Command.run("dpkg-query", "-W", "-f=${Status}", "eastwatch");
            return new HostState(user, Files.exists(Path.of("/usr/share/eastwatch")), Files.exists(Path.of("/etc/eastwatch")),
                    Files.exists(Path.of("/usr/lib/systemd/system/eastwatch-agent.service")),
                    q.status() == 0 && q.out().contains("installed"));
        }
    }
}
