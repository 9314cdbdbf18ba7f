package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/** docs/swarm.schema.json agrees with the loader on the fixtures, so editors complete and check specs. */
class SwarmSchemaTest {
    static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        Path file = Path.of("..", "docs", "swarm.schema.json");
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(json);
    }

    static Set<ValidationMessage> validate(String yaml) throws Exception {
        return schema.validate(new YAMLMapper().readTree(yaml));
    }

    @Test
    void acceptsTheFullValidSpec() throws Exception {
        assertThat(validate(SpecLoaderTest.FULL)).isEmpty();
    }

    @Test
    void acceptsAMinimalSpecAndMatrixSpec() throws Exception {
        assertThat(validate("tickets:\n  - {id: a, run: echo}\n")).isEmpty();
        assertThat(validate("""
                tickets:
                  - id: test
                    matrix: {os: [linux, mac], jdk: [21, 25]}
                    run: ./test ${{ matrix.os }}
                    outputs: {report: {file: r.xml}, score: {json: score}}
                    retries: {max: 2, backoff: {initial: 500ms, max: 1m, multiplier: 1.5}}
                """)).isEmpty();
    }

    @Test
    void acceptsTheShippedExamplesWhichTheLoaderAcceptsToo() throws Exception {
        List<Path> examples;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(Path.of("..", "examples"))) {
            examples = files.filter(f -> f.getFileName().toString().equals("swarm.yaml")).sorted().toList();
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(2);
        for (Path example : examples) {
            assertThat(validate(java.nio.file.Files.readString(example))).as("%s", example).isEmpty();
            assertThat(new SpecLoader().load(example, java.util.Map.of()).tickets()).as("%s", example).isNotEmpty();
        }
    }

    @Test
    void rejectsUnknownKeysEverywhere() throws Exception {
        assertThat(validate("tickets:\n  - {id: a, run: echo, neds: [b]}\n")).isNotEmpty();
        assertThat(validate("concurency: 2\ntickets:\n  - {id: a, run: echo}\n")).isNotEmpty();
        assertThat(validate("defaults: {limits: {memory: 1GiB}}\ntickets:\n  - {id: a, run: echo}\n")).isNotEmpty();
    }

    @Test
    void rejectsBadValues() throws Exception {
        assertThat(validate("tickets:\n  - {id: ../x, run: echo}\n")).isNotEmpty();
        assertThat(validate("tickets:\n  - {id: a, run: echo, timeout: 10x}\n")).isNotEmpty();
        assertThat(validate("tickets: []\n")).isNotEmpty();
        assertThat(validate("agents: {x: {sandbox: off}}\ntickets:\n  - {id: a, run: echo}\n")).isNotEmpty();
    }
}
