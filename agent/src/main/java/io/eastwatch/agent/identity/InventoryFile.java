package io.eastwatch.agent.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the inventory file of DESIGN.md into a {@link ContainerTable}. Every problem is reported
 * with the file and the JSON path of the offending value, so an operator can fix it at once.
 */
final class InventoryFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InventoryFile() {
    }

    static ContainerTable load(Path file, ResolverLimits limits, String resolverName) throws InventoryException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new InventoryException(file + ": $: not valid JSON" + (loc == null ? "" : " at line " + loc.getLineNr()
                    + " column " + loc.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InventoryException(file + ": cannot read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new InventoryException(file + ": $: expected an object with a \"containers\" array");
        }
        JsonNode containers = root.get("containers");
        if (containers == null || !containers.isArray()) {
            throw new InventoryException(file + ": $.containers: expected an array");
        }
        ContainerTable table = new ContainerTable(limits);
        for (int i = 0; i < containers.size(); i++) {
            String at = "$.containers[" + i + "]";
            JsonNode c = containers.get(i);
            if (!c.isObject()) {
                throw new InventoryException(file + ": " + at + ": expected an object");
            }
            String id = requiredString(file, c, at, "id");
            String name = optionalString(file, c, at, "name");
            String image = optionalString(file, c, at, "image");
            String host = optionalString(file, c, at, "host");
            Map<String, String> labels = labels(file, c, at);
            String workload = optionalString(file, c, at, "workload");
            if (workload == null || workload.isEmpty()) {
                workload = Workloads.of(labels, image, name);
            }
            Set<ByteString> ips = ips(file, c, at);
            long started = time(file, c, at, "started", 0L);
            long stopped = time(file, c, at, "stopped", OwnershipTable.OPEN);
            if (stopped < started) {
                throw new InventoryException(file + ": " + at + ".stopped: before started");
            }
            ContainerIdentity identity = new ContainerIdentity(id, name, image, workload, host, resolverName);
            table.attach(identity, ips, java.util.List.of(), started);
            if (stopped != OwnershipTable.OPEN) {
                table.release(id, stopped);
            }
        }
        return table;
    }

    private static String requiredString(Path file, JsonNode c, String at, String field) throws InventoryException {
        String s = optionalString(file, c, at, field);
        if (s == null || s.isEmpty()) {
            throw new InventoryException(file + ": " + at + "." + field + ": required, a non-empty string");
        }
        return s;
    }

    private static String optionalString(Path file, JsonNode c, String at, String field) throws InventoryException {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InventoryException(file + ": " + at + "." + field + ": expected a string, got " + n.getNodeType());
        }
        return n.asText();
    }

    private static Map<String, String> labels(Path file, JsonNode c, String at) throws InventoryException {
        JsonNode n = c.get("labels");
        Map<String, String> labels = new HashMap<>();
        if (n == null || n.isNull()) {
            return labels;
        }
        if (!n.isObject()) {
            throw new InventoryException(file + ": " + at + ".labels: expected an object of strings");
        }
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InventoryException(file + ": " + at + ".labels." + e.getKey() + ": expected a string");
            }
            labels.put(e.getKey(), e.getValue().asText());
        }
        return labels;
    }

    private static Set<ByteString> ips(Path file, JsonNode c, String at) throws InventoryException {
        JsonNode n = c.get("ips");
        if (n == null || !n.isArray()) {
            throw new InventoryException(file + ": " + at + ".ips: required, an array of IP addresses");
        }
        Set<ByteString> ips = new LinkedHashSet<>();
        for (int j = 0; j < n.size(); j++) {
            JsonNode ip = n.get(j);
            ByteString b = ip.isTextual() ? Addresses.of(ip.asText()) : null;
            if (b == null) {
                throw new InventoryException(file + ": " + at + ".ips[" + j + "]: " + ip + " is not an IP address");
            }
            ips.add(b);
        }
        return ips;
    }

    private static long time(Path file, JsonNode c, String at, String field, long absent) throws InventoryException {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        try {
            if (!n.isTextual()) {
                throw new DateTimeParseException("not a string", n.toString(), 0);
            }
            Instant t = Instant.parse(n.asText());
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            throw new InventoryException(file + ": " + at + "." + field + ": " + n
                    + " is not an RFC 3339 UTC time such as 2026-01-08T18:58:56Z", e);
        }
    }

}
