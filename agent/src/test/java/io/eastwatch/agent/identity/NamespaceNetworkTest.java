package io.eastwatch.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamespaceNetworkTest {

    @Test
    void readsLocalAddressesAndOnLinkPrefixesFromALabContainersFibTrie() {
        Set<ByteString> addresses = new LinkedHashSet<>();
        List<Cidr> networks = new ArrayList<>();
        NamespaceNetwork.parseFibTrie(Fixtures.text("fib_trie-lab.txt"), addresses, networks);
        assertEquals(Set.of(Addresses.of("172.30.0.3")), addresses, "127.0.0.1 and broadcast entries excluded");
        assertEquals(List.of(Cidr.parse("172.30.0.0/20")), networks);
    }

    @Test
    void readsGlobalIpv6AddressesButNotLinkLocalOrLoopback() {
        String ifInet6 = """
                00000000000000000000000000000001 01 80 10 80       lo
                fe800000000000000042acfffe1e0003 09 40 20 80     eth0
                fd00000000000000000000000000abcd 09 40 00 80     eth0
                """;
        Set<ByteString> addresses = new LinkedHashSet<>();
        NamespaceNetwork.parseIfInet6(ifInet6, addresses);
        assertEquals(Set.of(Addresses.of("fd00::abcd")), addresses);
    }

    @Test
    void readsInterfaceIndexesFromIgmp() {
        String igmp = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
                + "1\tlo        :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n"
                + "9\teth0      :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n";
        assertEquals(Map.of("lo", 1, "eth0", 9), NamespaceNetwork.parseIgmpIndexes(igmp));
    }

    @Test
    void garbageGivesNothingRatherThanAnError() {
        Set<ByteString> addresses = new LinkedHashSet<>();
        List<Cidr> networks = new ArrayList<>();
        NamespaceNetwork.parseFibTrie("|-- not-an-ip\n   /32 host LOCAL\n|--\n/\n", addresses, networks);
        NamespaceNetwork.parseIfInet6("zz 1 2\nshort\n", addresses);
        assertTrue(addresses.isEmpty());
        assertTrue(networks.isEmpty());
    }
}
