package io.eastwatch.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for one subcommand's options: {@code --name value}, {@code --name=value} and
 * flags. Anything not declared (an unknown option, a stray argument, an option given twice, a
 * missing value) is a {@link UsageException} that names it, so a typo never runs a daemon with a
 * setting silently ignored.
 */
public final class CommandLine {

    private record Option(String name, String valueName, String help) {
        boolean flag() {
            return valueName == null;
        }
    }

    private final String command;
    private final Map<String, Option> options = new LinkedHashMap<>();

    /** @param command the subcommand's name for messages ({@code "eastwatch agent"}) */
    public CommandLine(String command) {
        this.command = command;
        flag("help", "print this help and exit");
    }

    /** Declares {@code --name VALUE}. */
    public CommandLine option(String name, String valueName, String help) {
        options.put(name, new Option(name, valueName, help));
        return this;
    }

    /** Declares the flag {@code --name}. */
    public CommandLine flag(String name, String help) {
        options.put(name, new Option(name, null, help));
        return this;
    }

    /** The parsed options: names without {@code --}; flags map to {@code "true"}. */
    public Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h")) {
                a = "--help";
            }
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException(command + ": unexpected argument '" + a + "' (options start with --; see --help)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option o = options.get(name);
            if (o == null) {
                throw new UsageException(command + ": unknown option --" + name + " (see --help)");
            }
            if (o.flag()) {
                if (value != null) {
                    throw new UsageException(command + ": option --" + name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(command + ": option --" + name + " needs a value " + o.valueName());
                }
                value = args[++i];
            }
            if (out.put(name, value) != null) {
                throw new UsageException(command + ": option --" + name + " given twice");
            }
        }
        return out;
    }

    /** The options' help lines, aligned. */
    public String optionsHelp() {
        List<String[]> rows = new ArrayList<>();
        int width = 0;
        for (Option o : options.values()) {
            String left = "--" + o.name() + (o.flag() ? "" : " " + o.valueName());
            width = Math.max(width, left.length());
            rows.add(new String[] {left, o.help()});
        }
        StringBuilder sb = new StringBuilder("Options:\n");
        for (String[] r : rows) {
            sb.append("  ").append(r[0]).append(" ".repeat(width - r[0].length() + 2)).append(r[1]).append('\n');
        }
        return sb.toString();
    }
}
