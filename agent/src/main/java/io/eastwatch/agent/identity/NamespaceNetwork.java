package io.eastwatch.agent.identity;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a network namespace's addresses and host-side veths from the host, without entering it.
 *
 * <p>Addresses: {@code /proc/<pid>/net/fib_trie} lists the namespace's local (/32 host LOCAL)
 * IPv4 addresses and its on-link prefixes; {@code /proc/<pid>/net/if_inet6} its IPv6 addresses.
 *
 * <p>Veths: the host side of a container's eth0 is the interface whose host ifindex equals eth0's
 * {@code iflink}. {@code /sys} seen by the host always describes the host's namespace (reading it
 * after entering only the network namespace answers for the host's eth0), but the container's own
 * sysfs mount, reached through {@code /proc/<pid>/root/sys/class/net}, was mounted inside its
 * namespace and answers for it. That mount is checked against the namespace's interface indexes
 * in {@code /proc/<pid>/net/igmp} before it is trusted, since a container may bind the host's /sys.
 */
final class NamespaceNetwork {
    record Result(Set<ByteString> addresses, Set<String> hostInterfaces, List<Cidr> networks) {
    }

    private final Path proc;
    private final Path hostSysClassNet;

    NamespaceNetwork(Path proc, Path hostSysClassNet) {
        this.proc = proc;
        this.hostSysClassNet = hostSysClassNet;
    }

    Result read(int pid) throws IOException {
        Path base = proc.resolve(Integer.toString(pid));
        Set<ByteString> addresses = new LinkedHashSet<>();
        List<Cidr> networks = new ArrayList<>();
        parseFibTrie(Files.readString(base.resolve("net/fib_trie")), addresses, networks);
        Path inet6 = base.resolve("net/if_inet6");
        if (Files.exists(inet6)) {
            parseIfInet6(Files.readString(inet6), addresses);
        }
        return new Result(addresses, hostVeths(base), networks);
    }

    /** Local IPv4 addresses (outside 127/8) and on-link prefixes from a fib_trie dump. */
    static void parseFibTrie(String fibTrie, Set<ByteString> addresses, List<Cidr> networks) {
        String lastAddr = null;
        for (String raw : fibTrie.split("\n")) {
            String line = raw.trim();
            if (line.startsWith("|-- ")) {
                lastAddr = line.substring(4).trim();
            } else if (line.startsWith("/") && lastAddr != null) {
                String[] f = line.split("\\s+");
                if (f.length >= 3) {
                    byte[] a = Addresses.parse(lastAddr);
                    if (a == null || a.length != 4 || (a[0] & 0xff) == 127) {
                        continue;
                    }
                    if (f[0].equals("/32") && f[1].equals("host") && f[2].equals("LOCAL")) {
                        addresses.add(ByteString.copyFrom(a));
                    } else if (f[1].equals("link") && f[2].equals("UNICAST")) {
                        Cidr c = Cidr.parse(lastAddr + f[0]);
                        if (!networks.contains(c) && c.bits() > 0) {
                            networks.add(c);
                        }
                    }
                }
            }
        }
    }

    /** Global-scope IPv6 addresses (scope 00) of interfaces other than lo. */
    static void parseIfInet6(String ifInet6, Set<ByteString> addresses) {
        for (String line : ifInet6.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[0].length() != 32 || !f[3].equals("00") || f[5].equals("lo")) {
                continue;
            }
            byte[] b = new byte[16];
            for (int i = 0; i < 16; i++) {
                b[i] = (byte) Integer.parseInt(f[0].substring(2 * i, 2 * i + 2), 16);
            }
            addresses.add(ByteString.copyFrom(b));
        }
    }

    /** Interface index -> name in the namespace, from /proc/<pid>/net/igmp (lines "9\teth0 : ..."). */
    static Map<String, Integer> parseIgmpIndexes(String igmp) {
        Map<String, Integer> idx = new HashMap<>();
        for (String line : igmp.split("\n")) {
            if (line.isEmpty() || !Character.isDigit(line.charAt(0))) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length >= 2) {
                idx.put(f[1], Integer.parseInt(f[0]));
            }
        }
        return idx;
    }

    private Set<String> hostVeths(Path base) throws IOException {
        Set<String> veths = new LinkedHashSet<>();
        Path sysNet = base.resolve("root/sys/class/net");
        Path igmp = base.resolve("net/igmp");
        if (!Files.isDirectory(sysNet) || !Files.exists(igmp)) {
            return veths;
        }
        Map<String, Integer> nsIndexes = parseIgmpIndexes(Files.readString(igmp));
        Map<Integer, String> hostByIndex = null;
        try (DirectoryStream<Path> ifaces = Files.newDirectoryStream(sysNet)) {
            for (Path iface : ifaces) {
                String name = iface.getFileName().toString();
                Integer nsIndex = nsIndexes.get(name);
                if (name.equals("lo") || nsIndex == null) {
                    continue;
                }
                int ifindex = readInt(iface.resolve("ifindex"));
                int iflink = readInt(iface.resolve("iflink"));
                if (ifindex != nsIndex) {
                    // This sysfs is not the namespace's own (a bind of the host's /sys): not usable.
                    return Set.of();
                }
                if (iflink <= 0 || iflink == ifindex) {
                    continue;   // not a veth (or its peer is in the same namespace)
                }
                if (hostByIndex == null) {
                    hostByIndex = hostIndexes();
                }
                String host = hostByIndex.get(iflink);
                if (host != null) {
                    veths.add(host);
                }
            }
        }
        return veths;
    }

    private Map<Integer, String> hostIndexes() throws IOException {
        Map<Integer, String> byIndex = new HashMap<>();
        try (DirectoryStream<Path> ifaces = Files.newDirectoryStream(hostSysClassNet)) {
            for (Path iface : ifaces) {
                int i = readInt(iface.resolve("ifindex"));
                if (i > 0) {
                    byIndex.put(i, iface.getFileName().toString());
                }
            }
        }
        return byIndex;
    }

    private static int readInt(Path p) {
        try {
            return Integer.parseInt(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;   // the interface went away or is not a network device: not a veth
        }
    }
}
