package io.eastwatch.daemon;

/** The command line is wrong (unknown option, missing value): exit status 2, message to stderr. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
