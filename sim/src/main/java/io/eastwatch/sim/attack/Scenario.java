package io.eastwatch.sim.attack;

import io.eastwatch.sim.cluster.Tier;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The attack scenarios of the evaluation. Each starts from one replica of a normal workload of the
 * given tier after the learning period; {@code expectedDetectors} names the detector kinds that
 * would be right to fire (any one naming the rogue container counts as caught).
 */
public enum Scenario {
    NONE(null, List.of(), "no attack: normal traffic only", null),
    SYN_SWEEP(Tier.FRONTEND, List.of("port-scan"),
            "raw SYN sweep of two hosts' pod blocks for Redis (6379), 100 probes/s", SynSweep::new),
    VERTICAL_SCAN(Tier.FRONTEND, List.of("port-scan"),
            "connect() scan of ports 1-1024 on one backend replica of another application", VerticalScan::new),
    SLOW_SCAN(Tier.API, List.of("port-scan"),
            "one SSH connect() probe every 10 s to pod addresses, live or empty (24 probes)", SlowScan::new),
    SMALL_SCAN(Tier.BACKEND, List.of("port-scan"),
            "10 well-known ports on one database replica of another application", SmallScan::new),
    UDP_SCAN(Tier.FRONTEND, List.of("port-scan"),
            "UDP ports 1-200 on one backend replica; closed ports answer ICMP port unreachable (rate-limited)",
            UdpScan::new),
    ICMP_SWEEP(Tier.API, List.of("port-scan"),
            "ICMP echo sweep of two hosts' pod blocks, 50 requests/s", IcmpSweep::new),
    DB_BRUTEFORCE(Tier.API, List.of("brute-force", "new-lateral-edge"),
            "300 failed database logins at about 5/s against its application's database", DatabaseBruteForce::new),
    LATERAL_EXFILTRATION(Tier.BACKEND, List.of("new-lateral-edge", "exfiltration"),
            "new edge to another application's database, then a 400 MB dump uploaded outside the cluster",
            LateralExfiltration::new),
    LIVE_SERVICE_SCAN(Tier.FRONTEND, List.of("new-lateral-edge", "replica-outlier", "port-scan"),
            "one successful connection to a live replica of every backend, database and cache, every 2 s",
            LiveServiceScan::new),
    CREDENTIAL_SPRAY(Tier.API, List.of("brute-force", "new-lateral-edge", "replica-outlier"),
            "one failed login to each database workload of the cluster, one every 6 s", CredentialSpray::new),
    KUBELET_PROBE(Tier.FRONTEND, List.of("new-lateral-edge", "port-scan"),
            "every host's kubelet API (10250), read-only kubelet (10255) and Docker API (2375), one host every 3 s",
            KubeletProbe::new),
    PEER_PORT_SWEEP(Tier.FRONTEND, List.of("new-lateral-edge", "replica-outlier", "port-scan"),
            "every replica of the workloads it already calls, on their service and metrics ports only, one every 3 s",
            PeerPortSweep::new),
    SLOW_BRUTEFORCE(Tier.API, List.of("brute-force", "new-lateral-edge"),
            "20 failed logins to its application's database, one every 15 s", SlowBruteForce::new),
    DNS_PORT_SWEEP(Tier.BACKEND, List.of("port-scan"),
            "one DNS query to port 53 of each of 120 pod addresses on two hosts, one every 2 s", DnsPortSweep::new);

    private final Tier attackerTier;
    private final List<String> expectedDetectors;
    private final String description;
    private final Supplier<Attack> attack;

    Scenario(Tier attackerTier, List<String> expectedDetectors, String description, Supplier<Attack> attack) {
        this.attackerTier = attackerTier;
        this.expectedDetectors = expectedDetectors;
        this.description = description;
        this.attack = attack;
    }

    /** Command-line name: lower case with dashes ("syn-sweep"), "none" for no attack. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Scenario parse(String id) {
        for (Scenario s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Scenario s : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(s.id());
        }
        throw new IllegalArgumentException("scenario: " + id + " (expected one of: " + known + ")");
    }

    public Tier attackerTier() {
        return attackerTier;
    }

    public List<String> expectedDetectors() {
        return expectedDetectors;
    }

    public String description() {
        return description;
    }

    /** Writes the attack's frames; returns the event time of its last one. */
    public long run(AttackContext ctx) {
        if (attack == null) {
            throw new IllegalStateException(id() + " has no attack traffic");
        }
        return attack.get().run(ctx);
    }
}
