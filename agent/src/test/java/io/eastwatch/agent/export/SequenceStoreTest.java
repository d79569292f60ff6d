package io.eastwatch.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {

    @TempDir
    Path dir;

    @Test
    void cleanRestartContinuesWithoutAGap() {
        try (SequenceStore s = new SequenceStore(dir, 100)) {
            for (int i = 0; i < 250; i++) {
                s.nextSequence();
            }
            s.takePartition(2);
            s.takePartition(2);
            assertEquals(0, s.lastPartition(0));
            assertEquals(2, s.lastPartition(2));
        }
        try (SequenceStore s = new SequenceStore(dir, 100)) {
            assertEquals(251, s.nextSequence());
            assertEquals(3, s.peekPartition(2));
            assertEquals(1, s.peekPartition(7));
        }
    }

    @Test
    void crashResumesPastTheReservedBlockAndNeverRepeatsANumber() throws IOException {
        SequenceStore crashed = new SequenceStore(dir, 100);
        for (int i = 0; i < 150; i++) {
            crashed.nextSequence();
        }
        crashed.takePartition(0);
        // No close(): the state file is what a kill -9 leaves behind.
        Path copy = Files.createDirectories(dir.resolve("after-crash"));
        Files.copy(dir.resolve("sequence.properties"), copy.resolve("sequence.properties"));
        try (SequenceStore s = new SequenceStore(copy, 100)) {
            long next = s.nextSequence();
            assertTrue(next > 150 && next <= 201, "resumed at " + next);
            assertEquals(101, s.peekPartition(0));
        }
    }

    @Test
    void corruptStateNamesTheKey() throws IOException {
        Files.writeString(dir.resolve("sequence.properties"), "clean=true\nsequence.last=banana\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SequenceStore(dir, 100));
        assertTrue(e.getMessage().contains("sequence.last=banana"), e.getMessage());
    }
}
