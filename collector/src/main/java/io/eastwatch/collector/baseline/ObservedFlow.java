package io.eastwatch.collector.baseline;

import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;

/**
 * A flow record digested once for the baseline and every detector: who initiated it, what it was
 * aimed at, and whether the attempt succeeded. Only attempts the source demonstrably initiated
 * count as its behaviour: a SYN for TCP, the first packet of an echo request or UDP exchange, or a
 * TCP packet no legitimate stack sends first (NULL, FIN, XMAS, a lone ACK). SYN-ACK and RST answers
 * to spoofed packets (backscatter) are therefore never the source's attempts.
 */
public final class ObservedFlow {

    /** How an initiated attempt ended, as evidence for the scan test. */
    public enum Attempt {
        /** Not an attempt of the source (answer, mid-stream, interim of a known conversation). */
        NONE,
        SUCCESS,
        FAILURE,
        /** A probe no benign stack sends (TCP NULL / FIN / XMAS): as strong as a darknet hit. */
        STEALTH_PROBE
    }

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;

    public final FlowRecord record;
    public final Endpoint src;
    public final Endpoint dst;
    public final int protocol;
    /** TCP/UDP destination port, or the ICMP type for ICMP. */
    public final int port;
    public final long firstUs;
    public final long lastUs;
    public final long bytes;
    public final boolean finalReport;
    public final Attempt attempt;
    /** Peer identity for edges: a workload, host (any container host), external; null if unresolved. */
    public final String peerKey;
    /** Destination address+port+protocol folded into one long (novelty sets). */
    public final long destinationHash;
    public final long addressHash;

    private ObservedFlow(FlowRecord r, EdgeKeys keys) {
        this.record = r;
        this.src = r.getSrc();
        this.dst = r.getDst();
        this.protocol = r.getProtocol();
        this.port = (protocol == ICMP || protocol == ICMPV6) ? r.getIcmpType() : r.getDstPort();
        this.firstUs = r.getFirstTsUs();
        this.lastUs = Math.max(r.getLastTsUs(), r.getFirstTsUs());
        this.bytes = r.getBytesFwd() + r.getBytesRev();
        this.finalReport = r.getReport() != ReportKind.INTERIM;
        this.attempt = classify(r);
        this.peerKey = peerKey(dst, r);
        if (keys != null && peerKey != null) {
            this.edgeKey = keys.key(peerKey, port, protocol);
        }
        this.addressHash = hash(r.getDstAddr());
        this.destinationHash = addressHash * 31 + ((long) protocol << 16 | port);
    }

    public static ObservedFlow of(FlowRecord r) {
        return new ObservedFlow(r, null);
    }

    /** As {@link #of(FlowRecord)}, with the edge key taken from {@code keys} (one instance per edge). */
    public static ObservedFlow of(FlowRecord r, EdgeKeys keys) {
        return new ObservedFlow(r, keys);
    }

    public boolean sourceIsContainer() {
        return src.getKind() == EndpointKind.CONTAINER && !src.getContainerId().isEmpty();
    }

    public String sourceWorkload() {
        return workloadOf(src);
    }

    private String edgeKey;

    /** peer|port|protocol, built once per flow. */
    public String edgeKey() {
        String k = edgeKey;
        if (k == null) {
            k = EdgeKeys.build(peerKey, port, protocol);
            edgeKey = k;
        }
        return k;
    }

    public boolean dstIsContainer() {
        return dst.getKind() == EndpointKind.CONTAINER;
    }

    public String dstWorkload() {
        return dst.getKind() == EndpointKind.CONTAINER ? workloadOf(dst) : null;
    }

    public long durationUs() {
        return lastUs - firstUs;
    }

    /** The workload of a container endpoint; the image repository when the resolver gave none. */
    public static String workloadOf(Endpoint e) {
        if (!e.getWorkload().isEmpty()) {
            return e.getWorkload();
        }
        String image = e.getImage();
        int colon = image.lastIndexOf(':');
        if (colon > image.lastIndexOf('/')) {
            image = image.substring(0, colon);
        }
        return image.isEmpty() ? "container:" + e.getContainerId() : image;
    }

    private static String peerKey(Endpoint dst, FlowRecord r) {
        switch (dst.getKind()) {
            case CONTAINER:
                return workloadOf(dst);
            case HOST:
                // Container hosts are interchangeable infrastructure: a node added by autoscaling is not a new peer.
                return "host";
            case EXTERNAL:
                return "external";
            default:
                return null;
        }
    }

    private static Attempt classify(FlowRecord r) {
        int proto = r.getProtocol();
        Outcome outcome = r.getOutcome();
        if (proto == TCP) {
            int fwd = r.getTcpFlagsFwd();
            if (r.getInitiatorBasis() == InitiatorBasis.SYN) {
                switch (outcome) {
                    case ESTABLISHED:
                        return Attempt.SUCCESS;
                    case REJECTED:
                    case UNANSWERED:
                    case ICMP_UNREACHABLE:
                        return Attempt.FAILURE;
                    default:
                        return Attempt.NONE;
                }
            }
            if (r.getPacketsFwd() == 0) {
                return Attempt.NONE;
            }
            boolean syn = (fwd & 0x02) != 0;
            boolean ack = (fwd & 0x10) != 0;
            boolean rst = (fwd & 0x04) != 0;
            if (!syn && !ack && !rst) {
                return Attempt.STEALTH_PROBE;
            }
            boolean revRstOnly = r.getPacketsRev() == 0 || (r.getTcpFlagsRev() & 0x04) != 0 && r.getBytesRev() <= 80L * r.getPacketsRev();
            if (!syn && !rst && ack && (fwd & ~0x10) == 0 && r.getPacketsFwd() <= 2 && r.getBytesRev() <= 80L * Math.max(1, r.getPacketsRev()) && revRstOnly) {
                // A lone ACK answered by RST (or nothing): an ACK host-discovery probe.
                return Attempt.FAILURE;
            }
            return Attempt.NONE;
        }
        if (r.getInitiatorBasis() != InitiatorBasis.FIRST_PACKET && r.getInitiatorBasis() != InitiatorBasis.INITIATOR_BASIS_UNSPECIFIED) {
            return Attempt.NONE;
        }
        if (proto == ICMP || proto == ICMPV6) {
            int echo = proto == ICMP ? 8 : 128;
            if (r.getIcmpType() != echo) {
                return Attempt.NONE;
            }
        } else if (proto != UDP) {
            return Attempt.NONE;
        } else if (r.getSrcPort() < 1024 && r.getDstPort() >= 1024) {
            // From a service port to an ephemeral one: an answer (DNS, NTP) whose request the capture
            // missed, not something the sender initiated.
            return Attempt.NONE;
        }
        switch (outcome) {
            case ESTABLISHED:
                return Attempt.SUCCESS;
            case UNANSWERED:
            case ICMP_UNREACHABLE:
            case REJECTED:
                return Attempt.FAILURE;
            default:
                return Attempt.NONE;
        }
    }

    /** The same value as {@link #hash(byte[])}, read in place (no copy of the address per flow). */
    static long hash(com.google.protobuf.ByteString b) {
        long h = 1125899906842597L;
        for (int i = 0, n = b.size(); i < n; i++) {
            h = 31 * h + (b.byteAt(i) & 0xff);
        }
        return h;
    }

    static long hash(byte[] b) {
        long h = 1125899906842597L;
        for (byte x : b) {
            h = 31 * h + (x & 0xff);
        }
        return h;
    }
}
