package io.eastwatch.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    private final CommandLine cli = new CommandLine("eastwatch agent")
            .option("config", "FILE", "configuration file")
            .option("output", "MODE", "kafka or json")
            .flag("verbose", "more logging");

    @Test
    void parsesBothValueFormsAndFlags() {
        assertEquals(Map.of("config", "a.yaml", "output", "json", "verbose", "true"),
                cli.parse(new String[] {"--config", "a.yaml", "--output=json", "--verbose"}));
        assertEquals(Map.of("help", "true"), cli.parse(new String[] {"-h"}));
        assertTrue(cli.optionsHelp().contains("--config FILE"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            --confg a.yaml             | eastwatch agent: unknown option --confg (see --help)
            --config                   | eastwatch agent: option --config needs a value FILE
            --config --output json     | eastwatch agent: option --config needs a value FILE
            --verbose=yes              | eastwatch agent: option --verbose takes no value
            --output json --output x   | eastwatch agent: option --output given twice
            a.yaml                     | eastwatch agent: unexpected argument 'a.yaml' (options start with --; see --help)
            """)
    void rejectsWhatIsNotDeclared(String args, String message) {
        assertEquals(message, assertThrows(UsageException.class, () -> cli.parse(args.trim().split("\\s+"))).getMessage());
    }
}
