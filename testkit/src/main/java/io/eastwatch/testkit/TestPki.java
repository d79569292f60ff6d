package io.eastwatch.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * A throw-away certificate authority for tests, in plain JDK: X.509 v3 certificates encoded by
 * hand in DER (the JDK can sign and parse certificates but has no public API to build one) and
 * signed with ECDSA P-256. keytool does the same but costs a JVM start per step, seconds each on
 * a loaded machine. Only what TLS between Kafka and its clients needs: basic constraints, and
 * subject alternative names for the broker.
 */
public final class TestPki {

    /** A key pair with its certificate chain (leaf first). */
    public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {
    }

    private final String caName;
    private final KeyPair caKeys;
    public final X509Certificate caCertificate;
    private final SecureRandom random = new SecureRandom();

    public TestPki(String caName) throws GeneralSecurityException {
        this.caName = caName;
        caKeys = keyPair();
        caCertificate = sign(caName, caName, caKeys.getPublic().getEncoded(), true, null);
    }

    /** A certificate for {@code name}; {@code dnsNames} and {@code ipv4} become subject alternative names. */
    public Issued issue(String name, String[] dnsNames, byte[][] ipv4) throws GeneralSecurityException {
        KeyPair kp = keyPair();
        byte[] san = null;
        if (dnsNames.length + ipv4.length > 0) {
            ByteArrayOutputStream names = new ByteArrayOutputStream();
            for (String d : dnsNames) {
                names.writeBytes(tlv(0x82, d.getBytes(StandardCharsets.US_ASCII)));
            }
            for (byte[] ip : ipv4) {
                names.writeBytes(tlv(0x87, ip));
            }
            san = tlv(0x30, names.toByteArray());
        }
        return new Issued(kp.getPrivate(), sign(name, caName,
                kp.getPublic().getEncoded(), false, san), caCertificate);
    }

    /** A PKCS12 trust store holding this CA. */
    public void writeTruststore(Path file, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", caCertificate);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
    }

    /** This CA's certificate as PEM. */
    public void writePem(Path file) throws Exception {
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(caCertificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
    }

    /** A PKCS12 key store with the key and its chain, store and key under one password. */
    public static void writeKeystore(Path file, Issued issued, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", issued.key(), password.toCharArray(), new Certificate[] {issued.certificate(), issued.issuer()});
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static final byte[] ECDSA_SHA256 = tlv(0x30, oid(1, 2, 840, 10045, 4, 3, 2));

    private X509Certificate sign(String subject, String issuer, byte[] publicKeyInfo, boolean ca, byte[] san)
            throws GeneralSecurityException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        DateTimeFormatter utc = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
        byte[] validity = tlv(0x30, concat(tlv(0x17, now.minusHours(1).format(utc).getBytes(StandardCharsets.US_ASCII)),
                tlv(0x17, now.plusDays(2).format(utc).getBytes(StandardCharsets.US_ASCII))));
        // basicConstraints, critical: cA TRUE for the authority, an empty sequence for a leaf
        byte[] extensions = tlv(0x30, concat(oid(2, 5, 29, 19), tlv(0x01, new byte[] {(byte) 0xff}),
                tlv(0x04, tlv(0x30, ca ? tlv(0x01, new byte[] {(byte) 0xff}) : new byte[0]))));
        if (san != null) {
            extensions = concat(extensions, tlv(0x30, concat(oid(2, 5, 29, 17), tlv(0x04, san))));
        }
        byte[] tbs = tlv(0x30, concat(
                tlv(0xa0, tlv(0x02, new byte[] {2})),
                tlv(0x02, new BigInteger(63, random).add(BigInteger.ONE).toByteArray()),
                ECDSA_SHA256, name(issuer), validity, name(subject), publicKeyInfo,
                tlv(0xa3, tlv(0x30, extensions))));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(caKeys.getPrivate());
        s.update(tbs);
        byte[] sig = s.sign();
        byte[] bitString = new byte[sig.length + 1];
        System.arraycopy(sig, 0, bitString, 1, sig.length);
        byte[] der = tlv(0x30, concat(tbs, ECDSA_SHA256, tlv(0x03, bitString)));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static byte[] name(String commonName) {
        byte[] cn = tlv(0x30, concat(oid(2, 5, 4, 3), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8))));
        return tlv(0x30, tlv(0x31, cn));
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int v = arcs[i];
            int n = 0;
            for (int t = v; t >= 0x80; t >>>= 7) {
                n++;
            }
            for (int k = n; k > 0; k--) {
                b.write(0x80 | ((v >>> (7 * k)) & 0x7f));
            }
            b.write(v & 0x7f);
        }
        return tlv(0x06, b.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int len = value.length;
        if (len < 0x80) {
            b.write(len);
        } else if (len < 0x100) {
            b.write(0x81);
            b.write(len);
        } else {
            b.write(0x82);
            b.write(len >>> 8);
            b.write(len & 0xff);
        }
        b.writeBytes(value);
        return b.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
