package io.eastwatch.agent.capture;

import java.io.IOException;

/** A source of captured packets: a capture file or live interfaces. */
public interface PacketSource extends AutoCloseable {

    /**
     * Delivers packets to {@code handler} until the source is exhausted (a file) or
     * {@link #close()} is called (live capture). Runs on the caller's thread.
     */
    void run(PacketHandler handler) throws IOException;

    /** Name of the capture interface with the given id ("file" for offline sources). */
    String interfaceName(int interfaceId);

    /** Stops {@link #run} and releases the capture. Safe to call from another thread. */
    @Override
    void close();
}
