package io.eastwatch.launcher;

import io.eastwatch.agent.AgentApp;
import io.eastwatch.agent.AgentConfig;
import io.eastwatch.daemon.CommandLine;
import io.eastwatch.daemon.ExitStatus;
import io.eastwatch.daemon.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code eastwatch agent}: the host daemon, or a one-shot run over a capture file. */
final class AgentSubcommand implements Subcommand {

    private final CommandLine cli = new CommandLine("eastwatch agent")
            .option("config", "FILE", "YAML configuration (keys: docs/config-agent.md)")
            .option("pcap", "FILE", "read this pcap/pcapng file instead of live interfaces, then exit")
            .option("output", "MODE", "kafka (default), json (one flow record per line on stdout) or count (totals only)")
            .option("inventory", "FILE", "container inventory file for identity (DESIGN.md format)")
            .flag("check", "validate the configuration, print the effective values and exit");

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public String summary() {
        return "capture container traffic and export flow records (daemon, or --pcap FILE)";
    }

    @Override
    public String help() {
        return """
                Usage: eastwatch agent --config FILE [--output kafka|json]
                       eastwatch agent --pcap FILE [--config FILE] [--output json|count] [--inventory FILE]

                Captures container east-west traffic (auto-discovered veths and bridges, or the
                configured interfaces), turns it into flow records and sends them to Kafka, or prints
                them as JSON lines with --output json. With --pcap, reads a capture file in event
                time, flushes every flow and exits. Command-line options override the file.
                SIGTERM stops it gracefully: capture stops, flows are flushed and sent.

                """ + cli.optionsHelp();
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> o = cli.parse(args);
        if (o.containsKey("help")) {
            out.print(help());
            return ExitStatus.OK;
        }
        if (!o.containsKey("config") && !o.containsKey("pcap")) {
            throw new UsageException("eastwatch agent: give --config FILE (daemon) or --pcap FILE (see --help)");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        if (o.containsKey("pcap")) {
            overrides.put("capture.file", o.get("pcap"));
            if (!o.containsKey("config")) {
                // a one-shot file run must not clash with the host's agent on the ops port
                overrides.put("ops.enabled", "false");
            }
        }
        if (o.containsKey("output")) {
            overrides.put("output", o.get("output"));
        }
        if (o.containsKey("inventory")) {
            overrides.put("identity.inventory.file", o.get("inventory"));
        }
        Path config = o.containsKey("config") ? Path.of(o.get("config")) : null;
        AgentConfig cfg = AgentConfig.load(config, overrides);
        if (o.containsKey("check")) {
            cfg.effective().forEach(out::println);
            return ExitStatus.OK;
        }
        try (AgentApp app = AgentApp.create(cfg, out)) {
            Thread hook = new Thread(app::stop, "eastwatch-agent-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                app.run();
            } finally {
                removeHook(hook);
            }
        }
        return ExitStatus.OK;
    }

    /**
     * After a normal end (a file run) the hook is not needed. Returns false when the JVM is
     * already shutting down: the hook is then running or has run, and there is nothing to undo.
     */
    private static boolean removeHook(Thread hook) {
        try {
            return Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }
}
