package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JacksonException;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * SpecFuzzProperties' mutated specs, checked against docs/swarm.schema.json: a spec the loader accepts, the schema
 * accepts, read as YAML 1.1 (Jackson) and as YAML 1.2 (editors); one the schema accepts, the loader accepts unless every error it reports is of a kind the schema cannot
 * express ({@link SchemaLoaderAgreementTest.Gap}). Of about 330 tries not discarded, 7-11% are of each kind (the rest
 * both refuse); fewer than 1% of either fails the property, as it would then prove next to nothing.
 */
class SchemaLoaderAgreementProperties {
    private static final String LOADER_ACCEPTS = "the loader accepts";
    private static final String SCHEMA_ONLY = "only the schema accepts";
    private static Path dir;

    @BeforeContainer
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("swarm-agreement");
        SwarmSchemaTest.loadSchema();
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 600)
    void mutatedSpecsAreAcceptedByBothOrByNeitherOutsideTheGaps(@ForAll @IntRange(min = 0, max = 1) int seed,
                                                                 @ForAll @IntRange(min = 1, max = 2) int mutations,
                                                                 @ForAll Random random) throws Exception {
        byte[] spec = SpecFuzzProperties.SEEDS.get(seed).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < mutations; i++) spec = SpecFuzzProperties.mutate(spec, random);
        String yaml = new String(spec, StandardCharsets.UTF_8);
        Assume.that(Arrays.equals(yaml.getBytes(StandardCharsets.UTF_8), spec)); // the loader refuses bytes that are not UTF-8
        Set<ValidationMessage> schemaErrors;
        try {
            schemaErrors = SwarmSchemaTest.validate(yaml);
        } catch (JacksonException | NumberFormatException e) {
            // not YAML to Jackson (.inf and .nan as numbers), or a number the validator cannot compare (1e999)
            Assume.that(false);
            return;
        }
        Path file = SpecFiles.write(Files.createTempDirectory(dir, "spec"), "swarm.yaml", yaml);
        List<SpecError> loaderErrors;
        try {
            new SpecLoader().load(file, java.util.Map.of());
            loaderErrors = List.of();
        } catch (SpecException e) {
            loaderErrors = e.errors();
        }
        boolean duplicateKey = loaderErrors.stream().anyMatch(SchemaLoaderAgreementTest.Gap.DUPLICATE_KEY::explains);
        Statistics.collect(loaderErrors.isEmpty() ? LOADER_ACCEPTS : schemaErrors.isEmpty() && !duplicateKey ? SCHEMA_ONLY : "other");
        // each comparison below is made on enough tries: a loader or mutation that made them rare would leave it unchecked
        Statistics.coverage(checker -> {
            checker.check(LOADER_ACCEPTS).percentage(p -> p >= 1);
            checker.check(SCHEMA_ONLY).percentage(p -> p >= 1);
        });
        if (loaderErrors.isEmpty()) {
            assertThat(schemaErrors).as("the loader accepts\n%s\nso the schema must", yaml).isEmpty();
            com.fasterxml.jackson.databind.JsonNode yaml12 = SchemaLoaderAgreementTest.Yaml12.read(yaml);
            if (yaml12 != null) {
                assertThat(SwarmSchemaTest.schema.validate(yaml12)).as("the loader accepts\n%s\nso the schema must, read as YAML 1.2", yaml)
                        .isEmpty();
            }
        } else if (schemaErrors.isEmpty() && !duplicateKey) {
            // with a duplicate key the schema sees another document (the last value of the key), so nothing to compare
            assertThat(loaderErrors).as("the schema accepts\n%s\nso each loader error must be one it cannot express", yaml)
                    .allMatch(error -> Stream.of(SchemaLoaderAgreementTest.Gap.values()).anyMatch(g -> g.explains(error)));
        }
    }
}
