package io.eastwatch.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.eastwatch.flow.compat.OlderFlowRecord;
import io.eastwatch.flow.v1.AgentHeartbeat;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.Endpoint;
import io.eastwatch.flow.v1.EndpointKind;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static ByteString addr(int... b) {
        byte[] raw = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            raw[i] = (byte) b[i];
        }
        return ByteString.copyFrom(raw);
    }

    /** A record with every field set, including values at the edges of their types. */
    static FlowRecord full() {
        return FlowRecord.newBuilder()
            .setAgentId("agent-7").setHost("node-05").setSequence(-1L /* 2^64 - 1 unsigned */)
            .setPartitionSequence(42)
            .setFirstTsUs(1_767_899_657_929_123L).setLastTsUs(1_767_899_658_210_000L)
            .setSrcAddr(addr(10, 244, 5, 57)).setDstAddr(addr(10, 244, 40, 32))
            .setSrcPort(51514).setDstPort(22).setProtocol(6).setIcmpType(0).setIcmpCode(0)
            .setPacketsFwd(3).setBytesFwd(222).setPacketsRev(1).setBytesRev(60)
            .setTcpFlagsFwd(0x02).setTcpFlagsRev(0x14)
            .setOutcome(Outcome.REJECTED).setReport(ReportKind.FINAL).setInitiatorBasis(InitiatorBasis.SYN)
            .setEndReason(EndReason.END_RST)
            .setSrc(Endpoint.newBuilder().setKind(EndpointKind.CONTAINER).setContainerId("3759aa1d")
                .setName("web-00-3759aa1d").setWorkload("shop/web-00").setImage("registry.local/shop/web-00:1.4.2")
                .setHost("node-05").setResolver("docker"))
            .setCommunityId("1:LQU9qZlK+B5F3KDmev6m5PMibrg=").setInterface("veth3759aa1")
            .setIcmpErrorType(0).setIcmpErrorCode(0).setVlan(100)
            .setTcpFlagsFwd(0xFF)
            .setSrcPort(65535)
            .build();
    }

    @Test
    void roundTripsEveryField() {
        FlowRecord f = full();
        assertEquals(f, FlowJson.parse(FlowJson.render(f), FlowRecord.newBuilder()).build());
        FlowRecord empty = FlowRecord.getDefaultInstance();
        assertEquals(empty, FlowJson.parse(FlowJson.render(empty), FlowRecord.newBuilder()).build());
    }

    @Test
    void rendersForPeopleAndJq() throws Exception {
        JsonNode n = MAPPER.readTree(FlowJson.render(full()));
        assertEquals("10.244.5.57", n.get("src_addr").asText());
        assertEquals("18446744073709551615", n.get("sequence").asText());
        assertTrue(n.get("sequence").isIntegralNumber(), "uint64 is a number, not a string");
        assertEquals(1_767_899_657_929_123L, n.get("first_ts_us").asLong());
        assertEquals("2026-01-08T19:14:17.929123Z", n.get("first_ts").asText());
        assertEquals("REJECTED", n.get("outcome").asText());
        assertEquals("shop/web-00", n.get("src").get("workload").asText());
        assertTrue(n.get("dst").isNull(), "unset endpoint is null");
        assertEquals(0, n.get("icmp_type").asInt(), "zero values are present");
        assertTrue(FlowJson.render(full()).indexOf('\n') < 0, "one line");
    }

    @Test
    void rendersHeartbeats() throws Exception {
        AgentHeartbeat hb = AgentHeartbeat.newBuilder().setAgentId("a").setWatermarkUs(1_000_000).setEmergency(true).build();
        JsonNode n = MAPPER.readTree(FlowJson.render(hb));
        assertEquals("1970-01-01T00:00:01.000000Z", n.get("watermark").asText());
        assertEquals(hb, FlowJson.parse(FlowJson.render(hb), AgentHeartbeat.newBuilder()).build());
    }

    @ParameterizedTest
    @CsvSource({
        "'0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1', ::1",
        "'0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0', ::",
        "'253,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1', fd00::1",
        "'32,1,13,184,0,0,0,0,0,1,0,0,0,0,0,1', 2001:db8::1:0:0:1",
        "'32,1,13,184,0,0,0,1,0,1,0,1,0,1,0,1', 2001:db8:0:1:1:1:1:1",
        "'254,128,0,0,0,0,0,0,2,66,172,255,254,17,0,2', fe80::242:acff:fe11:2",
        "'0,0,0,0,0,0,0,0,0,0,255,255,10,0,0,1', ::ffff:10.0.0.1",
        "'10,0,0,255', 10.0.0.255",
    })
    void addressesFollowRfc5952(String bytes, String text) {
        String[] parts = bytes.split(",");
        int[] b = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = Integer.parseInt(parts[i].trim());
        }
        assertEquals(text, FlowJson.ipText(addr(b)));
        assertEquals(addr(b), FlowJson.parseIp(text));
    }

    @Test
    void anOlderReaderIgnoresWhatANewerWriterAdds() throws Exception {
        FlowRecord f = full();
        // Binary: the older schema reads the fields it knows and keeps the rest as unknown fields.
        OlderFlowRecord old = OlderFlowRecord.parseFrom(f.toByteArray());
        assertEquals(f.getAgentId(), old.getAgentId());
        assertEquals(f.getSequence(), old.getSequence());
        assertEquals(f.getSrcAddr(), old.getSrcAddr());
        assertEquals(f.getBytesRev(), old.getBytesRev());
        assertTrue(old.getUnknownFields().hasField(FlowRecord.COMMUNITY_ID_FIELD_NUMBER));
        // JSON: keys the older schema does not know are skipped.
        OlderFlowRecord fromJson = FlowJson.parse(FlowJson.render(f), OlderFlowRecord.newBuilder()).build();
        assertEquals(old.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance()).build(),
            fromJson);
    }

    @Test
    void aNewerReaderReadsWhatAnOlderWriterWrote() throws Exception {
        OlderFlowRecord old = OlderFlowRecord.newBuilder().setAgentId("old-agent").setSequence(9)
            .setSrcAddr(addr(10, 0, 0, 1)).setDstAddr(addr(10, 0, 0, 2)).setSrcPort(1234).setDstPort(80)
            .setProtocol(17).setPacketsFwd(1).setBytesFwd(60).build();
        FlowRecord f = FlowRecord.parseFrom(old.toByteArray());
        assertEquals("old-agent", f.getAgentId());
        assertEquals(80, f.getDstPort());
        assertEquals(Outcome.OUTCOME_UNSPECIFIED, f.getOutcome());
        assertEquals(false, f.hasSrc());
        FlowRecord fromJson = FlowJson.parse(FlowJson.render(old), FlowRecord.newBuilder()).build();
        assertEquals(f, fromJson);
    }

    @Test
    void acceptsCanonicalProtobufJsonIntegers() {
        FlowRecord f = FlowJson.parse("{\"sequence\":\"18446744073709551615\",\"dst_port\":443,\"outcome\":2}",
            FlowRecord.newBuilder()).build();
        assertEquals(-1L, f.getSequence());
        assertEquals(Outcome.REJECTED, f.getOutcome());
    }

    @Test
    void badInputNamesTheField() {
        assertEquals("dst_port: -1 (expected an unsigned 32-bit integer)", assertThrows(IllegalArgumentException.class,
            () -> FlowJson.parse("{\"dst_port\":-1}", FlowRecord.newBuilder())).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> FlowJson.parse("{\"src_addr\":\"10.0.0.300\"}", FlowRecord.newBuilder())).getMessage()
            .startsWith("src_addr:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> FlowJson.parse("{\"src_addr\":\"evil.example.com\"}", FlowRecord.newBuilder())).getMessage()
            .startsWith("src_addr:"), "no DNS lookup for names");
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> FlowJson.parse("{\"outcome\":\"EXPLODED\"}", FlowRecord.newBuilder())).getMessage()
            .contains("ESTABLISHED"));
        assertThrows(IllegalArgumentException.class, () -> FlowJson.parse("[1,2]", FlowRecord.newBuilder()));
        assertThrows(IllegalArgumentException.class, () -> FlowJson.parse("{\"sequence\":", FlowRecord.newBuilder()));
    }
}
