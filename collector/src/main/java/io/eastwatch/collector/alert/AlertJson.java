package io.eastwatch.collector.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.eastwatch.collector.detect.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * The alert contract's JSON: snake_case names, ISO-8601 event times, lower-case enums, nulls kept
 * (a target without a workload says {@code "workload": null}, as DESIGN.md shows).
 */
public final class AlertJson {

    private static final ObjectMapper MAPPER = mapper();

    private AlertJson() {
    }

    public static ObjectMapper mapper() {
        SimpleModule module = new SimpleModule("eastwatch-alert");
        module.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.toString());
            }
        });
        module.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        module.addSerializer(Severity.class, new JsonSerializer<>() {
            @Override
            public void serialize(Severity v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.json());
            }
        });
        module.addDeserializer(Severity.class, new JsonDeserializer<>() {
            @Override
            public Severity deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return Severity.parse(p.getValueAsString());
            }
        });
        module.addSerializer(Alert.Kind.class, new JsonSerializer<>() {
            @Override
            public void serialize(Alert.Kind v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.name().toLowerCase(Locale.ROOT));
            }
        });
        module.addDeserializer(Alert.Kind.class, new JsonDeserializer<>() {
            @Override
            public Alert.Kind deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return Alert.Kind.valueOf(p.getValueAsString().toUpperCase(Locale.ROOT));
            }
        });
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setSerializationInclusion(JsonInclude.Include.ALWAYS)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .registerModule(module);
    }

    public static String toJson(Alert alert) {
        try {
            return MAPPER.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toBytes(Alert alert) {
        return toJson(alert).getBytes(StandardCharsets.UTF_8);
    }

    public static Alert parse(String json) {
        try {
            return MAPPER.readValue(json, Alert.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
