package io.eastwatch.daemon.kafka;

import java.util.Locale;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Names the cause of a Kafka client's authentication failure, with the keys to check: a TLS
 * handshake refused either way (unknown CA, certificate for another host, no client certificate
 * for a broker that requires one) or a SASL login rejected. The client keeps retrying these at
 * its reconnect backoff like any network error, so without this a daemon with a wrong CA or
 * password looks like one whose Kafka is merely down.
 *
 * <p>The text comes from the JDK and the Kafka client, neither of which puts a password in it;
 * it is still passed through {@link KafkaSecurity#redact} so a future library cannot leak one.
 */
public final class KafkaAuthFailure {

    private KafkaAuthFailure() {
    }

    /** One line naming the problem, or null when {@code e} is not an authentication or authorization failure. */
    public static String describe(Throwable e, KafkaSecurity security) {
        String prefix = security.prefix();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                String root = rootMessage(t);
                return security.redact("TLS handshake with the Kafka brokers failed (" + root + "): " + tlsHint(root, prefix));
            }
            if (t instanceof SaslAuthenticationException) {
                return security.redact("SASL authentication to the Kafka brokers failed for user " + security.username()
                        + " (" + security.saslMechanism() + "): " + t.getMessage() + "; check " + prefix
                        + ".sasl.username, the password (" + prefix + ".sasl.password, _file or environment) and "
                        + prefix + ".sasl.mechanism");
            }
            if (t instanceof AuthenticationException) {
                return security.redact("authentication to the Kafka brokers failed: " + rootMessage(t) + "; check "
                        + prefix + ".security_protocol and the credentials");
            }
            if (t instanceof AuthorizationException) {
                return security.redact("the Kafka brokers refused access (ACL) to " + (security.username() == null
                        ? "this client" : "user " + security.username()) + ": " + t.getMessage());
            }
        }
        return null;
    }

    private static String tlsHint(String root, String prefix) {
        String m = root.toLowerCase(Locale.ROOT);
        if (m.contains("pkix") || m.contains("certification path") || m.contains("unknown_ca")) {
            return "the brokers' certificate is not signed by a CA in " + prefix + ".ssl.truststore (unset: the JVM's "
                    + "default CAs)";
        }
        if (m.contains("subject alternative name") || m.contains("no name matching")) {
            return "the brokers' certificate does not name the host in bootstrap_servers; connect by a name the "
                    + "certificate holds (turning off " + prefix + ".ssl.verify_hostname allows a man in the middle)";
        }
        if (m.contains("bad_certificate") || m.contains("certificate_required") || m.contains("certificate_unknown")) {
            return "the brokers refused this client's certificate; they require mutual TLS with a certificate their "
                    + "trust store accepts: check " + prefix + ".ssl.keystore";
        }
        if (m.contains("expired") || m.contains("not yet valid")) {
            return "a certificate is outside its validity period (check the clocks and renew it)";
        }
        return "check " + prefix + ".ssl.truststore, " + prefix + ".ssl.keystore and the brokers' TLS listener";
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return m == null ? r.getClass().getSimpleName() : m;
    }
}
