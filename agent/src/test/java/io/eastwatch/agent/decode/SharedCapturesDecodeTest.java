package io.eastwatch.agent.decode;

import io.eastwatch.agent.capture.PcapFileSource;
import io.eastwatch.agent.capture.SharedCaptures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decodes every packet of the real captures in ../shared/pcaps and checks the result against tshark. */
class SharedCapturesDecodeTest {

    /**
     * Per file: packets tshark sees an IP layer in ({@code tshark -n -r FILE -T fields -e
     * frame.protocols}, counting lines that contain {@code ip} or {@code ipv6}), and packets the
     * decoder returns OK for. They differ only where the decoder is deliberately stricter:
     * gre_teb_vmware (1 LLDP frame inside GRE), vxlan and vxlan_port8472_flannel (2 ARP frames
     * inside VXLAN each: not IP traffic), ip4_truncated / ip6_truncated / ip6_frag_fuzz (the IP
     * or fragment header is cut by the snap length), ipv4_fragmented_garbage (2 first fragments
     * whose TCP data offset exceeds the datagram).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "benign/dns_edns_v4_v6.pcap, 89, 89",
            "benign/docker_app_postgres.pcap, 230, 230",
            "benign/docker_pgsql_5000_rows.pcap, 785, 785",
            "benign/elasticsearch.pcap, 47, 47",
            "benign/http_browse_bro_org.pcap, 751, 751",
            "benign/http_wikipedia.pcap, 126, 126",
            "benign/kafka.pcapng, 41, 41",
            "benign/ldap_ad_traffic.pcapng, 315, 315",
            "benign/mongodb.pcap, 27, 27",
            "benign/mssql_tds.pcap, 38, 38",
            "benign/mysql8_login_failed_once.pcap, 22, 22",
            "benign/mysql_k8s_171.pcap, 1040, 1040",
            "benign/mysql_session.pcap, 57, 57",
            "benign/pgsql_cloud.pcap, 78, 78",
            "benign/postgres_login_failed_once.pcap, 14, 14",
            "benign/redis_loopback_sll.pcap, 150, 150",
            "benign/smb2_file_transfer.pcap, 1178, 1178",
            "benign/ssh_sessions_lan.pcap, 1797, 1797",
            "benign/various_services_std_ports.pcap, 259, 259",
            "benign/voip_mysql_lab_sll.pcap, 8725, 8725",
            "edge/bad_dns_snaplen16384.pcap, 93, 93",
            "edge/big_endian_pcap_pptp.pcap, 23, 23",
            "edge/bigtcp_ipv4_in_vxlan.pcap, 1, 1",
            "edge/empty.pcap, 0, 0",
            "edge/empty.pcapng, 0, 0",
            "edge/erspan3_bogus_snaplen.pcap, 1, 1",
            "edge/erspan_datacenter_mirror.pcap, 1029, 1029",
            "edge/geneve.pcap, 6, 6",
            "edge/geneve_gcp_options.pcap, 1, 1",
            "edge/gre_teb_vmware.pcap, 57, 56",
            "edge/gso_ipv4_in_vxlan.pcap, 1, 1",
            "edge/ip4_truncated.pcap, 1, 0",
            "edge/ip6_frag_fuzz.pcap, 1, 0",
            "edge/ip6_truncated.pcap, 1, 0",
            "edge/ip_bogus_header_len.pcap, 1, 1",
            "edge/ipv4_fragmented_garbage.pcap, 1252, 1250",
            "edge/ipv4_fragmented_syn.pcap, 2, 2",
            "edge/ipv4_fragments_1.pcap, 3, 3",
            "edge/ipv4_fragments_3.pcap, 5, 5",
            "edge/ipv4_frags_suricata.pcap, 3, 3",
            "edge/ipv4_len_exceeds_caplen.pcap, 1, 1",
            "edge/ipv6_atomic_fragment_http.pcap, 38, 38",
            "edge/ipv6_fragmented_dns.pcap, 8, 8",
            "edge/ipv6_jumbogram.pcap, 1, 1",
            "edge/ipv6_mixed.pcap, 17, 17",
            "edge/linktype_ipv4.pcap, 1, 1",
            "edge/linktype_ipv6.pcap, 1, 1",
            "edge/malformed_icmp.pcap, 1, 1",
            "edge/nanosecond_pcap_sll.pcap, 3, 3",
            "edge/nflog_http.pcap, 13, 13",
            "edge/null_loopback_nats.pcap, 27, 27",
            "edge/pcapng_multi_interface.pcapng, 6, 6",
            "edge/pcapng_null_loopback_smbghost.pcapng, 10, 10",
            "edge/qinq_8021ad.pcap, 4, 4",
            "edge/qinq_88a8_arp.pcap, 0, 0",
            "edge/raw_ip_v4.pcap, 1, 1",
            "edge/raw_ip_v6.pcap, 1, 1",
            "edge/sll2_http_suricata.pcap, 5, 5",
            "edge/sll2_linux_cooked_v2.pcap, 4, 4",
            "edge/sll_v1_arp.pcap, 0, 0",
            "edge/sll_v1_mptcp.pcap, 20, 20",
            "edge/snap_llc_8023_tcp.pcap, 8, 8",
            "edge/snaplen1_trunc_hdr.pcap, 0, 0",
            "edge/snaplen256_null_quic.pcap, 18, 18",
            "edge/snaplen50_tcp_rst_payload.pcap, 1, 1",
            "edge/snaplen68_tcp_truncated_header.pcap, 24, 24",
            "edge/time_2038.pcap, 1, 1",
            "edge/time_2106_overflow.pcapng, 1, 1",
            "edge/timestamp_invalid_micro.pcap, 3, 3",
            "edge/udp_truncated_oob.pcap, 1, 1",
            "edge/unsupported_linktype_160.pcap, 0, 0",
            "edge/vlan0_priority_tag_http.pcap, 14, 14",
            "edge/vlan_icmp_dot1q.pcap, 9, 9",
            "edge/vlan_mpls_mixed.pcap, 47, 47",
            "edge/vlan_qinqinq_triple.pcap, 14, 14",
            "edge/vxlan.pcap, 10, 8",
            "edge/vxlan_http.pcap, 12, 12",
            "edge/vxlan_ipv6_outer_truncated_inner.pcap, 1, 1",
            "edge/vxlan_port8472_flannel.pcap, 10, 8",
            "edge/vxlan_suricata.pcap, 100, 100",
            "scans/arp_scan_lan.pcap, 15, 15",
            "scans/arp_sweep_24.pcap, 0, 0",
            "scans/arpsweep_then_sS_4hosts.pcap, 8015, 8015",
            "scans/backscatter_negative_control.pcap, 4771, 4771",
            "scans/bruteforce_ftp_zeek.pcap, 606, 606",
            "scans/bruteforce_kerberos_passwordspray_kerbrute.pcapng, 33, 33",
            "scans/bruteforce_ssh_guessing_zeek.pcap, 431, 431",
            "scans/bruteforce_ssh_hydra_4tasks.pcap, 9918, 9918",
            "scans/bruteforce_ssh_medusa_1task.pcap, 8475, 8475",
            "scans/bruteforce_ssh_mmt.pcap, 233, 233",
            "scans/bruteforce_ssh_ncrack_sneaky.pcap, 4415, 4415",
            "scans/bruteforce_ssh_nmap_sshbrute_port902.pcap, 1178, 1178",
            "scans/discovery_dcerpc_epm_scan.pcapng, 700, 700",
            "scans/discovery_psloggedon_winreg.pcapng, 245, 245",
            "scans/icmp_ping_sweep_24.pcap, 512, 512",
            "scans/internet_multiport_scan.pcap, 16, 16",
            "scans/internet_smb445_horizontal_scan.pcap, 21, 21",
            "scans/lateral_dcom_mmc20.pcapng, 74, 74",
            "scans/lateral_psexec_smb_svcctl.pcapng, 264, 264",
            "scans/lateral_rdp_sharprdp.pcapng, 1044, 1044",
            "scans/lateral_smbexec.pcapng, 82, 82",
            "scans/lateral_wannacry_smb_worm.pcap, 1086, 1086",
            "scans/lateral_wmi_exec.pcapng, 135, 135",
            "scans/masscan_tcp_0-1000.pcap, 1005, 1005",
            "scans/masscan_udp_0-1000.pcap, 1001, 1001",
            "scans/nmap_A_port80_single_target.pcap, 431, 431",
            "scans/nmap_sF_metasploitable.pcapng, 2002, 2002",
            "scans/nmap_sN_null_arpsweep_3hosts.pcap, 8007, 8007",
            "scans/nmap_sS_1000ports_scanme.pcap, 2011, 2011",
            "scans/nmap_sS_metasploitable.pcapng, 2025, 2025",
            "scans/nmap_sS_ports1-10000_oneway.pcapng, 10009, 10009",
            "scans/nmap_sT_connect_1000ports.pcap, 2006, 2006",
            "scans/nmap_sT_connect_2hosts_5000ports_attacker.pcap, 20008, 20008",
            "scans/nmap_sU_2hosts_150ports_attacker.pcap, 932, 932",
            "scans/nmap_sU_metasploitable.pcapng, 52, 52",
            "scans/nmap_sV_version_scan_arpsweep.pcap, 44, 44",
            "scans/nmap_sX_metasploitable.pcapng, 2002, 2002",
            "scans/nmap_sX_xmas_2hosts_1000ports.pcap, 4000, 4000",
            "scans/nmap_sn_ping_sweep_with_replies.pcap, 37, 37",
            "scans/port_scan_10ports.pcap, 10, 10",
            "scans/tcp_ack_ping_sweep_24.pcapng, 256, 256",
            "scans/tcp_syn_ping_sweep_24.pcapng, 513, 513",
            "scans/udp_sweep_anonymized.pcap, 512, 512"
    })
    void everyPacketDecodesWithoutException(String path, int tsharkIp, int expectedOk) throws IOException {
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry());
        PacketMeta meta = new PacketMeta();
        int[] counts = new int[2];
        try (PcapFileSource source = new PcapFileSource(SharedCaptures.pcaps().resolve(path), new SimpleMeterRegistry())) {
            source.run((ts, wire, buf, off, cap, link, id) -> {
                DecodeResult r = decoder.decode(ts, wire, buf, off, cap, link, id, meta);
                assertNotNull(r);
                counts[0]++;
                if (r == DecodeResult.OK) {
                    counts[1]++;
                    assertTrue(meta.ipVersion == 4 || meta.ipVersion == 6);
                    assertTrue(meta.payloadLen >= 0);
                }
            });
        }
        assertEquals(expectedOk, counts[1], "packets decoded (tshark sees IP in " + tsharkIp + ")");
        assertTrue(Math.abs(tsharkIp - expectedOk) <= 2, "at most two packets apart from tshark");
    }

    /** Captures covering every link type, tag, tunnel, extension header and ICMP error form. */
    private static final List<String> COMPARED = List.of(
            "benign/redis_loopback_sll.pcap",
            "benign/dns_edns_v4_v6.pcap",
            "edge/sll2_linux_cooked_v2.pcap",
            "edge/sll2_http_suricata.pcap",
            "edge/null_loopback_nats.pcap",
            "edge/pcapng_null_loopback_smbghost.pcapng",
            "edge/raw_ip_v6.pcap",
            "edge/raw_ip_v4.pcap",
            "edge/linktype_ipv4.pcap",
            "edge/linktype_ipv6.pcap",
            "edge/nflog_http.pcap",
            "edge/big_endian_pcap_pptp.pcap",
            "edge/nanosecond_pcap_sll.pcap",
            "edge/vlan_qinqinq_triple.pcap",
            "edge/vlan_icmp_dot1q.pcap",
            "edge/qinq_8021ad.pcap",
            "edge/vlan_mpls_mixed.pcap",
            "edge/snap_llc_8023_tcp.pcap",
            "edge/ipv6_mixed.pcap",
            "edge/ipv6_fragmented_dns.pcap",
            "edge/ipv6_atomic_fragment_http.pcap",
            "edge/ipv4_fragments_3.pcap",
            "edge/ipv4_frags_suricata.pcap",
            "edge/ipv6_jumbogram.pcap",
            "edge/geneve.pcap",
            "edge/geneve_gcp_options.pcap",
            "edge/vxlan_http.pcap",
            "edge/vxlan_suricata.pcap",
            "edge/gre_teb_vmware.pcap",
            "edge/erspan_datacenter_mirror.pcap",
            "scans/nmap_sU_2hosts_150ports_attacker.pcap",
            "scans/nmap_sS_metasploitable.pcapng",
            "scans/lateral_wannacry_smb_worm.pcap");

    /**
     * Concatenates a set of captures with mergecap (one pcapng, one interface per link type, so
     * this also reads a multi-interface file), runs tshark once over it and compares, packet by
     * packet, the addresses and ports the decoder reports with the innermost ones tshark shows
     * (the quoted packet's for ICMP errors). tshark does not reassemble here
     * ({@code ip.defragment:FALSE}), so non-first fragments have no ports on its side and are
     * compared by address only.
     */
    @Test
    void fiveTupleAgreesWithTshark(@TempDir Path dir) throws Exception {
        Path merged = dir.resolve("merged.pcapng");
        List<String> command = new ArrayList<>(List.of("mergecap", "-a", "-F", "pcapng", "-w", merged.toString()));
        int expectedPackets = 0;
        for (String path : COMPARED) {
            command.add(SharedCaptures.pcaps().resolve(path).toString());
        }
        Process merge = new ProcessBuilder(command).redirectErrorStream(true).start();
        String mergeOut = new String(merge.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(merge.waitFor(120, TimeUnit.SECONDS), "mergecap finished");
        assertEquals(0, merge.exitValue(), mergeOut);
        for (String path : COMPARED) {
            try (PcapFileSource source = new PcapFileSource(SharedCaptures.pcaps().resolve(path), new SimpleMeterRegistry())) {
                int[] n = {0};
                source.run((ts, wire, buf, off, cap, link, id) -> n[0]++);
                expectedPackets += n[0];
            }
        }
        List<String[]> tshark = tshark(merged);
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry());
        PacketMeta meta = new PacketMeta();
        List<String> mismatches = new ArrayList<>();
        int[] index = {0, 0};
        try (PcapFileSource source = new PcapFileSource(merged, new SimpleMeterRegistry())) {
            source.run((ts, wire, buf, off, cap, link, id) -> {
                int n = index[0]++;
                if (decoder.decode(ts, wire, buf, off, cap, link, id, meta) != DecodeResult.OK || n >= tshark.size()) {
                    return;
                }
                String problem = compare(meta, tshark.get(n));
                if (problem != null) {
                    mismatches.add("packet " + (n + 1) + ": " + problem);
                } else {
                    index[1]++;
                }
            });
        }
        assertEquals(expectedPackets, index[0], "the merged file holds every packet");
        assertEquals(tshark.size(), index[0], "tshark and eastwatch read as many packets");
        assertTrue(mismatches.isEmpty(), mismatches.size() + " mismatches, first: " + mismatches.stream().limit(5).toList());
        assertTrue(index[1] > expectedPackets * 9 / 10, "compared " + index[1] + " of " + expectedPackets);
    }

    /** Reading and decoding a whole capture (tunnels, fragments, ICMP errors included) allocates nothing per packet. */
    @Test
    void decodingAllocatesNothingPerPacket(@TempDir Path dir) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        PacketDecoder decoder = new PacketDecoder(new SimpleMeterRegistry());
        PacketMeta meta = new PacketMeta();
        long[] ok = {0};
        io.eastwatch.agent.capture.PacketHandler handler = (ts, wire, buf, off, cap, link, id) -> {
            if (decoder.decode(ts, wire, buf, off, cap, link, id, meta) == DecodeResult.OK) {
                ok[0]++;
            }
        };
        List<Path> files = List.of(SharedCaptures.pcaps().resolve("edge/erspan_datacenter_mirror.pcap"),
                SharedCaptures.pcaps().resolve("scans/nmap_sU_2hosts_150ports_attacker.pcap"),
                SharedCaptures.pcaps().resolve("edge/ipv4_fragmented_garbage.pcap"),
                SharedCaptures.pcaps().resolve("scans/bruteforce_ssh_hydra_4tasks.pcap"));
        for (Path file : files) {
            try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry())) {
                source.run(handler); // warm-up: counters and lambdas are created here
                long before = threads.getCurrentThreadAllocatedBytes();
                source.run(handler);
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 16_384, file.getFileName() + ": allocated " + allocated + " bytes in one pass");
            }
        }
        assertTrue(ok[0] > 20_000);
    }

    private static List<String[]> tshark(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                "-r", file.toString(), "-T", "fields", "-E", "separator=|", "-E", "aggregator=,", "-E", "occurrence=a",
                "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "tshark finished");
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n", -1)) {
            if (!line.isEmpty()) {
                rows.add(line.split("\\|", -1));
            }
        }
        return rows;
    }

    private static String[] list(String s) {
        return s.isEmpty() ? new String[0] : s.split(",");
    }

    private static String last(String[] a, int fromEnd) {
        return a.length >= fromEnd ? a[a.length - fromEnd] : null;
    }

    private static String compare(PacketMeta m, String[] t) {
        String[] srcs = list(m.ipVersion == 4 ? t[0] : t[2]);
        String[] dsts = list(m.ipVersion == 4 ? t[1] : t[3]);
        String[] tcpS = list(t[4]);
        String[] tcpD = list(t[5]);
        String[] udpS = list(t[6]);
        String[] udpD = list(t[7]);
        String src = address(m.ipVersion, m.srcHi, m.srcLo);
        String dst = address(m.ipVersion, m.dstHi, m.dstLo);
        if (m.icmpError) {
            // Outer header is the one before the quote; the quote is tshark's last.
            String want = last(srcs, 2) + ">" + last(dsts, 2) + " quoting " + last(srcs, 1) + ">" + last(dsts, 1);
            String got = src + ">" + dst + " quoting " + address(m.ipVersion, m.innerSrcHi, m.innerSrcLo) + ">"
                    + address(m.ipVersion, m.innerDstHi, m.innerDstLo);
            if (!want.equals(got)) {
                return "icmp error: tshark " + want + ", eastwatch " + got;
            }
            String[] ps = m.innerProtocol == 6 ? tcpS : udpS;
            String[] pd = m.innerProtocol == 6 ? tcpD : udpD;
            if ((m.innerProtocol == 6 || m.innerProtocol == 17) && ps.length > 0
                    && !(last(ps, 1) + ":" + last(pd, 1)).equals(m.innerSrcPort + ":" + m.innerDstPort)) {
                return "icmp quoted ports: tshark " + last(ps, 1) + ":" + last(pd, 1);
            }
            return null;
        }
        String want = last(srcs, 1) + ">" + last(dsts, 1);
        if (!want.equals(src + ">" + dst)) {
            return "addresses: tshark " + want + ", eastwatch " + src + ">" + dst;
        }
        String[] ps = m.protocol == 6 ? tcpS : m.protocol == 17 ? udpS : new String[0];
        String[] pd = m.protocol == 6 ? tcpD : m.protocol == 17 ? udpD : new String[0];
        if (ps.length > 0 && !(last(ps, 1) + ":" + last(pd, 1)).equals(m.srcPort + ":" + m.dstPort)) {
            return "ports: tshark " + last(ps, 1) + ":" + last(pd, 1) + ", eastwatch " + m.srcPort + ":" + m.dstPort;
        }
        if (ps.length == 0 && (m.protocol == 6 || m.protocol == 17) && !m.fragment) {
            return "tshark shows no ports for a whole " + m.protocol + " packet";
        }
        return null;
    }

    private static String address(int version, long hi, long lo) {
        byte[] b;
        if (version == 4) {
            b = new byte[] {(byte) (lo >> 24), (byte) (lo >> 16), (byte) (lo >> 8), (byte) lo};
        } else {
            b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >> (56 - 8 * i));
                b[8 + i] = (byte) (lo >> (56 - 8 * i));
            }
        }
        try {
            String s = InetAddress.getByAddress(b).getHostAddress();
            return version == 6 ? compress(s) : s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Java prints IPv6 uncompressed (0:0:0:0:0:0:0:1); tshark prints RFC 5952 (::1). */
    private static String compress(String full) {
        String[] parts = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < parts.length; ) {
            if (parts[i].equals("0")) {
                int j = i;
                while (j < parts.length && parts[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(parts, bestStart + bestLen, parts.length));
        return head + "::" + tail;
    }
}
