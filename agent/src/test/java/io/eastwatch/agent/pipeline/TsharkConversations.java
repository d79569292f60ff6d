package io.eastwatch.agent.pipeline;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code tshark -n -r FILE -q -z conv,tcp} and parses its table. Wireshark prints the
 * byte columns with SI units above 10 000 bytes ("3237 kB"), so a byte count is a range.
 */
final class TsharkConversations {

    /** One row: endpoint A (left column), B; frames and bytes B->A ("<-") and A->B ("->"). */
    record Row(String a, String b, long framesToA, long bytesToAMin, long bytesToAMax,
               long framesToB, long bytesToBMin, long bytesToBMax) {
    }

    private static final Pattern ROW = Pattern.compile(
            "^(\\S+)\\s+<->\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(bytes|kB|MB|GB)\\s+(\\d+)\\s+(\\d+)\\s+(bytes|kB|MB|GB)\\s+.*$");

    private TsharkConversations() {
    }

    static List<Row> of(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-q", "-z", "conv,tcp")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark did not finish on " + file);
        }
        if (!out.contains("TCP Conversations")) {
            throw new IOException("tshark printed no conversation table for " + file + ":\n" + out);
        }
        List<Row> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = ROW.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            long[] toA = bytes(Long.parseLong(m.group(4)), m.group(5));
            long[] toB = bytes(Long.parseLong(m.group(7)), m.group(8));
            rows.add(new Row(endpoint(m.group(1)), endpoint(m.group(2)),
                    Long.parseLong(m.group(3)), toA[0], toA[1], Long.parseLong(m.group(6)), toB[0], toB[1]));
        }
        return rows;
    }

    /** "10.0.0.1:80" or "2001:db8::1:80" (the port follows the last colon) in canonical form. */
    static String endpoint(String s) throws IOException {
        int colon = s.lastIndexOf(':');
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        return InetAddress.getByName(host).getHostAddress() + "/" + Integer.parseInt(port);
    }

    private static long[] bytes(long value, String unit) {
        long scale = switch (unit) {
            case "bytes" -> 1;
            case "kB" -> 1_000;
            case "MB" -> 1_000_000;
            default -> 1_000_000_000;
        };
        if (scale == 1) {
            return new long[] {value, value};
        }
        return new long[] {(value - 1) * scale, (value + 1) * scale};
    }
}
