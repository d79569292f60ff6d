package io.eastwatch.agent.capture;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import org.pcap4j.core.PcapHandle;

/**
 * The few libpcap and libc calls of the per-packet path, bound through JNA direct mapping. pcap4j
 * opens, filters and closes the handle; its own per-packet API allocates native memory and Java
 * objects for every packet, so the capture loop calls {@code pcap_next_ex} itself on the same
 * {@code pcap_t}. Direct-mapped calls with {@link Pointer} and primitive arguments allocate
 * nothing.
 */
final class NativePcap {

    /** {@code struct pcap_pkthdr} on LP64 Linux: timeval (2 x 8), caplen (4), len (4). */
    static final int PKTHDR_BYTES = 24;
    /** {@code struct pcap_stat}: ps_recv, ps_drop, ps_ifdrop (unsigned ints). */
    static final int STAT_BYTES = 12;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_BYTES = 8;
    static final short POLLIN = 0x1;

    private static final Field HANDLE_FIELD;
    private static final sun.misc.Unsafe UNSAFE;
    private static final long BYTE_ARRAY_BASE;

    static {
        Native.register(Pcap.class, NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
        Native.register(Libc.class, NativeLibrary.getInstance("c"));
        try {
            HANDLE_FIELD = PcapHandle.class.getDeclaredField("handle");
            HANDLE_FIELD.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("pcap4j PcapHandle has no native handle field: " + e);
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = (sun.misc.Unsafe) f.get(null);
            BYTE_ARRAY_BASE = UNSAFE.arrayBaseOffset(byte[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("no sun.misc.Unsafe (jdk.unsupported): " + e);
        }
    }

    // Reading what pcap_next_ex points at. JNA's Pointer reads are a JNI call each (three per
    // packet: the two output pointers, the header, the bytes), which cost more than libpcap's own
    // work per packet; these are plain loads and one memcpy, compiled inline. The addresses come
    // from libpcap and are valid until the next pcap_next_ex on the same handle.

    static long getLong(long address) {
        return UNSAFE.getLong(address);
    }

    static int getInt(long address) {
        return UNSAFE.getInt(address);
    }

    /** Copies {@code n} bytes from native memory at {@code address} into {@code dst[0..n)}. */
    static void copy(long address, byte[] dst, int n) {
        if (n < 0 || n > dst.length) {
            throw new IndexOutOfBoundsException("n: " + n + " (expected: 0.." + dst.length + ")");
        }
        UNSAFE.copyMemory(null, address, dst, BYTE_ARRAY_BASE, n);
    }

    private NativePcap() {
    }

    /** The {@code pcap_t *} pcap4j opened. pcap4j 1.8.2 keeps it in a private field. */
    static Pointer pcapT(PcapHandle handle) {
        try {
            return (Pointer) HANDLE_FIELD.get(handle);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read pcap4j's native handle", e);
        }
    }

    static final class Pcap {
        private Pcap() {
        }

        /**
         * 1 packet read, 0 none ready (non-blocking), -1 error, -2 no more packets. Addresses as
         * {@code long}: JNA passes primitives straight through, where each {@link Pointer}
         * argument costs a JNI field read per call.
         */
        static native int pcap_next_ex(long p, long pktHeaderOut, long pktDataOut);

        static native int pcap_get_selectable_fd(Pointer p);

        static native int pcap_stats(Pointer p, Pointer stat);

        static native String pcap_geterr(Pointer p);
    }

    static final class Libc {
        private Libc() {
        }

        static native int poll(Pointer fds, int nfds, int timeoutMillis);
    }
}
