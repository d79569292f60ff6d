package io.eastwatch.collector.deliver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALERT = "{\"id\":\"a-17\",\"detector\":\"port-scan\",\"severity\":\"high\",\"score\":0.97,"
            + "\"first_seen\":\"2026-01-08T19:14:17.929Z\",\"detected_at\":\"2026-01-08T19:14:18.210Z\","
            + "\"source\":{\"container_id\":\"3759aa1d\",\"name\":\"web-00-3759aa1d\",\"workload\":\"shop/web-00\","
            + "\"image\":\"registry.local/shop/web-00:1.4.2\",\"host\":\"node-05\",\"ip\":\"10.244.5.57\"},"
            + "\"targets\":{\"count\":37,\"sample\":[{\"ip\":\"10.244.40.32\",\"port\":22,\"workload\":null}]},"
            + "\"evidence\":{\"unanswered\":31},\"mitre\":[\"T1046\"],"
            + "\"summary\":\"shop/web-00 replica web-00-3759aa1d probed 37 addresses on port 22 | a=b\",\"revision\":2}";

    private static AlertView alert() throws Exception {
        return AlertView.parse(ALERT.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void genericIsTheAlertItself() throws Exception {
        assertEquals(ALERT, new String(AlertRenderer.forFormat(DeliveryFormat.GENERIC).render(alert()), StandardCharsets.UTF_8));
    }

    @Test
    void slackTextNamesSeverityContainerAndSummary() throws Exception {
        JsonNode n = JSON.readTree(AlertRenderer.forFormat(DeliveryFormat.SLACK).render(alert()));
        String text = n.path("text").asText();
        assertTrue(text.contains("HIGH") && text.contains("web-00-3759aa1d") && text.contains("probed 37"), text);
    }

    @Test
    void splunkWrapsTheAlertAsEventWithEventTime() throws Exception {
        JsonNode n = JSON.readTree(AlertRenderer.forFormat(DeliveryFormat.SPLUNK_HEC).render(alert()));
        assertEquals("eastwatch:alert", n.path("sourcetype").asText());
        assertEquals(1767899658.21, n.path("time").asDouble(), 1e-6);
        assertEquals("a-17", n.path("event").path("id").asText());
    }

    @Test
    void ocsfDetectionFinding() throws Exception {
        JsonNode n = JSON.readTree(AlertRenderer.forFormat(DeliveryFormat.OCSF).render(alert()));
        assertEquals(2004, n.path("class_uid").asInt());
        assertEquals(2, n.path("activity_id").asInt(), "revision 2 is an update");
        assertEquals(200402, n.path("type_uid").asInt());
        assertEquals(4, n.path("severity_id").asInt());
        assertEquals("a-17", n.path("finding_info").path("uid").asText());
        assertEquals("T1046", n.path("finding_info").path("attacks").get(0).path("technique").path("uid").asText());
        assertEquals(1767899658210L, n.path("time").asLong());
        assertEquals("10.244.5.57", n.path("src_endpoint").path("ip").asText());
    }

    @Test
    void cefEscapesHeaderAndExtension() throws Exception {
        String line = new String(AlertRenderer.forFormat(DeliveryFormat.SYSLOG_CEF).render(alert()), StandardCharsets.UTF_8);
        assertTrue(line.startsWith("<164>1 2026-01-08T19:14:18.210Z node-05 eastwatch - alert - CEF:0|eastwatch|eastwatch|0.1|port-scan|"), line);
        assertTrue(line.contains("port 22 \\| a=b|8|"), "pipe escaped in the header: " + line);
        assertTrue(line.contains("msg=shop/web-00 replica web-00-3759aa1d probed 37 addresses on port 22 | a\\=b"), line);
        assertTrue(line.contains("externalId=a-17 "), line);
    }

    @ParameterizedTest
    @CsvSource({
        "'', empty record",
        "'not json', not JSON",
        "'[1,2]', not a JSON object",
        "'{\"id\":\"x\",\"detector\":\"d\",\"summary\":\"s\"}', field severity",
        "'{\"id\":\"x\",\"detector\":\"d\",\"summary\":\"s\",\"severity\":\"urgent\"}', severity: urgent",
    })
    void malformedAlertsAreNamed(String value, String expected) {
        var e = assertThrows(AlertView.MalformedAlertException.class,
                () -> AlertView.parse(value.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void signatureVerifiesOnlyTheExactBody() {
        WebhookSigner s = new WebhookSigner("k");
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String sig = s.sign(body);
        assertTrue(sig.matches("sha256=[0-9a-f]{64}"), sig);
        assertTrue(s.verify(body, sig));
        assertFalse(s.verify("{\"a\":2}".getBytes(StandardCharsets.UTF_8), sig));
        assertFalse(new WebhookSigner("other").verify(body, sig));
    }

    @Test
    void badTargetSettingsNameTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> WebhookTargetSettings.of("soc",
                URI.create("ftp://x/"), DeliveryFormat.GENERIC, "k"));
        assertTrue(e.getMessage().startsWith("url: ftp://x/"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WebhookTargetSettings.of("soc",
                URI.create("https://splunk:8088/services/collector"), DeliveryFormat.SPLUNK_HEC, "k"));
        assertTrue(e.getMessage().startsWith("splunk_token"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WebhookTargetSettings.of("Bad Name",
                URI.create("https://x/"), DeliveryFormat.GENERIC, "k"));
        assertTrue(e.getMessage().startsWith("name: Bad Name"), e.getMessage());
        assertFalse(WebhookTargetSettings.of("soc", URI.create("https://x/"), DeliveryFormat.GENERIC, "topsecret")
                .toString().contains("topsecret"), "secrets are masked");
    }

    @Test
    void backoffGrowsAndIsCapped() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(100, b.ceilingMillis(1));
        assertEquals(200, b.ceilingMillis(2));
        assertEquals(800, b.ceilingMillis(4));
        assertEquals(1000, b.ceilingMillis(5));
        assertEquals(1000, b.ceilingMillis(60));
        for (int i = 1; i < 20; i++) {
            long d = b.delayMillis(i);
            assertTrue(d >= 50 && d <= b.ceilingMillis(i), "delay " + d);
        }
    }

    @Test
    void syslogOverTcpIsOctetCounted() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            WebhookTargetSettings t = WebhookTargetSettings.of("siem",
                    URI.create("tcp://127.0.0.1:" + server.getLocalPort()), DeliveryFormat.SYSLOG_CEF, null);
            SyslogCefTransport transport = new SyslogCefTransport(t);
            AlertView a = alert();
            byte[] body = AlertRenderer.forFormat(DeliveryFormat.SYSLOG_CEF).render(a);
            assertEquals(DeliveryResult.Kind.DELIVERED, transport.send(a, body, "d1").kind());
            assertEquals(DeliveryResult.Kind.DELIVERED, transport.send(a, body, "d2").kind());
            try (Socket s = server.accept(); InputStream in = new BufferedInputStream(s.getInputStream())) {
                for (int i = 0; i < 2; i++) {
                    StringBuilder len = new StringBuilder();
                    int c;
                    while ((c = in.read()) != ' ') {
                        len.append((char) c);
                    }
                    byte[] msg = in.readNBytes(Integer.parseInt(len.toString()));
                    assertEquals(new String(body, StandardCharsets.UTF_8), new String(msg, StandardCharsets.UTF_8));
                }
            }
            transport.close();
        }
        // nobody listening: retriable, not a crash
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = closed.getLocalPort();
            closed.close();
            SyslogCefTransport transport = new SyslogCefTransport(WebhookTargetSettings.of("siem",
                    URI.create("tcp://127.0.0.1:" + port), DeliveryFormat.SYSLOG_CEF, null));
            assertEquals(DeliveryResult.Kind.RETRIABLE, transport.send(alert(), new byte[] {1}, "d").kind());
        }
    }
}
