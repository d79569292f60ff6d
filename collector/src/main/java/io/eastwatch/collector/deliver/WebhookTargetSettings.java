package io.eastwatch.collector.deliver;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One delivery target. Each target has its own Kafka consumer group on the alerts topic, so it
 * resumes where it stopped after a restart and a slow target never holds up another.
 *
 * @param name        short identifier: the consumer group suffix and the metric tag (bounded: it comes from config)
 * @param url         http(s) URL for the webhook formats; {@code tcp://host:port} or {@code tls://host:port} for syslog-cef
 * @param format      what the receiver expects
 * @param minSeverity alerts below this severity are not sent to this target (skipped, not dead-lettered)
 * @param secret      HMAC-SHA256 key for {@code X-Eastwatch-Signature}; null sends no signature (not recommended)
 * @param splunkToken HEC token, required for splunk-hec
 * @param timeout     per-attempt timeout: longer tolerates slow receivers, shorter frees the worker sooner
 * @param maxAttempts attempts before an alert lands in the dead letter; more attempts ride out longer outages
 *                    but delay the alerts queued behind it for this target
 * @param backoffBase first retry delay; doubles each attempt, with full jitter
 * @param backoffMax  cap of the retry delay
 * @param truststore  PKCS12 trust store for https:// and tls:// targets signed by a private CA; null: the JVM's CAs
 * @param truststorePassword its password (null when it has none)
 */
public record WebhookTargetSettings(
        String name,
        URI url,
        DeliveryFormat format,
        String minSeverity,
        String secret,
        String splunkToken,
        Duration timeout,
        int maxAttempts,
        Duration backoffBase,
        Duration backoffMax,
        java.nio.file.Path truststore,
        String truststorePassword) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    public WebhookTargetSettings {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: " + name + " (expected: 1-40 of a-z 0-9 _ -, starting with a letter or digit)");
        }
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        String scheme = url.getScheme() == null ? "" : url.getScheme();
        if (format == DeliveryFormat.SYSLOG_CEF) {
            if (!scheme.equals("tcp") && !scheme.equals("tls")) {
                throw new IllegalArgumentException("url: " + url + " (expected: tcp://host:port or tls://host:port for syslog-cef)");
            }
            if (url.getPort() <= 0) {
                throw new IllegalArgumentException("url: " + url + " (expected: an explicit port)");
            }
        } else if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url: " + url + " (expected: http:// or https://)");
        }
        minSeverity = minSeverity == null ? "low" : minSeverity;
        AlertView.severityRank(minSeverity); // validates
        if (format == DeliveryFormat.SPLUNK_HEC && (splunkToken == null || splunkToken.isBlank())) {
            throw new IllegalArgumentException("splunk_token: missing (expected: the HEC token for format splunk-hec)");
        }
        timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("max_attempts: " + maxAttempts + " (expected: 1..100)");
        }
        backoffBase = backoffBase == null ? Duration.ofMillis(500) : backoffBase;
        backoffMax = backoffMax == null ? Duration.ofSeconds(60) : backoffMax;
        if (backoffBase.isNegative() || backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoff_max: " + backoffMax + " (expected: >= backoff_base " + backoffBase + ")");
        }
        if (truststore != null) {
            if (!scheme.equals("https") && !scheme.equals("tls")) {
                throw new IllegalArgumentException("truststore: " + truststore + " (expected: only for https:// or tls:// targets)");
            }
            if (!java.nio.file.Files.isReadable(truststore)) {
                throw new IllegalArgumentException("truststore: " + truststore + " (expected: a readable PKCS12 file)");
            }
        }
    }

    /** Without a private trust store. */
    public WebhookTargetSettings(String name, URI url, DeliveryFormat format, String minSeverity, String secret,
                                 String splunkToken, Duration timeout, int maxAttempts, Duration backoffBase,
                                 Duration backoffMax) {
        this(name, url, format, minSeverity, secret, splunkToken, timeout, maxAttempts, backoffBase, backoffMax, null, null);
    }

    /** The TLS context for this target: its own trust store, or the JVM's default. */
    javax.net.ssl.SSLContext sslContext() {
        try {
            if (truststore == null) {
                return javax.net.ssl.SSLContext.getDefault();
            }
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            char[] pw = truststorePassword == null ? null : truststorePassword.toCharArray();
            try (var in = java.nio.file.Files.newInputStream(truststore)) {
                ks.load(in, pw);
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("truststore: " + truststore + " (cannot be loaded: "
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Settings with the defaults for everything but the essentials. */
    public static WebhookTargetSettings of(String name, URI url, DeliveryFormat format, String secret) {
        return new WebhookTargetSettings(name, url, format, "low", secret, null, null, 6, null, null);
    }

    @Override
    public String toString() {
        return "WebhookTargetSettings[name=" + name + ", url=" + url + ", format=" + format.configName()
                + ", minSeverity=" + minSeverity + ", secret=" + (secret == null ? "none" : "****")
                + ", splunkToken=" + (splunkToken == null ? "none" : "****") + ", timeout=" + timeout
                + ", maxAttempts=" + maxAttempts + ", backoff=" + backoffBase + ".." + backoffMax
                + ", truststore=" + truststore + "]";
    }
}
