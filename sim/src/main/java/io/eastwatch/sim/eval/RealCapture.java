package io.eastwatch.sim.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One row of the real-capture ground truth (resource {@code real-captures.tsv}, from PROVENANCE.md). */
public record RealCapture(String file, String actor, Kind kind, String what) {

    public enum Kind {
        /** The actor must be flagged by a baseline-free detector. */
        SCAN, BRUTEFORCE,
        /** Nobody may be flagged by a baseline-free detector. */
        NEGATIVE,
        /** Reported only. */
        LATERAL,
        /** No IP traffic: not applicable. */
        L2;

        public boolean scored() {
            return this == SCAN || this == BRUTEFORCE || this == NEGATIVE;
        }
    }

    public static List<RealCapture> load() throws IOException {
        List<RealCapture> out = new ArrayList<>();
        try (InputStream in = RealCapture.class.getResourceAsStream("real-captures.tsv")) {
            if (in == null) {
                throw new IOException("resource real-captures.tsv missing");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length != 4) {
                    throw new IOException("real-captures.tsv: expected 4 tab-separated fields: " + line);
                }
                out.add(new RealCapture(f[0], f[1], Kind.valueOf(f[2].toUpperCase(Locale.ROOT)), f[3]));
            }
        }
        return out;
    }
}
