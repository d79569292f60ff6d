package io.eastwatch.testkit;

import java.io.IOException;
import java.io.OutputStream;

/** Writes everything to two streams: a test keeps what it checks and still shows it as it goes. */
public final class TeeOutputStream extends OutputStream {

    private final OutputStream a;
    private final OutputStream b;

    public TeeOutputStream(OutputStream a, OutputStream b) {
        this.a = a;
        this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
        a.write(c);
        b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
        a.write(buf, off, len);
        b.write(buf, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
        a.flush();
        b.flush();
    }
}
