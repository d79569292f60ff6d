package io.eastwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/config-agent.md} is generated from {@link AgentConfig#DEFINITION}; this test fails
 * when the committed file differs. To regenerate after changing a key:
 * {@code mvn -B -q -pl agent -am test -Dtest=AgentConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Deastwatch.writeDocs=true}
 */
class AgentConfigReferenceTest {

    @Test
    void committedReferenceMatchesTheDeclarations() throws Exception {
        Path root = Path.of(System.getProperty("eastwatch.root", ".."));
        Path doc = root.resolve("docs/config-agent.md");
        String generated = AgentConfig.reference();
        if (Boolean.getBoolean("eastwatch.writeDocs")) {
            Files.createDirectories(doc.getParent());
            Files.writeString(doc, generated, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(doc), doc + " is missing; regenerate it (see this test's javadoc)");
        assertEquals(generated, Files.readString(doc, StandardCharsets.UTF_8),
                doc + " is stale; regenerate it (see this test's javadoc)");
    }
}
