package io.eastwatch.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code eastwatch agent --pcap FILE --output json} over real captures, in-process. */
class AgentPcapJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Path pcaps() {
        Path shared = Path.of(System.getProperty("eastwatch.shared", "../shared"));
        Path p = shared.resolve("pcaps");
        assertTrue(Files.isDirectory(p), "shared captures missing at " + p.toAbsolutePath());
        return p;
    }

    private static List<JsonNode> flows(Path capture) throws Exception {
        MainTest.Outcome r = MainTest.launch("agent", "--pcap", capture.toString(), "--output", "json");
        assertEquals(0, r.status(), r.err());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Test
    void portScanGivesOneUnansweredFlowPerPortNumberedInOrder() throws Exception {
        List<JsonNode> flows = flows(pcaps().resolve("scans/port_scan_10ports.pcap"));
        assertEquals(10, flows.size());
        Set<Integer> ports = new TreeSet<>();
        for (int i = 0; i < flows.size(); i++) {
            JsonNode f = flows.get(i);
            assertEquals(i + 1, f.get("sequence").asLong(), "sequence numbers 1..n in output order");
            assertTrue(f.hasNonNull("agentId") && !f.get("agentId").asText().isEmpty());
            assertEquals(6, f.get("protocol").asInt());
            assertEquals("UNANSWERED", f.get("outcome").asText());
            ports.add(f.get("dstPort").asInt());
        }
        assertEquals(new TreeSet<>(List.of(21, 22, 23, 111, 113, 135, 143, 445, 554, 995)), ports);
    }

    /** Every TCP packet tshark counts in a container capture is in exactly one final flow report. */
    @Test
    void tcpPacketTotalsAgreeWithTshark() throws Exception {
        Path capture = pcaps().resolve("benign/docker_app_postgres.pcap");
        long packets = 0;
        for (JsonNode f : flows(capture)) {
            if (f.get("protocol").asInt() == 6 && "FINAL".equals(f.get("report").asText())) {
                packets += f.path("packetsFwd").asLong() + f.path("packetsRev").asLong();
            }
        }
        assertEquals(tsharkTcpFrames(capture), packets);
    }

    private static long tsharkTcpFrames(Path capture) throws Exception {
        Process p = new ProcessBuilder("tshark", "-n", "-r", capture.toString(), "-q", "-z", "conv,tcp")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // "a:p <-> b:q   0 0 bytes   1 78 bytes   1 78 bytes ..." : the third frame count is the total
        Pattern row = Pattern.compile("<->\\s+\\S+\\s+\\d+\\s+\\S+(?: \\S+)?\\s+\\d+\\s+\\S+(?: \\S+)?\\s+(\\d+)\\s");
        long total = 0;
        int rows = 0;
        for (String line : out.split("\n")) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                total += Long.parseLong(m.group(1));
                rows++;
            }
        }
        assertTrue(rows > 0, "tshark printed no TCP conversation:\n" + out);
        return total;
    }
}
