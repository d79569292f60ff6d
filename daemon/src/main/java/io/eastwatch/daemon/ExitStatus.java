package io.eastwatch.daemon;

/** The launcher's exit statuses (DESIGN.md, "Command line"). */
public final class ExitStatus {

    /** Finished normally. */
    public static final int OK = 0;
    /** Failed while running (I/O, broker, capture permission): retrying later may help. */
    public static final int RUNTIME_FAILURE = 1;
    /** Bad usage or configuration: the message names the option or key; retrying cannot help. */
    public static final int USAGE = 2;

    private ExitStatus() {
    }
}
