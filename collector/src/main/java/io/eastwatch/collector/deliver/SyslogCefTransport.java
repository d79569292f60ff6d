package io.eastwatch.collector.deliver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Syslog over TCP (tcp://) or TLS (tls://, RFC 5425) with octet-counting framing (RFC 6587):
 * "LEN SP MSG". Syslog has no acknowledgement: an alert counts as delivered once written to a
 * healthy connection; a broken connection is reopened and the alert retried. TLS trusts the target's
 * trust store (or the JVM's) and checks the server's host name.
 */
final class SyslogCefTransport implements AlertTransport {
    private final WebhookTargetSettings target;
    private Socket socket;
    private OutputStream out;

    private final SSLSocketFactory factory;

    SyslogCefTransport(WebhookTargetSettings target) {
        this.target = target;
        this.factory = target.url().getScheme().equals("tls") ? target.sslContext().getSocketFactory() : null;
    }

    @Override
    public DeliveryResult send(AlertView alert, byte[] body, String deliveryId) {
        try {
            if (socket == null || socket.isClosed()) {
                open();
            }
            byte[] len = (body.length + " ").getBytes(StandardCharsets.US_ASCII);
            out.write(len);
            out.write(body);
            out.flush();
            return DeliveryResult.delivered(0);
        } catch (IOException e) {
            close();
            return DeliveryResult.retriable(0, "io: " + e.getClass().getSimpleName());
        }
    }

    private void open() throws IOException {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, target.timeout().toMillis());
        Socket s;
        if (target.url().getScheme().equals("tls")) {
            SSLSocket ssl = (SSLSocket) factory.createSocket();
            ssl.connect(new InetSocketAddress(target.url().getHost(), target.url().getPort()), timeoutMs);
            var params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            s = ssl;
        } else {
            s = new Socket();
            s.connect(new InetSocketAddress(target.url().getHost(), target.url().getPort()), timeoutMs);
        }
        s.setSoTimeout(timeoutMs);
        socket = s;
        out = s.getOutputStream();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // the connection is being abandoned either way; the next send opens a new one
            }
            socket = null;
            out = null;
        }
    }
}
