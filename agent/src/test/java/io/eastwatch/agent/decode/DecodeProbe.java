package io.eastwatch.agent.decode;

import io.eastwatch.agent.capture.PcapFileSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

public class DecodeProbe {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).filter(x -> !x.toString().endsWith(".md")).sorted().toList()) {
                PacketDecoder d = new PacketDecoder(new SimpleMeterRegistry());
                PacketMeta m = new PacketMeta();
                Map<DecodeResult, Integer> h = new EnumMap<>(DecodeResult.class);
                int[] tun = {0, 0};
                try (PcapFileSource src = new PcapFileSource(p, new SimpleMeterRegistry())) {
                    src.run((ts, w, buf, off, cap, lt, id) -> {
                        DecodeResult r = d.decode(ts, w, buf, off, cap, lt, id, m);
                        h.merge(r, 1, Integer::sum);
                        if (m.tunnel != 0) tun[0]++;
                        if (m.fragment) tun[1]++;
                        if (args.length > 1 && args[1].equals("-dump")) {
                            System.out.println("P " + root.relativize(p) + " " + r + " " + m.ipVersion + " " + Long.toHexString(m.srcHi) + " " + Long.toHexString(m.srcLo) + " " + Long.toHexString(m.dstHi) + " " + Long.toHexString(m.dstLo) + " " + m.protocol + " " + m.srcPort + " " + m.dstPort
                                + " " + (m.icmpError ? 1 : 0) + " " + Long.toHexString(m.innerSrcHi) + " " + Long.toHexString(m.innerSrcLo) + " " + Long.toHexString(m.innerDstHi) + " " + Long.toHexString(m.innerDstLo) + " " + m.innerProtocol + " " + m.innerSrcPort + " " + m.innerDstPort + " " + m.tunnel + " " + (m.fragment ? 1 : 0));
                        } else if (args.length > 1 && p.toString().contains(args[1])) {
                            System.out.println("  " + r + " v" + m.ipVersion + " p" + m.protocol + " " + Long.toHexString(m.srcLo) + ":" + m.srcPort + " > " + Long.toHexString(m.dstLo) + ":" + m.dstPort
                                + " fl=" + m.tcpFlags + " pl=" + m.payloadLen + " vlan=" + m.vlan + " tun=" + m.tunnel + " frag=" + m.fragment + " icmp=" + m.icmpType + "/" + m.icmpCode + " id=" + m.icmpId
                                + (m.icmpError ? " inner p" + m.innerProtocol + " " + Long.toHexString(m.innerSrcLo) + ":" + m.innerSrcPort + ">" + Long.toHexString(m.innerDstLo) + ":" + m.innerDstPort : ""));
                        }
                    });
                }
                System.out.println(root.relativize(p) + " " + h + " tunnel=" + tun[0] + " frag=" + tun[1]);
            }
        }
    }
}
