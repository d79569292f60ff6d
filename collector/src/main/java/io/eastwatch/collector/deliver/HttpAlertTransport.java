package io.eastwatch.collector.deliver;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;

/** POSTs to an HTTP(S) webhook with the signature and delivery headers of DESIGN.md. */
final class HttpAlertTransport implements AlertTransport {
    static final String DELIVERY_HEADER = "X-Eastwatch-Delivery";
    static final String ALERT_HEADER = "X-Eastwatch-Alert";

    private final WebhookTargetSettings target;
    private final WebhookSigner signer;
    private final HttpClient client;

    HttpAlertTransport(WebhookTargetSettings target) {
        this.target = target;
        this.signer = target.secret() == null ? null : new WebhookSigner(target.secret());
        this.client = HttpClient.newBuilder()
                .connectTimeout(target.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(target.sslContext())
                .build();
    }

    @Override
    public DeliveryResult send(AlertView alert, byte[] body, String deliveryId) {
        HttpRequest.Builder req = HttpRequest.newBuilder(target.url())
                .timeout(target.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "eastwatch-collector")
                .header(DELIVERY_HEADER, deliveryId)
                .header(ALERT_HEADER, alert.id() + ";revision=" + alert.revision())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signer != null) {
            req.header(WebhookSigner.HEADER, signer.sign(body));
        }
        if (target.format() == DeliveryFormat.SPLUNK_HEC) {
            req.header("Authorization", "Splunk " + target.splunkToken());
        }
        try {
            HttpResponse<Void> resp = client.send(req.build(), HttpResponse.BodyHandlers.discarding());
            return DeliveryResult.ofHttpStatus(resp.statusCode());
        } catch (HttpTimeoutException e) {
            return DeliveryResult.retriable(0, "timeout");
        } catch (IOException e) {
            return DeliveryResult.retriable(0, "io: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeliveryResult.retriable(0, "interrupted");
        }
    }
}
