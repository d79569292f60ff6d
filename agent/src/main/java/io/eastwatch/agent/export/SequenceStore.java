package io.eastwatch.agent.export;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's record numbering, kept across restarts: {@code sequence} over all records and
 * {@code partition_sequence} per Kafka partition, both starting at 1 (0 means "none yet").
 *
 * <p>Writing the state file for every record would cost a file write per flow, so numbers are
 * reserved in blocks (the idea of a hi/lo allocator): the file records, per counter, a limit up to
 * which numbers may have been handed out, and is rewritten only when a block runs out. A clean
 * {@link #close()} stores the exact next numbers, so a restart continues without a gap. After a
 * crash, numbering resumes at the reserved limits: a number is never handed out twice, and the
 * gap (at most one block per counter) tells the collector that records may have been lost, which
 * is true: records that were still in memory were.
 *
 * <p>Not thread-safe: the exporter thread owns it.
 */
final class SequenceStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SequenceStore.class);
    private static final String FILE = "sequence.properties";

    private final Path file;
    private final long block;
    private long lastSequence;
    private long reservedSequence;
    private long[] lastPartition = new long[0];
    private long[] reservedPartition = new long[0];

    SequenceStore(Path stateDir, long block) {
        this.file = stateDir.resolve(FILE);
        this.block = block;
        try {
            Files.createDirectories(stateDir);
            load();
            save(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open sequence state " + file, e);
        }
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        boolean clean = Boolean.parseBoolean(p.getProperty("clean", "false"));
        // After a clean close the exact values are stored; otherwise continue past the reservations.
        String suffix = clean ? ".last" : ".reserved";
        lastSequence = parse(p, "sequence" + suffix);
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("partition.") && name.endsWith(suffix)) {
                int partition = Integer.parseInt(name.substring("partition.".length(), name.length() - suffix.length()));
                ensurePartitions(partition + 1);
                lastPartition[partition] = parse(p, name);
            }
        }
        reservedSequence = lastSequence;
        System.arraycopy(lastPartition, 0, reservedPartition, 0, lastPartition.length);
        if (!clean) {
            log.warn("agent did not stop cleanly last time: record numbering resumes at {} (records still in memory then were lost)",
                lastSequence + 1);
        }
    }

    private static long parse(Properties p, String key) {
        String v = p.getProperty(key, "0");
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("corrupt sequence state: " + key + "=" + v
                + " (expected: a number >= 0); fix or remove the file to restart numbering", e);
        }
    }

    /** The next agent-wide sequence number. */
    long nextSequence() {
        long n = lastSequence + 1;
        if (n > reservedSequence) {
            reservedSequence = n - 1 + block;
            saveQuietly();
        }
        lastSequence = n;
        return n;
    }

    /** The number the next record to {@code partition} would get, without handing it out. */
    long peekPartition(int partition) {
        ensurePartitions(partition + 1);
        return lastPartition[partition] + 1;
    }

    /** Hands out the number returned by {@link #peekPartition} (call once the record was handed to Kafka). */
    void takePartition(int partition) {
        long n = peekPartition(partition);
        if (n > reservedPartition[partition]) {
            reservedPartition[partition] = n - 1 + block;
            saveQuietly();
        }
        lastPartition[partition] = n;
    }

    /** The last number handed out for {@code partition}, 0 if none. */
    long lastPartition(int partition) {
        return partition < lastPartition.length ? lastPartition[partition] : 0;
    }

    long lastSequence() {
        return lastSequence;
    }

    @Override
    public void close() {
        try {
            save(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store sequence state " + file, e);
        }
    }

    private void ensurePartitions(int n) {
        if (lastPartition.length < n) {
            lastPartition = Arrays.copyOf(lastPartition, n);
            reservedPartition = Arrays.copyOf(reservedPartition, n);
        }
    }

    private void saveQuietly() {
        try {
            save(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store sequence state " + file, e);
        }
    }

    private void save(boolean clean) throws IOException {
        Properties p = new Properties();
        p.setProperty("clean", Boolean.toString(clean));
        p.setProperty("sequence.last", Long.toString(lastSequence));
        p.setProperty("sequence.reserved", Long.toString(Math.max(reservedSequence, lastSequence)));
        for (int i = 0; i < lastPartition.length; i++) {
            p.setProperty("partition." + i + ".last", Long.toString(lastPartition[i]));
            p.setProperty("partition." + i + ".reserved", Long.toString(Math.max(reservedPartition[i], lastPartition[i])));
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "eastwatch agent record numbering; *.reserved is where numbering resumes after a crash");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
