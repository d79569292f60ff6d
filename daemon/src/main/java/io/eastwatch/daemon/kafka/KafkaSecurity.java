package io.eastwatch.daemon.kafka;

import static io.eastwatch.daemon.config.ConfigType.BOOLEAN;
import static io.eastwatch.daemon.config.ConfigType.SECRET;
import static io.eastwatch.daemon.config.ConfigType.STRING;
import static io.eastwatch.daemon.config.ConfigValidator.oneOf;

import io.eastwatch.daemon.config.ConfigDef;
import io.eastwatch.daemon.config.ConfigException;
import io.eastwatch.daemon.config.ConfigValues;
import io.eastwatch.daemon.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a daemon authenticates to Kafka and protects the connection: TLS (server verified against
 * a trust store, optionally a client certificate) and SASL (PLAIN or SCRAM). The same keys under
 * each daemon's Kafka prefix ({@code export.kafka} for the agent, {@code kafka.security} for the collector).
 * Passwords are {@link Secret}s: read from a file ({@code *_file}) or the environment, masked in
 * the logged configuration, never part of an exception message.
 */
public record KafkaSecurity(String prefix, String protocol, String saslMechanism, String username, Secret password,
                            Path truststore, Secret truststorePassword, String truststoreType,
                            Path keystore, Secret keystorePassword, Secret keyPassword, boolean verifyHostname) {

    public static final KafkaSecurity PLAINTEXT =
            new KafkaSecurity("kafka", "PLAINTEXT", null, null, null, null, null, null, null, null, null, true);

    /** Declares the security keys under {@code prefix} (e.g. {@code export.kafka}). */
    public static ConfigDef define(ConfigDef def, String prefix) {
        return def
                .define(prefix + ".security_protocol", STRING, "plaintext",
                        oneOf("plaintext", "ssl", "sasl_plaintext", "sasl_ssl"),
                        "Transport to the brokers. ssl and sasl_ssl encrypt and verify the brokers; sasl_* also "
                                + "authenticate this daemon. plaintext only on a trusted network.")
                .define(prefix + ".sasl.mechanism", STRING, "scram-sha-512", oneOf("plain", "scram-sha-256", "scram-sha-512"),
                        "SASL mechanism for sasl_* protocols. SCRAM never sends the password; PLAIN does (use it "
                                + "only with sasl_ssl).")
                .define(prefix + ".sasl.username", STRING, null, "SASL user name (required for sasl_* protocols).")
                .define(prefix + ".sasl.password", SECRET, null,
                        "SASL password. Prefer " + prefix + ".sasl.password_file or the environment variable.")
                .define(prefix + ".ssl.truststore", STRING, null,
                        "Trust store with the CA that signed the brokers' certificates (ssl, sasl_ssl). Unset: the "
                                + "JVM's default CAs.")
                .define(prefix + ".ssl.truststore_type", STRING, "pkcs12", oneOf("pkcs12", "jks", "pem"),
                        "Format of the trust store file.")
                .define(prefix + ".ssl.truststore_password", SECRET, null, "Password of the trust store, if any.")
                .define(prefix + ".ssl.keystore", STRING, null,
                        "Key store (PKCS12) with this daemon's client certificate, for brokers that require mutual TLS.")
                .define(prefix + ".ssl.keystore_password", SECRET, null,
                        "Password of the key store (and of its key, unless " + prefix + ".ssl.key_password is set).")
                .define(prefix + ".ssl.key_password", SECRET, null,
                        "Password of the private key in the key store, when it differs from the key store's "
                                + "(keytool's JKS habit; PKCS12 files use one password). Unset: the key store password.")
                .define(prefix + ".ssl.verify_hostname", BOOLEAN, true,
                        "Check that the broker's certificate names the host connected to. Turning it off allows "
                                + "a man in the middle holding any certificate the trust store accepts.");
    }

    /** Reads the keys under {@code prefix}, checking the rules that span keys. */
    public static KafkaSecurity from(ConfigValues v, String prefix) {
        String protocol = v.getString(prefix + ".security_protocol").toUpperCase(Locale.ROOT);
        boolean sasl = protocol.startsWith("SASL");
        boolean ssl = protocol.endsWith("SSL");
        String mechanism = v.getString(prefix + ".sasl.mechanism").toUpperCase(Locale.ROOT);
        String username = v.isSet(prefix + ".sasl.username") ? v.getString(prefix + ".sasl.username") : null;
        Secret password = v.isSet(prefix + ".sasl.password") ? v.getSecret(prefix + ".sasl.password") : null;
        if (sasl && (username == null || username.isEmpty())) {
            throw new ConfigException(prefix + ".sasl.username", "(unset)",
                    "must be set when " + prefix + ".security_protocol is " + protocol.toLowerCase(Locale.ROOT));
        }
        if (sasl && (password == null || password.isEmpty())) {
            throw new ConfigException(prefix + ".sasl.password", "(unset)",
                    "must be set (or " + prefix + ".sasl.password_file) when " + prefix + ".security_protocol is "
                            + protocol.toLowerCase(Locale.ROOT));
        }
        Path truststore = path(v, prefix + ".ssl.truststore");
        Path keystore = path(v, prefix + ".ssl.keystore");
        if (!ssl && (truststore != null || keystore != null)) {
            throw new ConfigException(truststore != null ? prefix + ".ssl.truststore" : prefix + ".ssl.keystore",
                    truststore != null ? truststore : keystore,
                    "is only used with security_protocol ssl or sasl_ssl (it is " + protocol.toLowerCase(Locale.ROOT) + ")");
        }
        Secret keystorePassword = v.isSet(prefix + ".ssl.keystore_password") ? v.getSecret(prefix + ".ssl.keystore_password") : null;
        if (keystore != null && keystorePassword == null) {
            throw new ConfigException(prefix + ".ssl.keystore_password", "(unset)", "must be set when " + prefix + ".ssl.keystore is");
        }
        Secret keyPassword = v.isSet(prefix + ".ssl.key_password") ? v.getSecret(prefix + ".ssl.key_password") : null;
        if (keyPassword != null && keystore == null) {
            throw new ConfigException(prefix + ".ssl.key_password", Secret.MASK, "is only used with " + prefix + ".ssl.keystore");
        }
        String truststoreType = v.getString(prefix + ".ssl.truststore_type").toUpperCase(Locale.ROOT);
        Secret truststorePassword = v.isSet(prefix + ".ssl.truststore_password")
                ? v.getSecret(prefix + ".ssl.truststore_password") : null;
        if (truststoreType.equals("PEM") && truststorePassword != null) {
            // Kafka refuses a password for PEM certificates, with a less helpful message
            throw new ConfigException(prefix + ".ssl.truststore_password", Secret.MASK,
                    "must not be set with " + prefix + ".ssl.truststore_type pem (PEM certificates have no password)");
        }
        return new KafkaSecurity(prefix, protocol, sasl ? mechanism : null, username, password, truststore,
                truststorePassword, truststoreType, keystore, keystorePassword, keyPassword,
                v.getBoolean(prefix + ".ssl.verify_hostname"));
    }

    private static Path path(ConfigValues v, String key) {
        if (!v.isSet(key)) {
            return null;
        }
        Path p = Path.of(v.getString(key));
        if (!Files.isReadable(p)) {
            throw new ConfigException(key, p, "must be a readable file");
        }
        return p;
    }

    /** The Kafka client properties (producer, consumer, admin) for this setting. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", protocol);
        if (protocol.startsWith("SASL")) {
            p.put("sasl.mechanism", saslMechanism);
            String module = saslMechanism.equals("PLAIN")
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            p.put("sasl.jaas.config", module + " required username=\"" + jaasEscape(username) + "\" password=\""
                    + jaasEscape(password.reveal()) + "\";");
        }
        if (protocol.endsWith("SSL")) {
            if (truststore != null) {
                p.put("ssl.truststore.location", truststore.toString());
                p.put("ssl.truststore.type", truststoreType);
                if (truststorePassword != null) {
                    p.put("ssl.truststore.password", truststorePassword.reveal());
                }
            }
            if (keystore != null) {
                p.put("ssl.keystore.location", keystore.toString());
                p.put("ssl.keystore.type", "PKCS12");
                p.put("ssl.keystore.password", keystorePassword.reveal());
                p.put("ssl.key.password", (keyPassword != null ? keyPassword : keystorePassword).reveal());
            }
            p.put("ssl.endpoint.identification.algorithm", verifyHostname ? "https" : "");
        }
        return p;
    }

    /**
     * {@code text} with every secret of this setting replaced by {@link Secret#MASK}: for messages
     * built from exceptions, whose text this daemon does not control.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Secret s : new Secret[] {password, truststorePassword, keystorePassword, keyPassword}) {
            if (s != null && !s.isEmpty()) {
                out = out.replace(s.reveal(), Secret.MASK);
                String escaped = jaasEscape(s.reveal());
                if (!escaped.equals(s.reveal())) {
                    out = out.replace(escaped, Secret.MASK);
                }
            }
        }
        return out;
    }

    private static String jaasEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "KafkaSecurity[" + prefix + ": protocol=" + protocol + ", saslMechanism=" + saslMechanism + ", username=" + username
                + ", password=" + (password == null ? "none" : Secret.MASK) + ", truststore=" + truststore
                + ", truststorePassword=" + (truststorePassword == null ? "none" : Secret.MASK)
                + ", keystore=" + keystore + ", keystorePassword=" + (keystorePassword == null ? "none" : Secret.MASK)
                + ", keyPassword=" + (keyPassword == null ? "none" : Secret.MASK) + ", verifyHostname=" + verifyHostname + "]";
    }
}
