package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Bad input never crashes the loader: a valid spec, mutated at random (bytes flipped, truncated, keys and values
 * swapped, values replaced by random YAML, control and other unusual characters, odd numbers, deep nesting, random
 * {@code ${{ }}} references), is either accepted or rejected with a {@link SpecException} whose every error says where
 * (line and column, unless it concerns the whole file), what and how to fix it, in printable text. Never another
 * exception, an error, or a hang.
 */
class SpecFuzzProperties {
    /** Problems that concern the whole file (or the command line) and so have no line. */
    private static final List<String> WHOLE_FILE = List.of("not a text file", "the spec is UTF-", "spec is empty", "spec is too large",
            "spec is larger than", "YAML nested too deeply", "invalid YAML", "more errors not shown", "--var ");

    static final List<String> SEEDS = List.of("""
            name: release
            description: Build, test and ship
            concurrency: 3
            vars:
              version: "1.2"
              who: world
            defaults:
              timeout: 10m
              retries: 2
              env: {CI: "true"}
              sandbox: required
              limits: {processes: 256}
            agents:
              qa:
                kind: shell
                limits: {cpu-time: 90s, address-space: 2GiB}
                env: {ROLE: qa, WHO: "${{ vars.who }}"}
                concurrency: 2
              idle:
                kind: noop
                duration: 10ms
            tickets:
              - id: build
                title: Build ${{ vars.version }}
                run: make VERSION=${{ vars.version }}
                outputs:
                  artifact: out/app.tar
                  sha: {json: sha256}
              - id: test
                needs: [build]
                agent: qa
                matrix: {os: [linux, macos], jdk: [21, 25]}
                env: {SHA: "${{ tickets.build.outputs.sha }}"}
                run: ./test.sh ${{ matrix.os }} ${{ matrix.jdk }} "$SHA"
              - id: ship
                needs: [test]
                run: ./ship.sh ${{ run.id }}
                approval: before-run
                priority: 5
                when: always
                retries: {max: 3, backoff: {initial: 1s, max: 1m, multiplier: 1.5}}
            """, """
            tickets:
              - {id: a, agent: noop, duration: 5ms}
              - {id: b, needs: [a], run: "echo ${{ run.id }}", timeout: 1h30m, network: true}
              - id: c
                needs: [a, b]
                run: |
                  echo "$${{ not a reference }}"
                  echo done
                workspace: run
            """);

    /** Texts that stress number parsing, types and escaping when they replace a value. */
    private static final List<String> ODD_SCALARS = List.of("99999999999999999999", "-99999999999999999999", "0x", "0x1F",
            "0xFFFFFFFFFFFFFFFFFFFFFFFF", "0o777", "0b101", "0b", "1e999", "-1e999", "1e-999", ".inf", "-.inf", ".nan",
            "1_000_000", "1:30:00", "0", "-0", "+1", "00000000000000000000001", "9223372036854775808", "2147483648",
            "-2147483649", "1.5", "1.", ".5", "~", "null", "''", "\"\"", "yes", "no", "off", "2026-12-04", "2026-12-04T10:00:00Z",
            "!!int x", "!!float y", "!!binary aGk=", "!foo bar", "&a x", "*a", "'\\0'", "\"\\0\"", "\"a\\0b\"", "\"\\e[31mred\"",
            "\"\\x1b]0;title\\x07\"", "\"\\u202Eevil\"", "\"\\uFEFF\"", "\"\\x7f\\x9b\"", "\"line\\nbreak\"", "\"\\r\"", "\"\\t\"",
            "\"\\uD83D\\uDE00\"", "\"é\"", "\"ǅ\"", "[]", "{}", "[1, [2, [3]]]", "{a: {b: {c: d}}}", "|\n  block\n",
            "${{", "${{ }}", "${{ vars. }}", "'${{ vars.nope }}'", "'${{ tickets.a.outputs.x }}'", "'${{ matrix.os }}'",
            "'$${{ vars.x }}'", "'${{ run.id }}'", "'${{ a.b.c.d.e.f }}'", "'${{ tickets..outputs. }}'", "'}}'",
            "-", "?", ":", "- - -", "'", "\"", "{", "[", "&", "*", "!", "%", "@", "`", "#", ">", "|");

    private static final String[] REFERENCES = {"vars.version", "vars.who", "vars.nope", "matrix.os", "matrix.jdk",
            "matrix.x", "run.id", "run.x", "tickets.build.outputs.sha", "tickets.build.outputs.nope", "tickets.test.outputs.x",
            "tickets.test-linux-21.outputs.x", "tickets.nope.outputs.x", "tickets.ship.outputs.x", "", ".", "a..b",
            "vars.version.x", "tickets.build.outputs"};

    private static final Pattern SCALAR_VALUE = Pattern.compile("(?m)(?<=: )[^\\n{}\\[\\],]+");
    private static final Pattern KEY_VALUE = Pattern.compile("(?m)([A-Za-z][A-Za-z-]*): ([^\\n{}\\[\\],]+)");

    private static Path dir;

    @BeforeContainer
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("swarm-fuzz");
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 1000)
    void mutatedSpecsAreAcceptedOrRejectedWithLocatedErrors(@ForAll @IntRange(min = 0, max = 1) int seed,
                                                            @ForAll @IntRange(min = 1, max = 4) int mutations,
                                                            @ForAll Random random) throws IOException {
        byte[] spec = SEEDS.get(seed).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < mutations; i++) spec = mutate(spec, random);
        check(spec);
    }

    @Property(tries = 200)
    void randomYamlIsAcceptedOrRejectedWithLocatedErrors(@ForAll Random random) throws IOException {
        StringBuilder yaml = new StringBuilder();
        randomYaml(yaml, random, 0, "");
        check(yaml.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void check(byte[] spec) throws IOException {
        Path file = dir.resolve("swarm.yaml");
        Files.write(file, spec);
        // a hang fails the property (a spec takes milliseconds), as does any Throwable other than SpecException
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                new SpecLoader().load(file, Map.of("who", "fuzz"));
            } catch (SpecException e) {
                for (SpecError error : e.errors()) {
                    String shown = error.format();
                    assertThat(error.hint()).as("hint of %s", shown).isNotBlank();
                    assertThat(error.message()).as("message of %s", shown).isNotBlank();
                    if (WHOLE_FILE.stream().noneMatch(error.message()::startsWith)) {
                        assertThat(error.line()).as("line of %s", shown).isPositive();
                        assertThat(error.column()).as("column of %s", shown).isPositive();
                    }
                    assertThat(shown.codePoints().filter(SpecFuzzProperties::unprintable).toArray())
                            .as("control characters in %s", shown).isEmpty();
                }
            }
        }, () -> "loading took too long:\n" + new String(spec, StandardCharsets.UTF_8));
    }

    private static boolean unprintable(int cp) {
        return Character.isISOControl(cp) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    static byte[] mutate(byte[] spec, Random random) {
        String text = new String(spec, StandardCharsets.UTF_8);
        return switch (random.nextInt(9)) {
            case 0 -> { // flip bytes
                byte[] b = spec.clone();
                for (int i = 0, n = 1 + random.nextInt(4); i < n && b.length > 0; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case 1 -> java.util.Arrays.copyOf(spec, spec.length == 0 ? 0 : random.nextInt(spec.length)); // truncate
            case 2 -> utf8(swapKeyAndValue(text, random));
            case 3 -> utf8(replaceValue(text, random, ODD_SCALARS.get(random.nextInt(ODD_SCALARS.size()))));
            case 4 -> { // a random YAML structure as some value
                StringBuilder yaml = new StringBuilder();
                randomFlow(yaml, random, 0);
                yield utf8(replaceValue(text, random, yaml.toString()));
            }
            case 5 -> utf8(insertCharacter(text, random));
            case 6 -> { // deep nesting
                int depth = 1 + random.nextInt(60);
                String open = random.nextBoolean() ? "[" : "{a: ";
                String close = open.equals("[") ? "]" : "}";
                yield utf8(replaceValue(text, random, open.repeat(depth) + "x" + close.repeat(depth)));
            }
            case 7 -> utf8(replaceValue(text, random, "'" + randomReferences(random) + "'"));
            default -> { // duplicate or drop a line
                List<String> lines = new ArrayList<>(text.lines().toList());
                if (lines.isEmpty()) yield spec;
                int i = random.nextInt(lines.size());
                if (random.nextBoolean()) lines.add(random.nextInt(lines.size() + 1), lines.get(i));
                else lines.remove(i);
                yield utf8(String.join("\n", lines) + "\n");
            }
        };
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String replaceValue(String text, Random random, String replacement) {
        Matcher m = SCALAR_VALUE.matcher(text);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) spans.add(new int[]{m.start(), m.end()});
        if (spans.isEmpty()) return text + replacement;
        int[] span = spans.get(random.nextInt(spans.size()));
        return text.substring(0, span[0]) + replacement + text.substring(span[1]);
    }

    private static String swapKeyAndValue(String text, Random random) {
        Matcher m = KEY_VALUE.matcher(text);
        List<KeyValue> found = new ArrayList<>();
        while (m.find()) found.add(new KeyValue(m.start(), m.end(), m.group(1), m.group(2)));
        if (found.isEmpty()) return text;
        KeyValue r = found.get(random.nextInt(found.size()));
        return text.substring(0, r.start()) + r.value().strip() + ": " + r.key() + text.substring(r.end());
    }

    private record KeyValue(int start, int end, String key, String value) {}

    private static String insertCharacter(String text, Random random) {
        int[] unusual = {0, 1, 7, 8, 9, 0x0B, 0x0C, 0x0D, 0x1B, 0x7F, 0x85, 0x9B, 0xA0, 0xAD, 0x200B, 0x2028, 0x2029,
                0x202E, 0x2066, 0xFEFF, 0xFFFD, 0xFFFF, 0x1F600, 0x10FFFF, 'ǅ', 'İ', 'ß'};
        int cp = unusual[random.nextInt(unusual.length)];
        int at = text.isEmpty() ? 0 : random.nextInt(text.length());
        if (at > 0 && Character.isLowSurrogate(text.charAt(at))) at--;
        String inserted = random.nextBoolean() ? new String(Character.toChars(cp)) : String.format("\\u%04X", cp);
        if (random.nextBoolean()) return replaceValue(text, random, "\"x" + String.format("\\u%04X", cp & 0xFFFF) + "y\"");
        return text.substring(0, at) + inserted + text.substring(at);
    }

    private static String randomReferences(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            switch (random.nextInt(4)) {
                case 0 -> s.append("${{ ").append(REFERENCES[random.nextInt(REFERENCES.length)]).append(" }}");
                case 1 -> s.append("${{").append(REFERENCES[random.nextInt(REFERENCES.length)]).append("}}");
                case 2 -> s.append("$${{ ").append(REFERENCES[random.nextInt(REFERENCES.length)]).append(" }}");
                default -> s.append("${{ ").append(REFERENCES[random.nextInt(REFERENCES.length)]).append(random.nextBoolean() ? " }" : "");
            }
            s.append(random.nextBoolean() ? " " : "$");
        }
        return s.toString();
    }

    private static void randomFlow(StringBuilder out, Random random, int depth) {
        int choice = depth > 4 ? 2 : random.nextInt(3);
        switch (choice) {
            case 0 -> {
                out.append('[');
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    if (i > 0) out.append(", ");
                    randomFlow(out, random, depth + 1);
                }
                out.append(']');
            }
            case 1 -> {
                out.append('{');
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    if (i > 0) out.append(", ");
                    out.append(randomKey(random)).append(": ");
                    randomFlow(out, random, depth + 1);
                }
                out.append('}');
            }
            default -> {
                String s = ODD_SCALARS.get(random.nextInt(ODD_SCALARS.size()));
                out.append(s.contains("\n") || s.length() == 1 ? "x" : s);
            }
        }
    }

    /** A block-style document whose keys are mostly the spec's own, so the loader gets past the top level. */
    private static void randomYaml(StringBuilder out, Random random, int depth, String indent) {
        for (int i = 0, n = 1 + random.nextInt(depth == 0 ? 6 : 4); i < n; i++) {
            boolean list = depth > 0 && random.nextInt(3) == 0;
            out.append(indent).append(list ? "- " : randomKey(random) + ":");
            if (depth < 4 && random.nextInt(3) > 0) {
                out.append('\n');
                randomYaml(out, random, depth + 1, indent + "  ");
            } else {
                out.append(list ? "" : " ");
                randomFlow(out, random, depth);
                out.append('\n');
            }
        }
    }

    private static String randomKey(Random random) {
        String[] keys = {"name", "description", "concurrency", "defaults", "vars", "repo", "agents", "tickets", "id", "title",
                "needs", "agent", "run", "env", "timeout", "retries", "max", "backoff", "initial", "multiplier", "priority",
                "when", "approval", "workspace", "network", "outputs", "file", "json", "matrix", "duration", "kind", "sandbox",
                "limits", "cpu-time", "address-space", "file-size", "processes", "log-size", "os", "a", "PATH", "x\u001b",
                "<<", "?", "\"\\0\"", "\"a=b\"", "'${{ vars.who }}'"};
        return keys[random.nextInt(keys.length)];
    }
}
