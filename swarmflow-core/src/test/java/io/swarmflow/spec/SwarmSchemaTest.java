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
    static JsonNode json;

    @BeforeAll
    static void loadSchema() throws Exception {
        Path file = Path.of("..", "docs", "swarm.schema.json");
        json = new ObjectMapper().readTree(Files.readString(file));
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

    /**
     * What the schema finds wrong with {@code yaml}, sorted: each error as its JSON Schema keyword and where, such as
     * {@code pattern $.tickets[0].id}; for a key (unknown or missing), the key after the location of its mapping.
     */
    static List<String> faults(String yaml) throws Exception {
        return validate(yaml).stream()
                .map(m -> m.getType() + " " + m.getInstanceLocation() + (m.getProperty() == null ? "" : "." + m.getProperty()))
                .sorted().toList();
    }

    @Test
    void rejectsUnknownKeysEverywhere() throws Exception {
        assertThat(faults("tickets:\n  - {id: a, run: echo, neds: [b]}\n")).containsExactly("additionalProperties $.tickets[0].neds");
        assertThat(faults("concurency: 2\ntickets:\n  - {id: a, run: echo}\n")).containsExactly("additionalProperties $.concurency");
        assertThat(faults("defaults: {limits: {memory: 1GiB}}\ntickets:\n  - {id: a, run: echo}\n"))
                .containsExactly("additionalProperties $.defaults.limits.memory");
    }

    @Test
    void rejectsAProfileWithoutKind() throws Exception {
        assertThat(faults("agents: {x: {sandbox: off}}\ntickets:\n  - {id: a, run: echo}\n")).containsExactly("required $.agents.x.kind");
    }

    @Test
    void rejectsBadValues() throws Exception {
        // each refused for the value named, not for another fault of the spec
        assertThat(faults("tickets:\n  - {id: ../x, run: echo}\n")).containsExactly("pattern $.tickets[0].id");
        assertThat(faults("tickets:\n  - {id: a, run: echo, timeout: 10x}\n"))
                .containsExactly("const $.tickets[0].timeout", "pattern $.tickets[0].timeout"); // neither 0 nor a duration
        assertThat(faults("tickets: []\n")).containsExactly("minItems $.tickets");
        assertThat(faults("agents: {x: {kind: shell, sandbox: maybe}}\ntickets:\n  - {id: a, run: echo}\n"))
                .containsExactly("enum $.agents.x.sandbox");
    }

    /** The keys of {@code properties} of the schema object at {@code pointer}. */
    static List<String> keys(String pointer) {
        JsonNode properties = json.at(pointer + "/properties");
        assertThat(properties.isObject()).as("%s/properties", pointer).isTrue();
        List<String> keys = new java.util.ArrayList<>();
        properties.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        for (JsonNode v : array) if (v.isTextual()) values.add(v.asText());
        return values;
    }

    @Test
    void hasExactlyTheKeysTheLoaderAccepts() {
        assertThat(keys("")).containsExactlyInAnyOrderElementsOf(SpecReader.TOP_KEYS);
        assertThat(keys("/$defs/ticket")).containsExactlyInAnyOrderElementsOf(SpecReader.TICKET_KEYS);
        assertThat(keys("/$defs/defaults")).containsExactlyInAnyOrderElementsOf(SpecReader.DEFAULTS_KEYS);
        assertThat(keys("/$defs/profile")).containsExactlyInAnyOrderElementsOf(SpecReader.AGENT_KEYS);
        assertThat(keys("/$defs/limits")).containsExactlyInAnyOrderElementsOf(SpecReader.LIMIT_KEYS);
        assertThat(keys("/$defs/retries/anyOf/1")).containsExactlyInAnyOrderElementsOf(SpecReader.RETRY_KEYS);
        assertThat(keys("/$defs/retries/anyOf/1/properties/backoff")).containsExactlyInAnyOrderElementsOf(SpecReader.BACKOFF_KEYS);
        List<String> outputKeys = new java.util.ArrayList<>(keys("/$defs/output/anyOf/1"));
        outputKeys.addAll(keys("/$defs/output/anyOf/2"));
        assertThat(outputKeys).containsExactlyInAnyOrderElementsOf(SpecReader.OUTPUT_KEYS);
        for (String pointer : List.of("", "/$defs/ticket", "/$defs/defaults", "/$defs/profile", "/$defs/limits")) {
            assertThat(json.at(pointer + "/additionalProperties").asBoolean(true)).as("%s closed", pointer).isFalse();
        }
    }

    @Test
    void hasTheLoadersEnumsIdPatternAndDefaults() throws Exception {
        assertThat(strings(json.at("/$defs/ticket/properties/when/enum"))).containsExactlyElementsOf(SpecReader.WHEN.keySet());
        assertThat(strings(json.at("/$defs/ticket/properties/approval/enum"))).containsExactlyElementsOf(SpecReader.APPROVAL.keySet());
        assertThat(strings(json.at("/$defs/ticket/properties/workspace/enum"))).containsExactlyElementsOf(SpecReader.WORKSPACE.keySet());
        assertThat(json.at("/$defs/defaults/properties/when")).isEqualTo(json.at("/$defs/ticket/properties/when"));
        assertThat(json.at("/$defs/defaults/properties/approval")).isEqualTo(json.at("/$defs/ticket/properties/approval"));
        assertThat(json.at("/$defs/defaults/properties/workspace")).isEqualTo(json.at("/$defs/ticket/properties/workspace"));
        assertThat(strings(json.at("/$defs/sandbox/enum"))).containsExactlyElementsOf(SpecReader.SANDBOX.keySet());
        assertThat(strings(json.at("/$defs/profile/properties/kind/enum"))).containsExactlyElementsOf(PlanBuilder.KINDS);
        assertThat(strings(json.at("/$defs/boolean/anyOf/1/enum"))).containsExactlyInAnyOrderElementsOf(SpecReader.BOOLEANS.keySet());

        String id = "^" + SpecLoader.ID.pattern() + "$";
        assertThat(json.at("/$defs/id/pattern").asText()).isEqualTo(id);
        assertThat(json.at("/properties/agents/propertyNames/pattern").asText()).isEqualTo(id);

        Plan minimal = new SpecLoader().load(SpecFiles.write(java.nio.file.Files.createTempDirectory("schema"), "swarm.yaml",
                "tickets:\n  - {id: a, run: echo}\n"), java.util.Map.of());
        assertThat(json.at("/properties/concurrency/default").asInt()).isEqualTo(minimal.concurrency());
        assertThat(json.at("/properties/concurrency/minimum").asInt()).isEqualTo(1);
        assertThat(json.at("/$defs/profile/properties/concurrency/minimum").asInt()).isZero();
        assertThat(json.at("/$defs/limits/properties/processes/minimum").asInt()).isZero();
        assertThat(json.at("/$defs/retries/anyOf/1/properties/backoff/properties/multiplier/minimum").asDouble()).isEqualTo(1.0);
    }

    @Test
    void namesTheLoaderRefusesForTheirLengthTheSchemaRefusesToo() throws Exception {
        String name64 = "v" + "x".repeat(63);
        String name65 = name64 + "x";
        assertThat(validate("vars: {" + name64 + ": 1}\ntickets:\n  - {id: a, run: echo}\n")).isEmpty();
        assertThat(validate("vars: {" + name65 + ": 1}\ntickets:\n  - {id: a, run: echo}\n")).isNotEmpty();
        assertThat(validate("tickets:\n  - {id: a, run: echo, outputs: {" + name65 + ": f}}\n")).isNotEmpty();
        assertThat(validate("tickets:\n  - {id: a, run: echo, matrix: {" + name65 + ": [1]}}\n")).isNotEmpty();
        assertThat(validate("tickets:\n  - {id: a, run: echo, env: {E" + "x".repeat(127) + ": 1}}\n")).isEmpty();
        assertThat(validate("tickets:\n  - {id: a, run: echo, env: {E" + "x".repeat(128) + ": 1}}\n")).isNotEmpty();
        assertThat(validate("tickets:\n  - {id: a, run: echo, outputs: {o: {json: \" \"}}}\n")).isNotEmpty();
    }

    /**
     * JavaScript tools (ajv, yaml-language-server) read the schema's numbers as doubles: a bound a double cannot hold,
     * such as 2^63 - 1, means another number to them than to this test. Every maximum and minimum is one a double holds,
     * but the id's 63 nines, for which no double is right (the nearest, 1e63 + 5.8e46, is above 10^63; the one below it
     * under 10^63 - 1): read as that double, it still accepts every id of 63 digits.
     */
    @Test
    void boundsAreExactInADouble() {
        List<String> inexact = new java.util.ArrayList<>();
        walk(json, "", (pointer, node) -> {
            for (String key : List.of("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum")) {
                JsonNode bound = node.get(key);
                if (bound == null || !bound.isNumber()) continue;
                java.math.BigDecimal exact = bound.decimalValue();
                if (exact.compareTo(new java.math.BigDecimal(exact.doubleValue())) != 0) inexact.add(pointer + "/" + key);
            }
        });
        assertThat(inexact).containsExactly("/$defs/id/maximum");
        assertThat(json.at("/$defs/id/maximum").bigIntegerValue()).isEqualTo(java.math.BigInteger.TEN.pow(63).subtract(java.math.BigInteger.ONE));
        assertThat(new java.math.BigDecimal(json.at("/$defs/id/maximum").decimalValue().doubleValue()))
                .isGreaterThan(new java.math.BigDecimal(java.math.BigInteger.TEN.pow(63)));
        assertThat(json.at("/$defs/size/anyOf/0/maximum").bigIntegerValue()).isEqualTo(java.math.BigInteger.TWO.pow(63));
    }

    /** Every schema node with {@code properties}: the loader refuses keys outside its lists everywhere, so must the schema. */
    @Test
    void everyMappingOfKnownKeysIsClosed() {
        List<String> open = new java.util.ArrayList<>();
        walk(json, "", (pointer, node) -> {
            if (node.has("properties") && node.path("additionalProperties").asBoolean(true)) open.add(pointer);
        });
        assertThat(open).as("mappings whose unknown keys the schema accepts").isEmpty();
    }

    /**
     * Editors run the schema's patterns as ECMAScript regular expressions, this test as Java's: {@code \s}, {@code \w},
     * {@code \d}, {@code \b} and {@code .} mean other characters to each (ECMAScript's {@code \s} takes a no-break
     * space, Java's only ASCII), so a pattern spells its characters out. A {@code \S} key of {@code json} let editors
     * refuse a no-break space the loader accepts, and this test accept an em space the loader refuses.
     */
    @Test
    void patternsUseNoCharacterClassWhoseMeaningDependsOnTheRegexDialect() {
        List<String> patterns = new java.util.ArrayList<>();
        walk(json, "", (pointer, node) -> {
            if (node.has("pattern")) patterns.add(node.get("pattern").asText());
        });
        assertThat(patterns).hasSizeGreaterThan(5)
                .noneMatch(p -> p.matches("(?s).*(?<!\\\\)\\\\[sSwWdDbB].*"))
                .noneMatch(p -> p.replaceAll("\\\\.", "").replaceAll("\\[[^\\]]*]", "").contains("."));
    }

    /** A blank json key or output path is what String.isBlank calls blank (the loader's test), character by character. */
    @Test
    void blankMeansWhatTheLoaderCallsBlank() {
        java.util.regex.Pattern json = java.util.regex.Pattern.compile(
                SwarmSchemaTest.json.at("/$defs/output/anyOf/2/properties/json/pattern").asText());
        java.util.regex.Pattern path = java.util.regex.Pattern.compile(SwarmSchemaTest.json.at("/$defs/path/pattern").asText());
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            String text = Character.toString(c);
            assertThat(json.matcher(text).find()).as("json key U+%04X", c).isEqualTo(!text.isBlank());
            assertThat(path.matcher(text).find()).as("path U+%04X", c).isEqualTo(!text.isBlank() && c != '/' && c != '\\');
        }
    }

    /**
     * The schema's reference patterns find what the loader finds: {@code text}'s any <code>${{</code> not escaped as
     * <code>$${{</code> (Templates.openings); those of the texts with references, each such opening that begins no
     * complete reference (Templates.malformed), besides the references that text cannot have (SchemaLoaderAgreementTest's
     * cases); none finds anything in a text without an opening. On random texts of the characters references are made of.
     */
    @Test
    void referencePatternsFindWhatTheLoaderFinds() {
        java.util.regex.Pattern opening = java.util.regex.Pattern.compile(json.at("/$defs/text/not/pattern").asText());
        List<java.util.regex.Pattern> references = java.util.stream.Stream.of("repoText", "ticketText", "envValue", "profileEnvValue")
                .map(d -> java.util.regex.Pattern.compile(json.at("/$defs/" + d + "/not/pattern").asText())).toList();
        char[] alphabet = {'$', '$', '{', '{', '}', '}', ' ', '\t', '\n', '\u00A0', 'v', '.', '-', '_'};
        java.util.Random random = new java.util.Random(42);
        int malformed = 0;
        int complete = 0;
        for (int i = 0; i < 200_000; i++) {
            char[] text = new char[random.nextInt(16)];
            for (int j = 0; j < text.length; j++) text[j] = alphabet[random.nextInt(alphabet.length)];
            String t = new String(text);
            boolean opens = !Templates.openings(t).isEmpty();
            boolean broken = !Templates.malformed(t).isEmpty();
            assertThat(opening.matcher(t).find()).as("opening in '%s'", t).isEqualTo(opens);
            for (java.util.regex.Pattern p : references) {
                if (broken) assertThat(p.matcher(t).find()).as("%s finds an incomplete reference in '%s'", p, t).isTrue();
                if (!opens) assertThat(p.matcher(t).find()).as("%s finds nothing in '%s'", p, t).isFalse();
            }
            if (broken) malformed++;
            if (opens && !broken) complete++;
        }
        assertThat(malformed).isGreaterThan(1000);
        assertThat(complete).isGreaterThan(10);
    }

    private static void walk(JsonNode node, String pointer, java.util.function.BiConsumer<String, JsonNode> visit) {
        if (node.isObject()) {
            visit.accept(pointer, node);
            node.fields().forEachRemaining(e -> walk(e.getValue(), pointer + "/" + e.getKey(), visit));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) walk(node.get(i), pointer + "/" + i, visit);
        }
    }
}
