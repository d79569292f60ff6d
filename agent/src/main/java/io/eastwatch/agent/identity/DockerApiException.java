package io.eastwatch.agent.identity;

/** The Docker Engine API answered with an error status or could not be reached; a retry may help. */
final class DockerApiException extends RuntimeException {
    DockerApiException(String message) {
        super(message);
    }

    DockerApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
