package io.eastwatch.daemon.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route answers: status, content type and the whole body (ops responses are small). */
public record OpsResponse(HttpResponseStatus status, String contentType, byte[] body) {

    public static final String JSON = "application/json; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public static OpsResponse text(HttpResponseStatus status, String contentType, String body) {
        return new OpsResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code value} rendered as JSON (maps, lists, records, strings, numbers). */
    public static OpsResponse json(HttpResponseStatus status, Object value) {
        try {
            return new OpsResponse(status, JSON, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render an ops response as JSON", e);
        }
    }

    /** The uniform error body: {@code {"error": "not found", "status": 404, "path": "/x"}}. */
    public static OpsResponse error(HttpResponseStatus status, String message, String path) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status.code());
        body.put("path", path);
        return json(status, body);
    }
}
