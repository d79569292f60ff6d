package io.eastwatch.sim.eval;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eastwatch.agent.capture.PcapFileSource;
import io.eastwatch.agent.decode.DecodeResult;
import io.eastwatch.agent.decode.PacketDecoder;
import io.eastwatch.agent.decode.PacketMeta;
import io.eastwatch.sim.truth.EventTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * An inventory for a capture of hosts rather than containers: every address that sent at least
 * one IP packet becomes a container of its own workload ({@code capture/<address>}), alive for
 * the whole capture. Addresses that only ever received packets are left out: nothing shows they
 * exist, which is what a probe to them is testing.
 */
public final class CaptureInventory {
    private CaptureInventory() {
    }

    /** Writes the inventory and returns the addresses it lists. */
    public static java.util.Set<String> write(Path pcap, Path inventory) throws IOException {
        TreeMap<String, Boolean> senders = new TreeMap<>();
        long[] minTs = {Long.MAX_VALUE};
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PacketDecoder decoder = new PacketDecoder(registry);
        PacketMeta meta = new PacketMeta();
        try (PcapFileSource source = new PcapFileSource(pcap, registry)) {
            source.run((ts, wireLen, buf, offset, capLen, linkType, ifId) -> {
                minTs[0] = Math.min(minTs[0], ts);
                if (decoder.decode(ts, wireLen, buf, offset, capLen, linkType, ifId, meta) == DecodeResult.OK) {
                    String a = address(meta.ipVersion, meta.srcHi, meta.srcLo);
                    if (a != null) {
                        senders.put(a, Boolean.TRUE);
                    }
                }
            });
        }
        long started = (minTs[0] == Long.MAX_VALUE ? 0 : minTs[0]) - 3_600_000_000L;
        try (JsonGenerator g = new JsonFactory().createGenerator(inventory.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("containers");
            for (String ip : senders.keySet()) {
                String slug = ip.replace(':', '-');
                g.writeStartObject();
                g.writeStringField("id", String.format("%064x", new java.math.BigInteger(1, sha256(ip))));
                g.writeStringField("name", "host-" + slug);
                g.writeStringField("image", "capture/host:1");
                g.writeStringField("workload", "capture/" + slug);
                g.writeStringField("host", "capture");
                g.writeArrayFieldStart("ips");
                g.writeString(ip);
                g.writeEndArray();
                g.writeStringField("started", EventTime.iso(started));
                g.writeNullField("stopped");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return senders.keySet();
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    static String address(int version, long hi, long lo) {
        try {
            if (version == 4) {
                return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt((int) lo).array()).getHostAddress();
            }
            if (version == 6) {
                return InetAddress.getByAddress(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array()).getHostAddress();
            }
            return null;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
