package io.eastwatch.launcher;

import java.io.PrintStream;

/** One {@code eastwatch <name>} command. */
interface Subcommand {

    String name();

    /** One line for the top-level help. */
    String summary();

    /** The full {@code --help} text. */
    String help();

    /**
     * Runs the command. Throws {@link io.eastwatch.daemon.UsageException} or
     * {@link io.eastwatch.daemon.config.ConfigException} for exit status 2; any other exception
     * is a runtime failure (status 1).
     */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
