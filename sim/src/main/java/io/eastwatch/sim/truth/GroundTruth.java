package io.eastwatch.sim.truth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the evaluation knows and the detectors must find: the scenario, the rogue container (null
 * for the no-attack run), when the attack started, which detector kinds fit, and the normal churn
 * of the run (so a false positive can be traced to a deploy, a scale-out or a reused address).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GroundTruth(
        @JsonProperty("scenario") String scenario,
        @JsonProperty("description") String description,
        @JsonProperty("seed") long seed,
        @JsonProperty("containers") int containers,
        @JsonProperty("hosts") int hosts,
        @JsonProperty("capture_start") String captureStart,
        @JsonProperty("capture_end") String captureEnd,
        @JsonProperty("learn_seconds") long learnSeconds,
        @JsonProperty("attacker") Attacker attacker,
        @JsonProperty("attack_start") String attackStart,
        @JsonProperty("attack_end") String attackEnd,
        @JsonProperty("expected_detectors") List<String> expectedDetectors,
        @JsonProperty("packets") int packets,
        @JsonProperty("churn") List<Churn> churn) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attacker(
            @JsonProperty("container_id") String containerId,
            @JsonProperty("name") String name,
            @JsonProperty("workload") String workload,
            @JsonProperty("image") String image,
            @JsonProperty("host") String host,
            @JsonProperty("ip") String ip) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Churn(
            @JsonProperty("kind") String kind,
            @JsonProperty("at") String at,
            @JsonProperty("workload") String workload,
            @JsonProperty("detail") String detail) {
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static GroundTruth read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), GroundTruth.class);
    }
}
