package io.eastwatch.collector.deliver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Syslog CEF over TLS to a real TLS server on loopback whose certificate a private CA-like
 * self-signed key signed (made with the JDK's keytool): trusted through the target's trust store,
 * refused (and retriable, not lost) without it.
 */
class SyslogTlsTest {

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool " + String.join(" ", args) + ": " + out);
        }
    }

    @Test
    void cefOverTlsIsDeliveredWithThePrivateTrustStoreOnly(@TempDir Path dir) throws Exception {
        Path server = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "siem", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "2", "-keystore", server.toString(),
                "-storetype", "PKCS12", "-storepass", "serverpass", "-keypass", "serverpass");
        keytool("-exportcert", "-alias", "siem", "-keystore", server.toString(), "-storepass", "serverpass",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "siem", "-file", cert.toString(), "-keystore", trust.toString(),
                "-storetype", "PKCS12", "-storepass", "trustpass");

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server)) {
            ks.load(in, "serverpass".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "serverpass".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket listener = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            URI url = URI.create("tls://127.0.0.1:" + listener.getLocalPort());
            AlertView alert = AlertView.parse(("{\"id\":\"a1\",\"detector\":\"port-scan\",\"severity\":\"high\","
                    + "\"summary\":\"web probed 3 ports\",\"detected_at\":\"2026-01-08T19:14:18Z\",\"source\":{}}")
                    .getBytes(StandardCharsets.UTF_8));
            byte[] body = AlertRenderer.forFormat(DeliveryFormat.SYSLOG_CEF).render(alert);

            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                for (int attempt = 0; attempt < 2; attempt++) {
                    try (SSLSocket s = (SSLSocket) listener.accept()) {
                        s.setSoTimeout(10_000);
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        StringBuilder len = new StringBuilder();
                        int c;
                        while ((c = in.read()) != ' ') {
                            if (c < 0) {
                                throw new java.io.EOFException();
                            }
                            len.append((char) c);
                        }
                        return new String(in.readNBytes(Integer.parseInt(len.toString())), StandardCharsets.UTF_8);
                    } catch (Exception e) {
                        // the first connection is the untrusting client's failed handshake
                    }
                }
                return null;
            });

            // without the private trust store the handshake fails: retriable, the alert is not lost
            SyslogCefTransport untrusting = new SyslogCefTransport(WebhookTargetSettings.of("siem", url,
                    DeliveryFormat.SYSLOG_CEF, null));
            assertEquals(DeliveryResult.Kind.RETRIABLE, untrusting.send(alert, body, "d1").kind());
            untrusting.close();

            SyslogCefTransport trusting = new SyslogCefTransport(new WebhookTargetSettings("siem", url,
                    DeliveryFormat.SYSLOG_CEF, "low", null, null, Duration.ofSeconds(5), 3, null, null, trust, "trustpass"));
            assertEquals(DeliveryResult.Kind.DELIVERED, trusting.send(alert, body, "d2").kind());
            assertEquals(new String(body, StandardCharsets.UTF_8), got.get(20, TimeUnit.SECONDS));
            trusting.close();
        }
    }
}
