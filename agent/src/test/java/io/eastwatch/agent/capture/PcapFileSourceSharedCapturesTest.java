package io.eastwatch.agent.capture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads every real capture in ../shared/pcaps and compares with Wireshark's reading of the same
 * file. Expected values were recorded with (Debian tshark/capinfos 4.0):
 * <pre>
 *   capinfos -c -M FILE                                   # packet count
 *   xxd -p -l4 FILE                                       # magic: format
 *   tshark -n -r FILE -T fields -e frame.time_epoch -e frame.len \
 *     | awk 'NR==1{f=$1} {s+=$2; l=$1} END{print f, l, s+0}'   # first/last timestamp, wire bytes
 * </pre>
 * Timestamps are tshark's epoch seconds truncated to microseconds, except the last packet of
 * edge/timestamp_invalid_micro.pcap: its microsecond field is 2^31, which tshark shows as .0 and
 * tcpdump carries over 2147 s; eastwatch clamps it to the second's last microsecond.
 */
class PcapFileSourceSharedCapturesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "benign/dns_edns_v4_v6.pcap, PCAP, 89, 1463559350492846, 1560869916475993, 36843",
            "benign/docker_app_postgres.pcap, PCAP, 230, 1773396018138735, 1773396058909987, 28223",
            "benign/docker_pgsql_5000_rows.pcap, PCAP, 785, 1637772978354993, 1637772990165402, 3263421",
            "benign/elasticsearch.pcap, PCAP, 47, 1666258196034202, 1666259173881713, 12739",
            "benign/http_browse_bro_org.pcap, PCAP, 751, 1389719041819644, 1389719059311698, 494493",
            "benign/http_wikipedia.pcap, PCAP, 136, 1300475167096535, 1300475173475401, 25260",
            "benign/kafka.pcapng, PCAPNG, 41, 1681844706292198, 1703132769960435, 7067",
            "benign/ldap_ad_traffic.pcapng, PCAPNG, 315, 1707936854037888, 1707936917311391, 432656",
            "benign/mongodb.pcap, PCAP, 27, 1483459978959064, 1483814916108514, 2740",
            "benign/mssql_tds.pcap, PCAP, 38, 1240877917888015, 1278068444666075, 16260",
            "benign/mysql8_login_failed_once.pcap, PCAP, 22, 1723196800547850, 1723196800713980, 2851",
            "benign/mysql_k8s_171.pcap, PCAP, 1040, 1634884617012039, 1634884762225157, 97463",
            "benign/mysql_session.pcap, PCAP, 57, 1216281025136169, 1216281124419116, 5631",
            "benign/pgsql_cloud.pcap, PCAP, 78, 1768985060594846, 1768985075136802, 82237",
            "benign/postgres_login_failed_once.pcap, PCAP, 14, 1725390322524353, 1725390322532572, 1410",
            "benign/redis_loopback_sll.pcap, PCAP, 150, 1424744580757048, 1424744580763263, 24434",
            "benign/smb2_file_transfer.pcap, PCAP, 1178, 1323202695370647, 1323202695803970, 1585815",
            "benign/ssh_sessions_lan.pcap, PCAP, 1797, 1324071333493287, 1421041528379372, 1291435",
            "benign/various_services_std_ports.pcap, PCAP, 263, 1308930691035044, 1308930728226254, 49573",
            "benign/voip_mysql_lab_sll.pcap, PCAP, 8728, 1195211747272763, 1195211798887638, 2444310",
            "edge/bad_dns_snaplen16384.pcap, PCAP, 93, 1495451029466717, 1495451915752227, 49526",
            "edge/big_endian_pcap_pptp.pcap, PCAP, 23, 954147395148077, 954147396347775, 2072",
            "edge/bigtcp_ipv4_in_vxlan.pcap, PCAP, 1, 1759417955180627, 1759417955180627, 80116",
            "edge/empty.pcap, PCAP, 0, 0, 0, 0",
            "edge/empty.pcapng, PCAPNG, 0, 0, 0, 0",
            "edge/erspan3_bogus_snaplen.pcap, PCAP, 1, 67109118554240, 67109118554240, 188109",
            "edge/erspan_datacenter_mirror.pcap, PCAP, 1029, 1608815064572414, 1608815064574930, 338916",
            "edge/geneve.pcap, PCAP, 6, 1402706119542940, 1402706121543122, 912",
            "edge/geneve_gcp_options.pcap, PCAP, 1, 1647858663250708, 1647858663250708, 130",
            "edge/gre_teb_vmware.pcap, PCAP, 57, 1626876967123610, 1626876975369626, 8071",
            "edge/gso_ipv4_in_vxlan.pcap, PCAP, 1, 1759509014343441, 1759509014343441, 7106",
            "edge/ip4_truncated.pcap, PCAP, 1, 1334160095895421, 1334160095895421, 46",
            "edge/ip6_frag_fuzz.pcap, PCAP, 1, 2145916800000000, 2145916800000000, 262144",
            "edge/ip6_truncated.pcap, PCAP, 1, 1334156241519125, 1334156241519125, 74",
            "edge/ip_bogus_header_len.pcap, PCAP, 1, 1622130530134967, 1622130530134967, 60",
            "edge/ipv4_fragmented_garbage.pcap, PCAP, 1252, 1534244024697756, 1534244025612419, 62584",
            "edge/ipv4_fragmented_syn.pcap, PCAP, 2, 1756907829066973, 1756907829067038, 108",
            "edge/ipv4_fragments_1.pcap, PCAP, 3, 950988235155866, 950988235156457, 548",
            "edge/ipv4_fragments_3.pcap, PCAP, 5, 964750760184607, 964750760259631, 7570",
            "edge/ipv4_frags_suricata.pcap, PCAP, 3, 1506945812535132, 1506945812535641, 2918",
            "edge/ipv4_len_exceeds_caplen.pcap, PCAP, 1, 1734374386302630, 1734374386302630, 1530",
            "edge/ipv6_atomic_fragment_http.pcap, PCAP, 38, 1333039452484983, 1333039454350237, 3408",
            "edge/ipv6_fragmented_dns.pcap, PCAP, 8, 1331084278438444, 1331084298676270, 4620",
            "edge/ipv6_jumbogram.pcap, PCAP, 1, 1659344995627421, 1659344995627421, 65590",
            "edge/ipv6_mixed.pcap, PCAP, 17, 1418793769660674, 1418793781076847, 1532",
            "edge/linktype_ipv4.pcap, PCAP, 1, 1751997572592885, 1751997572592885, 57",
            "edge/linktype_ipv6.pcap, PCAP, 1, 1751997566204450, 1751997566204450, 77",
            "edge/malformed_icmp.pcap, PCAP, 1, 1593066612951269, 1593066612951269, 42",
            "edge/nanosecond_pcap_sll.pcap, PCAP, 3, 1418145369924505, 1418145370052115, 220",
            "edge/nflog_http.pcap, PCAP, 13, 1470574779148133, 1470574780138288, 3104",
            "edge/null_loopback_nats.pcap, PCAP, 27, 1586288040558498, 1586288042776134, 2460",
            "edge/pcapng_multi_interface.pcapng, PCAPNG, 6, 1767663089500330, 1767663437140942, 798",
            "edge/pcapng_null_loopback_smbghost.pcapng, PCAPNG, 10, 1595891036785749, 1595891036858416, 1641",
            "edge/qinq_8021ad.pcap, PCAP, 5, 1363900699548138, 1363900699553625, 856",
            "edge/qinq_88a8_arp.pcap, PCAP, 2, 1575842394599412, 1575842394599680, 128",
            "edge/raw_ip_v4.pcap, PCAP, 1, 1751997551951226, 1751997551951226, 57",
            "edge/raw_ip_v6.pcap, PCAP, 1, 1751997557215270, 1751997557215270, 77",
            "edge/sll2_http_suricata.pcap, PCAP, 5, 1736381483613927, 1736381483615602, 458",
            "edge/sll2_linux_cooked_v2.pcap, PCAP, 6, 1660534249872259, 1660535793578961, 552",
            "edge/sll_v1_arp.pcap, PCAP, 12, 1593626138922595, 1593626147243274, 744",
            "edge/sll_v1_mptcp.pcap, PCAP, 20, 1578930666676845, 1578930666677429, 22244",
            "edge/snap_llc_8023_tcp.pcap, PCAP, 8, 1730384299771684, 1730384299775109, 610",
            "edge/snaplen1_trunc_hdr.pcap, PCAP, 1, 1404148886981015, 1404148886981015, 78",
            "edge/snaplen256_null_quic.pcap, PCAP, 18, 1635191822464273, 1635191822489327, 5485",
            "edge/snaplen50_tcp_rst_payload.pcap, PCAP, 1, 1776618244220818, 1776618244220818, 52",
            "edge/snaplen68_tcp_truncated_header.pcap, PCAP, 24, 1103139821634774, 1103139823145958, 1993",
            "edge/time_2038.pcap, PCAP, 1, 2145916800000000, 2145916800000000, 98",
            "edge/time_2106_overflow.pcapng, PCAPNG, 1, 4294967296000000, 4294967296000000, 98",
            "edge/timestamp_invalid_micro.pcap, PCAP, 3, 1418145369999999, 1418145370999999, 220",
            "edge/udp_truncated_oob.pcap, PCAP, 1, 0, 0, 65549",
            "edge/unsupported_linktype_160.pcap, PCAP, 1, 0, 0, 23",
            "edge/vlan0_priority_tag_http.pcap, PCAP, 14, 1362692526869344, 1362692527080972, 6143",
            "edge/vlan_icmp_dot1q.pcap, PCAP, 15, 1213957237965649, 1213957272997261, 1446",
            "edge/vlan_mpls_mixed.pcap, PCAP, 47, 952109346874907, 1278600802074822, 16403",
            "edge/vlan_qinqinq_triple.pcap, PCAP, 14, 1362692526869344, 1362692527080972, 6255",
            "edge/vxlan.pcap, PCAP, 10, 1467818432675392, 1467818435680663, 1368",
            "edge/vxlan_http.pcap, PCAP, 12, 1630165473690298, 1630165474317388, 10707",
            "edge/vxlan_ipv6_outer_truncated_inner.pcap, PCAP, 1, 1610106984550630, 1610106984550630, 1514",
            "edge/vxlan_port8472_flannel.pcap, PCAP, 10, 1368908504837063, 1368908507885359, 1368",
            "edge/vxlan_suricata.pcap, PCAP, 100, 1561644070047299, 1561644100877673, 26048",
            "scans/arp_scan_lan.pcap, PCAP, 534, 1632214645783595, 1632214658604726, 22945",
            "scans/arp_sweep_24.pcap, PCAP, 509, 1655136351269686, 1655136352287117, 21378",
            "scans/arpsweep_then_sS_4hosts.pcap, PCAP, 8535, 1541636387409168, 1541636469732857, 494192",
            "scans/backscatter_negative_control.pcap, PCAP, 4771, 1237106706081731, 1237193070370936, 287044",
            "scans/bruteforce_ftp_zeek.pcap, PCAP, 606, 1389721044820046, 1389721103938346, 45447",
            "scans/bruteforce_kerberos_passwordspray_kerbrute.pcapng, PCAPNG, 33, 1595445392800983, 1595445395110381, 9489",
            "scans/bruteforce_ssh_guessing_zeek.pcap, PCAP, 431, 1427726689213953, 1427726759306612, 84001",
            "scans/bruteforce_ssh_hydra_4tasks.pcap, PCAPNG, 9918, 394218, 1201766258, 1383508",
            "scans/bruteforce_ssh_medusa_1task.pcap, PCAPNG, 8475, 921524, 1201067640, 1344158",
            "scans/bruteforce_ssh_mmt.pcap, PCAP, 233, 1492079795717693, 1492079807461434, 42698",
            "scans/bruteforce_ssh_ncrack_sneaky.pcap, PCAPNG, 4415, 32592, 1200317737, 833083",
            "scans/bruteforce_ssh_nmap_sshbrute_port902.pcap, PCAP, 1178, 1774219636918162, 1774219649740033, 247092",
            "scans/discovery_dcerpc_epm_scan.pcapng, PCAPNG, 700, 1600974703307231, 1600974703431511, 128200",
            "scans/discovery_psloggedon_winreg.pcapng, PCAPNG, 248, 1595365983940699, 1595365994783252, 87488",
            "scans/icmp_ping_sweep_24.pcap, PCAP, 512, 1655136693384194, 1655136695604567, 21504",
            "scans/internet_multiport_scan.pcap, PCAP, 16, 1505072954306835, 1505059494013180, 1116",
            "scans/internet_smb445_horizontal_scan.pcap, PCAP, 21, 1505072198895530, 1505065958063805, 1446",
            "scans/lateral_dcom_mmc20.pcapng, PCAPNG, 74, 1595113802061141, 1595113806348547, 16200",
            "scans/lateral_psexec_smb_svcctl.pcapng, PCAPNG, 264, 1595164481180768, 1595164481822628, 198414",
            "scans/lateral_rdp_sharprdp.pcapng, PCAPNG, 1046, 1595284457571949, 1595284496537602, 232270",
            "scans/lateral_smbexec.pcapng, PCAPNG, 82, 1595183184971636, 1595183196010878, 18853",
            "scans/lateral_wannacry_smb_worm.pcap, PCAP, 1627, 1495037791014442, 1495037791190492, 128850",
            "scans/lateral_wmi_exec.pcapng, PCAPNG, 139, 1595585619846127, 1595585631570835, 104841",
            "scans/masscan_tcp_0-1000.pcap, PCAP, 1005, 1566411407841604, 1566411417888982, 64320",
            "scans/masscan_udp_0-1000.pcap, PCAP, 1001, 1566411437834338, 1566411447857209, 64180",
            "scans/nmap_A_port80_single_target.pcap, PCAP, 431, 1596347378734373, 1596347386099090, 110495",
            "scans/nmap_sF_metasploitable.pcapng, PCAPNG, 2008, 1770709245779790, 1770709251213260, 114415",
            "scans/nmap_sN_null_arpsweep_3hosts.pcap, PCAP, 8533, 1541794639574030, 1541795276839673, 475076",
            "scans/nmap_sS_1000ports_scanme.pcap, PCAP, 2011, 1278275056274870, 1278275079360213, 116672",
            "scans/nmap_sS_metasploitable.pcapng, PCAPNG, 2032, 1770709140396200, 1770709147597148, 119819",
            "scans/nmap_sS_ports1-10000_oneway.pcapng, PCAPNG, 10009, 1592551774886931, 1592551780329593, 580528",
            "scans/nmap_sT_connect_1000ports.pcap, PCAP, 2517, 1541470274814596, 1541470281935405, 159032",
            "scans/nmap_sT_connect_2hosts_5000ports_attacker.pcap, PCAP, 20016, 1541968293867046, 1541968311995496, 1340992",
            "scans/nmap_sU_2hosts_150ports_attacker.pcap, PCAP, 974, 1541968430318781, 1541968672294065, 52980",
            "scans/nmap_sU_metasploitable.pcapng, PCAPNG, 54, 1770709356469942, 1770709358789713, 3789",
            "scans/nmap_sV_version_scan_arpsweep.pcap, PCAP, 547, 1317146840497541, 1317146842913053, 24420",
            "scans/nmap_sX_metasploitable.pcapng, PCAPNG, 2008, 1770709302159022, 1770709307232555, 114411",
            "scans/nmap_sX_xmas_2hosts_1000ports.pcap, PCAP, 4012, 1541800387680329, 1541800405997961, 228576",
            "scans/nmap_sn_ping_sweep_with_replies.pcap, PCAP, 37, 1664054596398593, 1664054598020489, 1554",
            "scans/port_scan_10ports.pcap, PCAP, 10, 1508968601767055, 1508968601767244, 780",
            "scans/tcp_ack_ping_sweep_24.pcapng, PCAP, 256, 1655140822384428, 1655140822391854, 13824",
            "scans/tcp_syn_ping_sweep_24.pcapng, PCAP, 513, 1655140427391936, 1655140429232602, 29746",
            "scans/udp_sweep_anonymized.pcap, PCAP, 512, 1657163103258780, 1657163154327273, 21504"
    })
    void readsLikeWireshark(String path, PcapFileSource.Format format, long packets, long firstTs, long lastTs,
                            long wireBytes) throws IOException {
        Path file = SharedCaptures.pcaps().resolve(path);
        long[] seen = new long[4];
        seen[1] = Long.MIN_VALUE;
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry())) {
            assertEquals(format, source.format(), "format by magic");
            source.run(new PacketHandler() {
                @Override
                public void onPacket(long tsMicros, int wireLen, ByteBuffer buf, int offset, int capLen,
                                     int linkType, int interfaceId) {
                    if (seen[0] == 0) {
                        seen[1] = tsMicros;
                    }
                    seen[0]++;
                    seen[2] = tsMicros;
                    seen[3] += wireLen;
                    assertTrue(capLen >= 0 && offset >= 0 && offset + capLen <= buf.limit(), "record inside the mapping");
                    assertTrue(wireLen >= capLen, "wire length covers the captured bytes");
                }
            });
            FileReadStats stats = source.stats();
            assertEquals(packets, seen[0], "packets delivered");
            assertEquals(packets, stats.packetsDelivered(), "stats agree");
            if (packets > 0) {
                assertEquals(firstTs, seen[1], "first timestamp (us)");
                assertEquals(lastTs, seen[2], "last timestamp (us)");
            }
            assertEquals(wireBytes, seen[3], "sum of wire lengths");
        }
        // The memory-mapped way reads the same.
        long[] mapped = new long[2];
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry(), PcapFileSource.Settings.mapped())) {
            source.run((ts, wire, buf, off, cap, link, id) -> {
                mapped[0]++;
                mapped[1] += wire;
            });
        }
        assertEquals(packets, mapped[0], "packets delivered when mapped");
        assertEquals(wireBytes, mapped[1], "wire bytes when mapped");
    }

    @Test
    void everySharedCaptureIsInTheTable() throws IOException {
        Path root = SharedCaptures.pcaps();
        Set<String> onDisk;
        try (Stream<Path> files = Files.walk(root)) {
            onDisk = files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".md"))
                    .map(p -> root.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        String table = readTable();
        List<String> missing = onDisk.stream().filter(p -> !table.contains("\"" + p + ",")).toList();
        assertTrue(missing.isEmpty(), "captures without expected values: " + missing);
        assertTrue(onDisk.size() >= 120, "shared captures found: " + onDisk.size());
    }

    @Test
    void truncatedPgsqlCaptureKeepsItsPacketsAndCountsTheTail() throws IOException {
        Path file = SharedCaptures.pcaps().resolve("benign/docker_pgsql_5000_rows.pcap");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (PcapFileSource source = new PcapFileSource(file, registry)) {
            long[] n = {0};
            source.run((ts, wire, buf, off, cap, link, ifId) -> n[0]++);
            assertEquals(785, n[0]);
            FileReadStats stats = source.stats();
            assertTrue(stats.truncated(), stats.toString());
            assertEquals(1, stats.count(CaptureFileError.TRUNCATED_RECORD));
            assertEquals(1.0, registry.get(FileReadCounters.ERRORS_METRIC).tag("reason", "truncated_record")
                    .counter().count());
            assertEquals(785.0, registry.get(FileReadCounters.PACKETS_METRIC).counter().count());
        }
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "scans/bruteforce_ssh_hydra_4tasks.pcap, PCAPNG",
        "scans/bruteforce_ssh_medusa_1task.pcap, PCAPNG",
        "scans/bruteforce_ssh_ncrack_sneaky.pcap, PCAPNG",
        "scans/tcp_syn_ping_sweep_24.pcapng, PCAP",
        "scans/tcp_ack_ping_sweep_24.pcapng, PCAP",
        "edge/big_endian_pcap_pptp.pcap, PCAP",
        "edge/nanosecond_pcap_sll.pcap, PCAP",
    })
    void mislabelledFilesAreDetectedByMagic(String path, PcapFileSource.Format format) throws IOException {
        assertEquals(format, PcapFileSource.detect(SharedCaptures.pcaps().resolve(path)));
    }

    @Test
    void backwardTimestampsAreDeliveredAndCounted() throws IOException {
        Path file = SharedCaptures.pcaps().resolve("scans/nmap_sT_connect_2hosts_5000ports_attacker.pcap");
        try (PcapFileSource source = new PcapFileSource(file, new SimpleMeterRegistry())) {
            long[] prev = {Long.MIN_VALUE, 0};
            source.run((ts, wire, buf, off, cap, link, ifId) -> {
                if (ts < prev[0]) {
                    prev[1]++;
                }
                prev[0] = ts;
            });
            assertEquals(80, prev[1], "PROVENANCE.md: this capture goes backwards in time 80 times");
            assertEquals(prev[1], source.stats().count(CaptureFileError.TIMESTAMP_BACKWARDS));
        }
    }

    private static String readTable() throws IOException {
        Path self = Path.of(System.getProperty("eastwatch.root", ".."), "agent/src/test/java",
                PcapFileSourceSharedCapturesTest.class.getName().replace('.', '/') + ".java");
        if (!Files.exists(self)) {
            self = Path.of("src/test/java", PcapFileSourceSharedCapturesTest.class.getName().replace('.', '/') + ".java");
        }
        return Files.readString(self);
    }
}
