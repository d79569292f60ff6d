package io.eastwatch.bench;

import com.google.protobuf.ByteString;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;
import java.util.SplittableRandom;

/**
 * A deterministic stream of flow records for collector benchmarks: {@code workloads} workloads of
 * {@code replicas} containers each, every workload calling 3 to 6 peer workloads on their service
 * port, with load-balanced replica choice, a few failures, and event time advancing steadily.
 * Built in memory (no pcap, no agent) so the benchmark measures the collector alone.
 */
final class SyntheticFlows {
    final int workloads;
    final int replicas;
    final int[][] peers;
    final int[] servicePort;
    private final Endpoint[] endpoints;
    private final byte[][] ips;

    SyntheticFlows(int workloads, int replicas, long seed) {
        this.workloads = workloads;
        this.replicas = replicas;
        SplittableRandom r = new SplittableRandom(seed);
        peers = new int[workloads][];
        servicePort = new int[workloads];
        int[] ports = {80, 443, 8080, 5432, 6379, 3306, 9092, 27017, 11211, 9200};
        for (int w = 0; w < workloads; w++) {
            servicePort[w] = ports[w % ports.length];
            int n = 3 + r.nextInt(4);
            peers[w] = new int[n];
            for (int i = 0; i < n; i++) {
                peers[w][i] = r.nextInt(workloads);
            }
        }
        endpoints = new Endpoint[workloads * replicas];
        ips = new byte[workloads * replicas][];
        for (int c = 0; c < endpoints.length; c++) {
            int w = c / replicas;
            String id = String.format("%064x", c * 2654435761L + 12345);
            endpoints[c] = Endpoint.newBuilder().setKind(EndpointKind.CONTAINER).setContainerId(id)
                    .setName("wl" + w + "-" + (c % replicas)).setWorkload("bench/wl" + w)
                    .setImage("registry.local/bench/wl" + w + ":1").setHost("node-" + (c % 40)).build();
            ips[c] = new byte[] {10, (byte) (c >> 16), (byte) (c >> 8), (byte) c};
        }
    }

    int containers() {
        return endpoints.length;
    }

    /** {@code n} normal flows starting at {@code startUs}, {@code gapUs} apart. */
    FlowRecord[] normal(int n, long startUs, long gapUs, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        FlowRecord[] out = new FlowRecord[n];
        for (int i = 0; i < n; i++) {
            int src = r.nextInt(endpoints.length);
            int w = src / replicas;
            int pw = peers[w][r.nextInt(peers[w].length)];
            int dst = pw * replicas + r.nextInt(replicas);
            long ts = startUs + i * gapUs;
            boolean fail = r.nextInt(1000) == 0;
            out[i] = flow(src, dst, 32768 + r.nextInt(28000), servicePort[pw], ts, fail ? Outcome.REJECTED : Outcome.ESTABLISHED,
                    i);
        }
        return out;
    }

    /** A vertical scan from container {@code src} of {@code ports} ports on container {@code dst}. */
    FlowRecord[] scan(int src, int dst, int ports, long startUs, long gapUs) {
        FlowRecord[] out = new FlowRecord[ports];
        for (int i = 0; i < ports; i++) {
            out[i] = flow(src, dst, 40000 + i, 1 + i * 7 % 65000, startUs + i * gapUs, Outcome.UNANSWERED, i);
        }
        return out;
    }

    /** A Community ID-shaped key ("1:" + 20 bytes in base64) unique to the flow's 5-tuple and start. */
    static String communityId(FlowRecord f) {
        long h = f.getFirstTsUs() * 0x9E3779B97F4A7C15L ^ f.getSrcPort() * 31L + f.getDstPort()
                ^ f.getSrcAddr().hashCode() * 1_000_003L ^ (long) f.getDstAddr().hashCode() << 32;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20);
        b.putLong(h).putLong(Long.rotateLeft(h, 29) * 0xBF58476D1CE4E5B9L).putInt((int) (h >>> 17));
        return "1:" + java.util.Base64.getEncoder().encodeToString(b.array());
    }

    FlowRecord flow(int src, int dst, int sport, int dport, long ts, Outcome outcome, long seq) {
        boolean ok = outcome == Outcome.ESTABLISHED;
        return FlowRecord.newBuilder().setAgentId("bench-agent-" + (src % 40)).setHost("node-" + (src % 40))
                .setSequence(seq).setFirstTsUs(ts).setLastTsUs(ts + (ok ? 20_000 : 0))
                .setSrcAddr(ByteString.copyFrom(ips[src])).setDstAddr(ByteString.copyFrom(ips[dst]))
                .setSrcPort(sport).setDstPort(dport).setProtocol(6)
                .setPacketsFwd(ok ? 6 : 1).setBytesFwd(ok ? 900 : 60).setPacketsRev(ok ? 5 : outcome == Outcome.REJECTED ? 1 : 0)
                .setBytesRev(ok ? 4000 : outcome == Outcome.REJECTED ? 54 : 0)
                .setTcpFlagsFwd(ok ? 0x1b : 0x02).setTcpFlagsRev(ok ? 0x1b : outcome == Outcome.REJECTED ? 0x14 : 0)
                .setOutcome(outcome).setReport(ReportKind.FINAL).setInitiatorBasis(InitiatorBasis.SYN)
                .setEndReason(ok ? EndReason.END_FIN : outcome == Outcome.REJECTED ? EndReason.END_RST
                        : EndReason.END_UNANSWERED_TIMEOUT)
                .setSrc(endpoints[src]).setDst(endpoints[dst]).build();
    }
}
