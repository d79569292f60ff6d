package io.eastwatch.launcher;

import io.eastwatch.daemon.ExitStatus;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A subcommand implemented by a class in another module, found by name at run time so that the
 * launcher builds and its other commands work while that module is absent.
 *
 * <p>Contract for the implementing class (first match wins):
 * <ol>
 *   <li>{@code public static int run(String[] args, PrintStream out, PrintStream err)}</li>
 *   <li>{@code public static int run(String[] args)}</li>
 *   <li>{@code public static void main(String[] args)} (returning means status 0)</li>
 * </ol>
 * It parses its own options strictly (e.g. with {@link io.eastwatch.daemon.CommandLine}) and
 * signals bad usage or configuration by throwing {@link io.eastwatch.daemon.UsageException} or
 * {@link io.eastwatch.daemon.config.ConfigException} (status 2); any other exception is status 1.
 */
final class DelegatedSubcommand implements Subcommand {

    private final String name;
    private final String summary;
    private final String help;
    private final String className;

    DelegatedSubcommand(String name, String summary, String help, String className) {
        this.name = name;
        this.summary = summary;
        this.help = help;
        this.className = className;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return summary;
    }

    @Override
    public String help() {
        return help;
    }

    /** The implementing class, or null when this build does not contain it. */
    Class<?> implementation() {
        try {
            return Class.forName(className, false, DelegatedSubcommand.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Class<?> impl = implementation();
        if (impl == null) {
            boolean helpOnly = args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"));
            if (helpOnly) {
                out.print(help);
                out.println("(not available in this build: " + className + " is missing)");
                return ExitStatus.OK;
            }
            err.println("eastwatch " + name + ": not available in this build (" + className + " is missing)");
            return ExitStatus.RUNTIME_FAILURE;
        }
        try {
            Method m = find(impl, "run", int.class, String[].class, PrintStream.class, PrintStream.class);
            if (m != null) {
                return (Integer) m.invoke(null, args, out, err);
            }
            m = find(impl, "run", int.class, String[].class);
            if (m != null) {
                return (Integer) m.invoke(null, (Object) args);
            }
            m = find(impl, "main", void.class, String[].class);
            if (m != null) {
                m.invoke(null, (Object) args);
                return ExitStatus.OK;
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
        err.println("eastwatch " + name + ": " + className + " has no static run(String[]) or main(String[]) entry point");
        return ExitStatus.RUNTIME_FAILURE;
    }

    private static Method find(Class<?> c, String name, Class<?> returns, Class<?>... params) {
        try {
            Method m = c.getMethod(name, params);
            return Modifier.isStatic(m.getModifiers()) && m.getReturnType() == returns ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
