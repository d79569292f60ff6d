package io.eastwatch.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one external command to completion, its output kept in files (no pipe can fill up). */
final class Command {

    record Outcome(List<String> command, int status, String out, String err) {

        /** Asserts exit status 0 and returns this, for chaining. */
        Outcome ok() {
            assertEquals(0, status, this::toString);
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private Command() {
    }

    static Outcome run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ewt-packaging-", ".out");
        Path err = Files.createTempFile("ewt-packaging-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            // dpkg wants ldconfig and start-stop-daemon on the PATH, which a test JVM may lack
            String path = pb.environment().getOrDefault("PATH", "/usr/bin:/bin");
            if (!(":" + path + ":").contains(":/usr/sbin:")) {
                pb.environment().put("PATH", path + ":/usr/local/sbin:/usr/sbin:/sbin");
            }
            Process p = pb
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                fail(String.join(" ", command) + ": still running after " + timeout
                        + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
            }
            return new Outcome(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Outcome run(String... command) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(120), List.of(command));
    }
}
