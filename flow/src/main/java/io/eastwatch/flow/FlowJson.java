package io.eastwatch.flow;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;

/**
 * The JSON rendering of flow records (and heartbeats) for {@code --output json}, one compact
 * object per record, readable by people and by {@code jq}. It follows the protobuf schema, not a
 * hand-kept field list, so a field added to the schema appears here without code changes.
 *
 * <p>Rendering rules:
 * <ul>
 *   <li>keys are the protobuf field names ({@code src_port}), in field-number order; every field is
 *       present, zero values included, so a reader never has to know the defaults;</li>
 *   <li>integers are JSON numbers ({@code uint64} as its unsigned decimal value, not a string as in
 *       protobuf's canonical JSON); enums are their names ({@code "ESTABLISHED"}), an unknown enum
 *       number stays a number; an unset message field is {@code null};</li>
 *   <li>{@code bytes} fields whose name ends in {@code _addr} are IP addresses as text: dotted quad
 *       for 4 bytes, RFC 5952 for 16 (lower case, longest zero run as {@code ::}); an empty one is
 *       {@code ""}; other lengths, and other bytes fields, are base64;</li>
 *   <li>each {@code *_ts_us} field (microseconds since the epoch) is followed by a derived
 *       {@code *_ts} with the same instant in ISO-8601 UTC with microseconds
 *       ({@code "2026-01-08T19:14:17.929123Z"}); the raw number is the authoritative one.</li>
 * </ul>
 * {@link #parse} reads this form back (ignoring the derived {@code *_ts} keys and any key the
 * target schema does not know, so an older reader accepts a newer writer's output).
 */
public final class FlowJson {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
        .withZone(java.time.ZoneOffset.UTC);
    private static final String TS_SUFFIX = "_ts_us";
    private static final String ADDR_SUFFIX = "_addr";

    private FlowJson() {
    }

    /** One JSON object, no line break. */
    public static String render(MessageOrBuilder message) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(message, g);
        } catch (IOException e) {
            throw new UncheckedIOException("rendering to a string cannot fail", e);
        }
        return out.toString();
    }

    private static void write(MessageOrBuilder message, JsonGenerator g) throws IOException {
        g.writeStartObject();
        for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
            String name = f.getName();
            g.writeFieldName(name);
            if (f.isRepeated()) {
                g.writeStartArray();
                for (int i = 0; i < message.getRepeatedFieldCount(f); i++) {
                    writeValue(f, message.getRepeatedField(f, i), g);
                }
                g.writeEndArray();
                continue;
            }
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !message.hasField(f)) {
                g.writeNull();
                continue;
            }
            Object value = message.getField(f);
            writeValue(f, value, g);
            if (name.endsWith(TS_SUFFIX) && f.getJavaType() == FieldDescriptor.JavaType.LONG) {
                g.writeStringField(name.substring(0, name.length() - 3), isoMicros((Long) value));
            }
        }
        g.writeEndObject();
    }

    private static void writeValue(FieldDescriptor f, Object value, JsonGenerator g) throws IOException {
        switch (f.getType()) {
            case UINT64, FIXED64 -> g.writeNumber(Long.toUnsignedString((Long) value));
            case UINT32, FIXED32 -> g.writeNumber(Integer.toUnsignedLong((Integer) value));
            case INT64, SINT64, SFIXED64 -> g.writeNumber((Long) value);
            case INT32, SINT32, SFIXED32 -> g.writeNumber((Integer) value);
            case BOOL -> g.writeBoolean((Boolean) value);
            case STRING -> g.writeString((String) value);
            case DOUBLE -> g.writeNumber((Double) value);
            case FLOAT -> g.writeNumber((Float) value);
            case ENUM -> {
                EnumValueDescriptor e = (EnumValueDescriptor) value;
                if (e.getIndex() < 0 || e.getType().findValueByNumber(e.getNumber()) == null) {
                    g.writeNumber(e.getNumber());
                } else {
                    g.writeString(e.getName());
                }
            }
            case BYTES -> {
                ByteString b = (ByteString) value;
                if (f.getName().endsWith(ADDR_SUFFIX) && (b.size() == 4 || b.size() == 16 || b.isEmpty())) {
                    g.writeString(ipText(b));
                } else {
                    g.writeString(Base64.getEncoder().encodeToString(b.toByteArray()));
                }
            }
            case MESSAGE, GROUP -> write((MessageOrBuilder) value, g);
            default -> throw new IllegalStateException("unhandled field type " + f.getType() + " of " + f.getFullName());
        }
    }

    /** ISO-8601 UTC with microseconds for a count of microseconds since the epoch. */
    public static String isoMicros(long micros) {
        return ISO_MICROS.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
            Math.floorMod(micros, 1_000_000L) * 1000L));
    }

    /**
     * An address as text: dotted quad for 4 bytes, RFC 5952 for 16 (IPv4-mapped as
     * {@code ::ffff:a.b.c.d}), {@code ""} when empty, base64 for any other length.
     */
    public static String ipText(ByteString addr) {
        int n = addr.size();
        if (n == 0) {
            return "";
        }
        if (n == 4) {
            return (addr.byteAt(0) & 0xFF) + "." + (addr.byteAt(1) & 0xFF) + "." + (addr.byteAt(2) & 0xFF) + "."
                + (addr.byteAt(3) & 0xFF);
        }
        if (n != 16) {
            return Base64.getEncoder().encodeToString(addr.toByteArray());
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((addr.byteAt(2 * i) & 0xFF) << 8) | (addr.byteAt(2 * i + 1) & 0xFF);
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
            && groups[5] == 0xFFFF) {
            return "::ffff:" + ipText(addr.substring(12, 16));
        }
        // The longest run of two or more zero groups becomes "::" (the first such run on a tie).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** Parses an address written by {@link #ipText}; throws IllegalArgumentException otherwise. */
    public static ByteString parseIp(String text) {
        if (text.isEmpty()) {
            return ByteString.EMPTY;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("not an IP address: " + text);
            }
        }
        if (text.indexOf(':') < 0 && text.chars().filter(c -> c == '.').count() != 3) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try {
            // Only literals reach here (checked above), so this never asks DNS.
            byte[] raw = java.net.InetAddress.getByName(text).getAddress();
            if (text.indexOf(':') >= 0 && raw.length == 4) {
                // Java folds ::ffff:a.b.c.d to IPv4; the record had 16 bytes.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(raw, 0, mapped, 12, 4);
                raw = mapped;
            }
            return ByteString.copyFrom(raw);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
    }

    /**
     * Reads one JSON object in this rendering into {@code into}. Keys the schema does not know are
     * ignored; a value of the wrong type throws IllegalArgumentException naming the field.
     */
    public static <B extends Message.Builder> B parse(String json, B into) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        merge(node, into);
        return into;
    }

    private static void merge(JsonNode object, Message.Builder into) {
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            FieldDescriptor f = into.getDescriptorForType().findFieldByName(e.getKey());
            JsonNode v = e.getValue();
            if (f == null || v.isNull()) {
                continue;
            }
            try {
                if (f.isRepeated()) {
                    if (!v.isArray()) {
                        throw new IllegalArgumentException("expected an array");
                    }
                    for (JsonNode item : v) {
                        into.addRepeatedField(f, valueOf(f, item, into));
                    }
                } else {
                    into.setField(f, valueOf(f, v, into));
                }
            } catch (IllegalArgumentException | ArithmeticException ex) {
                throw new IllegalArgumentException(f.getName() + ": " + v + " (" + ex.getMessage() + ")", ex);
            }
        }
    }

    private static Object valueOf(FieldDescriptor f, JsonNode v, Message.Builder parent) {
        switch (f.getType()) {
            case UINT64, FIXED64 -> {
                BigInteger b = integer(v);
                if (b.signum() < 0 || b.bitLength() > 64) {
                    throw new IllegalArgumentException("expected an unsigned 64-bit integer");
                }
                return b.longValue();
            }
            case UINT32, FIXED32 -> {
                BigInteger b = integer(v);
                if (b.signum() < 0 || b.bitLength() > 32) {
                    throw new IllegalArgumentException("expected an unsigned 32-bit integer");
                }
                return b.intValue();
            }
            case INT64, SINT64, SFIXED64 -> {
                return integer(v).longValueExact();
            }
            case INT32, SINT32, SFIXED32 -> {
                return integer(v).intValueExact();
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw new IllegalArgumentException("expected true or false");
                }
                return v.booleanValue();
            }
            case STRING -> {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("expected a string");
                }
                return v.textValue();
            }
            case DOUBLE -> {
                return v.doubleValue();
            }
            case FLOAT -> {
                return (float) v.doubleValue();
            }
            case ENUM -> {
                EnumValueDescriptor e = v.isIntegralNumber()
                    ? f.getEnumType().findValueByNumberCreatingIfUnknown(v.intValue())
                    : f.getEnumType().findValueByName(v.asText());
                if (e == null) {
                    throw new IllegalArgumentException("expected one of " + names(f.getEnumType().getValues()));
                }
                return e;
            }
            case BYTES -> {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("expected a string");
                }
                String s = v.textValue();
                if (f.getName().endsWith(ADDR_SUFFIX) && (s.isEmpty() || s.indexOf(':') >= 0 || s.indexOf('.') >= 0)) {
                    return parseIp(s);
                }
                return ByteString.copyFrom(Base64.getDecoder().decode(s));
            }
            case MESSAGE, GROUP -> {
                if (!v.isObject()) {
                    throw new IllegalArgumentException("expected an object");
                }
                Message.Builder child = parent.newBuilderForField(f);
                merge(v, child);
                return child.build();
            }
            default -> throw new IllegalStateException("unhandled field type " + f.getType());
        }
    }

    private static BigInteger integer(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue();
        }
        if (v.isTextual()) {
            // protobuf's canonical JSON writes 64-bit integers as strings: accept those too.
            return new BigInteger(v.textValue());
        }
        throw new IllegalArgumentException("expected an integer");
    }

    private static String names(List<EnumValueDescriptor> values) {
        StringBuilder sb = new StringBuilder();
        for (EnumValueDescriptor e : values) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getName());
        }
        return sb.toString();
    }
}
