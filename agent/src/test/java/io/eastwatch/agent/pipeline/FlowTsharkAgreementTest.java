package io.eastwatch.agent.pipeline;

import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.flow.FlowSink;
import io.eastwatch.agent.flow.FlowTableSettings;
import io.eastwatch.flow.v1.FlowRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * For every capture in shared/pcaps benign/ and scans/, the TCP flows the agent exports agree
 * with Wireshark's conversation table ({@code tshark -n -r FILE -q -z conv,tcp}, run here).
 *
 * <p>What "agree" means: tshark counts a conversation once per TCP stream, the agent may split one
 * (idle or unanswered timeouts, a closed connection whose ports are reused) or report interim
 * updates. Only FINAL records are summed, per pair of endpoints (address and port), so splitting
 * cannot change the totals; then both sides must hold the same set of endpoint pairs, the same
 * number of packets in each direction, and bytes (wire length, tshark's frame length) in each
 * direction within the rounding of tshark's "kB" column.
 *
 * <p>No file needs an exception. Two lessons went into the flow table: an ICMP error that quotes a
 * TCP segment (nmap -A's traceroute, the backscatter control's port unreachables) is not a TCP
 * packet for Wireshark, so the table records it as the flow's outcome and icmp_error, not in its
 * packet counts; and sums per endpoint pair make the concatenated captures (kafka, mongodb,
 * ssh_sessions_lan: months of gaps, timestamps going back) comparable although the table splits
 * their conversations at idle timeouts. Timeouts are the defaults on purpose: what is compared is
 * what the agent exports.
 */
class FlowTsharkAgreementTest {

    /** Per endpoint pair: packets and bytes from the lower endpoint to the higher and back. */
    private record Totals(long[] v) {
        Totals() {
            this(new long[4]);
        }
    }

    /**
     * tshark runs in the background, two at a time, while the agent side of earlier files is
     * checked: its start-up (about 0.5 s of dissector registration per run) dominates this test.
     */
    private static final ExecutorService TSHARK = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "tshark-conv");
        t.setDaemon(true);
        return t;
    });
    private static final Map<Path, Future<List<TsharkConversations.Row>>> CONVERSATIONS = new ConcurrentHashMap<>();

    static Stream<Path> captures() throws IOException {
        Path shared = SharedCaptures.root();
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("benign", "scans")) {
            try (Stream<Path> s = Files.list(shared.resolve(dir))) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        assertTrue(files.size() > 40, "expected the shared captures in " + shared);
        for (Path f : files) {
            CONVERSATIONS.computeIfAbsent(f, k -> TSHARK.submit(() -> TsharkConversations.of(k)));
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void tcpFlowsAgreeWithTshark(Path file) throws Exception {
        List<FlowRecord> records = new ArrayList<>();
        FlowSink sink = flow -> records.add(flow.build());
        FlowTableSettings settings = FlowTableSettings.defaults().withMaxFlows(1 << 20);
        FlowFileRunner runner = new FlowFileRunner(settings, PacketDecoder.Settings.defaults(), sink,
                new SimpleMeterRegistry());
        runner.run(file);

        Map<String, Totals> ours = new TreeMap<>();
        for (FlowRecord r : records) {
            if (r.getProtocol() != 6 || r.getReport() != io.eastwatch.flow.v1.ReportKind.FINAL) {
                continue;
            }
            String src = InetAddress.getByAddress(r.getSrcAddr().toByteArray()).getHostAddress() + "/" + r.getSrcPort();
            String dst = InetAddress.getByAddress(r.getDstAddr().toByteArray()).getHostAddress() + "/" + r.getDstPort();
            boolean srcLow = src.compareTo(dst) <= 0;
            Totals t = ours.computeIfAbsent(srcLow ? src + " " + dst : dst + " " + src, k -> new Totals());
            int fwd = srcLow ? 0 : 2;
            int rev = srcLow ? 2 : 0;
            t.v[fwd] += r.getPacketsFwd();
            t.v[fwd + 1] += r.getBytesFwd();
            t.v[rev] += r.getPacketsRev();
            t.v[rev + 1] += r.getBytesRev();
        }

        Map<String, long[]> theirs = new TreeMap<>();
        List<TsharkConversations.Row> rows = CONVERSATIONS.computeIfAbsent(file,
                k -> TSHARK.submit(() -> TsharkConversations.of(k))).get(300, TimeUnit.SECONDS);
        for (TsharkConversations.Row row : rows) {
            boolean aLow = row.a().compareTo(row.b()) <= 0;
            long[] t = theirs.computeIfAbsent(aLow ? row.a() + " " + row.b() : row.b() + " " + row.a(),
                    k -> new long[6]);
            // low->high frames, bytes min, max; then high->low.
            int ab = aLow ? 0 : 3;
            int ba = aLow ? 3 : 0;
            t[ab] += row.framesToB();
            t[ab + 1] += row.bytesToBMin();
            t[ab + 2] += row.bytesToBMax();
            t[ba] += row.framesToA();
            t[ba + 1] += row.bytesToAMin();
            t[ba + 2] += row.bytesToAMax();
        }

        List<String> problems = new ArrayList<>();
        for (String pair : theirs.keySet()) {
            if (!ours.containsKey(pair)) {
                problems.add("missing " + pair + " (tshark " + describe(theirs.get(pair)) + ")");
            }
        }
        for (Map.Entry<String, Totals> e : ours.entrySet()) {
            long[] t = theirs.get(e.getKey());
            long[] o = e.getValue().v;
            if (t == null) {
                problems.add("extra " + e.getKey() + " (ours " + o[0] + "/" + o[1] + " " + o[2] + "/" + o[3] + ")");
                continue;
            }
            boolean ok = o[0] == t[0] && o[2] == t[3]
                    && o[1] >= t[1] && o[1] <= t[2] && o[3] >= t[4] && o[3] <= t[5];
            if (!ok) {
                problems.add(e.getKey() + ": ours " + o[0] + "/" + o[1] + " " + o[2] + "/" + o[3]
                        + ", tshark " + describe(t));
            }
        }
        if (!problems.isEmpty()) {
            fail(file.getFileName() + ": " + problems.size() + " of " + theirs.size()
                    + " conversations disagree:\n  " + String.join("\n  ", problems.subList(0, Math.min(15, problems.size()))));
        }
        assertEquals(theirs.keySet(), ours.keySet());
    }

    private static String describe(long[] t) {
        return t[0] + "/" + (t[1] == t[2] ? String.valueOf(t[1]) : t[1] + ".." + t[2])
                + " " + t[3] + "/" + (t[4] == t[5] ? String.valueOf(t[4]) : t[4] + ".." + t[5]);
    }
}
