package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static io.swarmflow.spec.SpecFiles.gitInit;
import static io.swarmflow.spec.SpecFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rejected input names the file, line and column, what is wrong and how to fix it. */
class SpecErrorsTest {
    @TempDir
    Path dir;

    /** A spec with hundreds of problems shows the first Problems.MAX_SHOWN and counts the rest, as docs/spec.md says. */
    @Test
    void pastTheFirst200ProblemsALastLineCountsTheRest() throws IOException {
        StringBuilder yaml = new StringBuilder("tickets:\n");
        for (int i = 0; i < 250; i++) yaml.append("  - {id: t").append(i).append(", run: echo, neds: [x]}\n");

        java.util.List<String> errors = errors(dir, yaml.toString());

        assertThat(errors).hasSize(Problems.MAX_SHOWN + 1);
        assertThat(errors.get(0)).startsWith("swarm.yaml:2:").contains("unknown key 'neds'");
        assertThat(errors.get(Problems.MAX_SHOWN)).isEqualTo("swarm.yaml: 50 more errors not shown; fix the ones above first");
        assertThat(SpecPageKeysTest.section("Errors").replaceAll("\\s+", " ")).contains("past " + Problems.MAX_SHOWN
                + " problems, the first " + Problems.MAX_SHOWN + " are shown", "`swarm.yaml: 50 more errors not shown; fix the ones above first`");
    }

    /** One problem past the 200 shown is "1 more error", and the exception's total counts the problems, not the lines. */
    @Test
    void oneProblemPastTheShownOnesIsOneMoreErrorAndTheTotalCountsProblems() throws IOException {
        StringBuilder yaml = new StringBuilder("tickets:\n");
        for (int i = 0; i < Problems.MAX_SHOWN + 1; i++) yaml.append("  - {id: t").append(i).append(", run: echo, neds: [x]}\n");
        java.nio.file.Path file = write(dir, "swarm.yaml", yaml.toString());

        SpecException e = org.assertj.core.api.Assertions.catchThrowableOfType(SpecException.class,
                () -> new SpecLoader().load(file, Map.of()));

        assertThat(e.errors()).hasSize(Problems.MAX_SHOWN + 1);
        assertThat(e.errors().get(Problems.MAX_SHOWN).format()).endsWith("swarm.yaml: 1 more error not shown; fix the ones above first");
        assertThat(e.total()).isEqualTo(Problems.MAX_SHOWN + 1);
    }

    @Test
    void cycleIsPrintedAsAPathAtItsFirstTicket() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: start, run: "true"}
                  - id: a
                    run: "true"
                    needs: [start, c]
                  - id: b
                    run: "true"
                    needs: [a]
                  - id: c
                    run: "true"
                    needs: [b]
                """)).containsExactly("swarm.yaml:3:5: dependency cycle: a -> c -> b -> a; remove one of these needs");
    }

    @Test
    void aVariableSwarmSetsForEveryAttemptCannotBeGrantedInEnv() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: a, run: "true", env: {HOME: /root, PATH: /bin}}
                """)).containsExactly("swarm.yaml:2:32: environment variable 'HOME' is set by swarm for every attempt and cannot "
                + "be granted; remove it (a script can still set it for a command: NAME=value command)");
    }

    @Test
    void selfDependencyIsRejected() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: a, run: "true", needs: [a]}
                """)).containsExactly("swarm.yaml:2:34: ticket 'a' needs itself; remove 'a' from needs");
    }

    @Test
    void missingDependencySuggestsTheClosestId() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: build
                    run: make
                  - id: test
                    needs: [buld, deploy]
                    run: make test
                """)).containsExactly(
                "swarm.yaml:5:13: ticket 'test' needs 'buld', which is not a ticket; did you mean 'build'?",
                "swarm.yaml:5:19: ticket 'test' needs 'deploy', which is not a ticket; check the id, or add a ticket with that id");
    }

    @Test
    void missingDependencyNeverSuggestsTheTicketItself() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: ab, run: "true", needs: [a]}
                  - id: test
                    matrix: {os: [linux, mac]}
                    run: "true"
                    needs: [tes, test-linu]
                  - id: deploy-x
                    run: echo ${{ tickets.deploy.outputs.x }}
                """)).containsExactly(
                "swarm.yaml:2:35: ticket 'ab' needs 'a', which is not a ticket; check the id, or add a ticket with that id",
                "swarm.yaml:6:13: ticket 'test' needs 'tes', which is not a ticket; check the id, or add a ticket with that id",
                "swarm.yaml:6:18: ticket 'test' needs 'test-linu', which is not a ticket; check the id, or add a ticket with that id",
                "swarm.yaml:8:15: unknown ticket 'deploy' in '${{ tickets.deploy.outputs.x }}'; check the id");
    }

    @Test
    void missingDependencySuggestsAnotherCloseId() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: ac, run: "true"}
                  - {id: ab, run: "true", needs: [a]}
                """)).containsExactly("swarm.yaml:3:35: ticket 'ab' needs 'a', which is not a ticket; did you mean 'ac'?");
    }

    @Test
    void duplicateIdPointsAtTheSecondOne() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: build
                    run: make
                  - id: build
                    run: make again
                """)).containsExactly("swarm.yaml:4:9: duplicate ticket id 'build' (first at line 2); give each ticket a unique id");
    }

    @Test
    void aTicketRepeatedByAnAliasIsReportedAsTheAliasNotAsADuplicateOfItself() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - &t
                    id: a
                    run: "true"
                  - id: b
                    run: "true"
                  - *t
                """)).containsExactly("swarm.yaml:3:9: duplicate ticket id 'a': the alias *t repeats the ticket anchored here (&t); "
                + "give each ticket its own id: write the second ticket out, or fan one out with matrix:");
        assertThat(errors(dir, """
                tickets:
                  - id: &name a
                    run: "true"
                  - id: *name
                    run: "true"
                """)).containsExactly("swarm.yaml:2:9: duplicate ticket id 'a': the alias *name repeats the id anchored here "
                + "(&name); give each ticket its own id: write the second ticket out, or fan one out with matrix:");
    }

    @Test
    void unknownKeysSuggestTheClosestOrListTheAllowedOnes() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    neds: [b]
                    colour: red
                    retries: {max: 2, backof: {initial: 1s}}
                agents:
                  x: {kind: shell, sandbox: off, limts: {}}
                """)).containsExactly(
                "swarm.yaml:4:5: unknown key 'neds' in a ticket; did you mean 'needs'?",
                "swarm.yaml:5:5: unknown key 'colour' in a ticket; allowed keys: id, title, needs, agent, run, env, timeout, "
                        + "retries, priority, when, approval, workspace, network, outputs, matrix, duration",
                "swarm.yaml:6:23: unknown key 'backof' in retries; did you mean 'backoff'?",
                "swarm.yaml:8:34: unknown key 'limts' in agent profile 'x'; did you mean 'limits'?");
    }

    @Test
    void pathLikeIdIsRejectedClearly() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: ../x
                    run: "true"
                """)).containsExactly("swarm.yaml:2:9: invalid ticket id '../x'; use 1-63 characters of a-z, 0-9, '-' and '_', "
                + "starting with a letter or digit");
    }

    @Test
    void oversizedFileIsRejectedBeforeReading() throws IOException {
        Path file = dir.resolve("swarm.yaml");
        Files.write(file, new byte[10 << 20]);

        assertThat(errors(file, Map.of())).containsExactly(
                "swarm.yaml: spec is 10.0 MiB; the limit is 1.0 MiB; split it into smaller specs; keep large data in files that tickets read, not in the spec");
    }

    @Test
    void sizeJustOverTheLimitIsShownToTheByte() throws IOException {
        Path file = dir.resolve("swarm.yaml");
        Files.write(file, new byte[1_100_000]);

        assertThat(errors(file, Map.of())).containsExactly(
                "swarm.yaml: spec is 1,100,000 bytes; the limit is 1,048,576 bytes (1 MiB); split it into smaller specs; "
                + "keep large data in files that tickets read, not in the spec");
    }

    @Test
    void binaryGarbageIsNotAText() throws IOException {
        Path nul = dir.resolve("nul.yaml");
        Files.write(nul, new byte[] {'a', ':', ' ', 0, 1, 2});
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'a', ':', ' ', (byte) 0xE9, (byte) 0xFF, '\n'});

        assertThat(errors(nul, Map.of())).containsExactly("nul.yaml: not a text file (NUL byte at offset 3); a swarm spec is UTF-8 YAML");
        assertThat(errors(latin1, Map.of())).containsExactly(
                "latin1.yaml:1:4: not a text file (invalid UTF-8: byte 0xE9); a swarm spec is UTF-8 YAML; save it as UTF-8");
        Path later = dir.resolve("later.yaml"); // the line, and the column in characters, of the first byte that is not UTF-8
        Files.write(later, "tickets:\n  - id: a\n    run: echo \"été \u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(later, new byte[] {(byte) 0xFF, '"', '\n'}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(errors(later, Map.of())).containsExactly(
                "later.yaml:3:21: not a text file (invalid UTF-8: byte 0xFF); a swarm spec is UTF-8 YAML; save it as UTF-8");
    }

    /**
     * A spec saved as UTF-16 (review R1 finding 8) was "not a text file (NUL byte ...)": its byte-order mark names the
     * encoding and the fix. A UTF-8 byte-order mark is read and dropped.
     */
    @Test
    void aUtf16SpecIsNamedByItsByteOrderMarkAndAUtf8OneLoads() throws Exception {
        String yaml = "tickets:\n  - id: a\n    run: x\n";
        Path le = dir.resolve("le.yaml");
        Files.write(le, ("\uFEFF" + yaml).getBytes(java.nio.charset.StandardCharsets.UTF_16LE)); // FF FE, then the text
        Path be = dir.resolve("be.yaml");
        Files.write(be, ("\uFEFF" + yaml).getBytes(java.nio.charset.StandardCharsets.UTF_16BE)); // FE FF
        Path le32 = dir.resolve("le32.yaml");
        Files.write(le32, ("\uFEFF" + yaml).getBytes(java.nio.charset.Charset.forName("UTF-32LE"))); // FF FE 00 00
        Path utf8 = dir.resolve("utf8.yaml");
        Files.write(utf8, ("\uFEFF" + yaml).getBytes(java.nio.charset.StandardCharsets.UTF_8)); // EF BB BF

        assertThat(errors(le, Map.of())).containsExactly("le.yaml: the spec is UTF-16 (byte-order mark FF FE); save it as UTF-8");
        assertThat(errors(be, Map.of())).containsExactly("be.yaml: the spec is UTF-16 (byte-order mark FE FF); save it as UTF-8");
        assertThat(errors(le32, Map.of())).containsExactly("le32.yaml: the spec is UTF-32 (byte-order mark FF FE 00 00); save it as UTF-8");
        assertThat(new SpecLoader().load(utf8, Map.of()).tickets()).extracting(PlannedTicket::id).containsExactly("a");
    }

    @Test
    void aliasBombIsRejectedWithoutExpandingAtTheAliasPassingTheLimit() throws IOException {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char p = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [*").append(p);
            for (int i = 0; i < 8; i++) yaml.append(",*").append(p);
            yaml.append("]\n");
        }
        yaml.append("tickets: *i\n");

        assertThat(errors(dir, yaml.toString())).containsExactly(
                "swarm.yaml:7:23: too many YAML aliases (more than 50 aliases of lists or mappings); "
                        + "write the repeated parts out or use defaults:; alias bombs are rejected");
    }

    @Test
    void deepNestingIsRejectedAtTheListPassingTheLimit() throws IOException {
        assertThat(errors(dir, "tickets: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n")).containsExactly(
                "swarm.yaml:1:41: YAML nested deeper than 32 levels; a swarm spec needs only a few levels of nesting");
    }

    @Test
    void yamlSyntaxErrorsCarryTheParserPosition() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "unterminated
                """)).singleElement().asString().isEqualTo("swarm.yaml:3:10: YAML syntax error: the quoted string that starts here "
                + "is never closed (the file ends inside it); add the closing quote where the string should end (inside single "
                + "quotes, write a quote as '')");
        assertThat(errors(dir, """
                tickets:
                  - id: a
                   run: x
                """)).singleElement().asString()
                .isEqualTo("swarm.yaml:3:4: YAML syntax error: this line is indented differently from the lines above it; "
                        + "indent it exactly as far as the keys or list items it belongs with");
    }

    @Test
    void anUnclosedBracketIsReportedWhereItOpens() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    needs: [b, c
                    run: x
                  - id: b
                    run: x
                """)).singleElement().asString().isEqualTo("swarm.yaml:3:12: YAML syntax error: the list '[' that starts here "
                + "is not closed (found ':' at 4:8); add the closing ']' after the last item, separate items with ',' "
                + "(or write the list one '- item' per line)");
        assertThat(errors(dir, "tickets:\n  - id: a\n    env: {A: b\n")).singleElement().asString()
                .startsWith("swarm.yaml:3:10: YAML syntax error: the mapping '{' that starts here is not closed (the file ends inside it); ");
        assertThat(errors(dir, "tickets:\n  - id: a\n    run: 'it''s\n")).singleElement().asString()
                .startsWith("swarm.yaml:3:10: YAML syntax error: the quoted string that starts here is never closed");
    }

    @Test
    void invalidDurationsAndSizesNameTheValueAndTheFormat() throws IOException {
        assertThat(errors(dir, """
                agents:
                  big: {kind: shell, limits: {address-space: 2 parsecs, cpu-time: 1h}}
                tickets:
                  - id: a
                    run: "true"
                    timeout: 10x
                  - id: b
                    run: "true"
                    timeout: 30
                    retries: {backoff: {initial: 1 minute}}
                """)).containsExactly(
                "swarm.yaml:2:46: invalid size '2 parsecs'; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB",
                "swarm.yaml:6:14: invalid duration '10x'; use a number with a unit: 500ms, 90s, 10m, 1h",
                "swarm.yaml:9:14: invalid duration '30'; use a number with a unit: 500ms, 90s, 10m, 1h",
                "swarm.yaml:10:34: invalid duration '1 minute'; use a number with a unit: 500ms, 90s, 10m, 1h; did you mean '1m'?");
    }

    @Test
    void typeConstructionTagsAreRejected() throws IOException {
        assertThat(errors(dir, """
                name: !!python/object/apply:os.system ["rm -rf /"]
                description: !foo bar
                vars: !!javax.script.ScriptEngineManager [x]
                tickets:
                  - {id: a, run: "true"}
                """)).containsExactly(
                "swarm.yaml:1:7: YAML tag '!!python/object/apply:os.system' is not allowed; swarm specs use plain strings, "
                        + "numbers, booleans, lists and mappings; remove the tag",
                "swarm.yaml:2:14: YAML tag '!foo' is not allowed; swarm specs use plain strings, "
                        + "numbers, booleans, lists and mappings; remove the tag",
                "swarm.yaml:3:7: YAML tag '!!javax.script.ScriptEngineManager' is not allowed; swarm specs use plain strings, "
                        + "numbers, booleans, lists and mappings; remove the tag");
    }

    @Test
    void unresolvedReferencesArePinpointed() throws IOException {
        assertThat(errors(dir, """
                vars: {version: "1"}
                tickets:
                  - id: build
                    run: make
                    outputs: {jar: target/app.jar}
                  - id: lint
                    run: lint
                  - id: matrix
                    matrix: {os: [a, b]}
                    run: "true"
                  - id: test
                    needs: [build, matrix]
                    title: Test ${{ vars.verison }}
                    run: |
                      echo ${{ matrix.os }}
                      java -jar ${{ tickets.build.outputs.jarr }} ${{ tickets.lint.outputs.x }}
                      ${{ tickets.nope.outputs.x }} ${{ tickets.matrix.outputs.x }} ${{ foo }}
                """)).containsExactly(
                "swarm.yaml:13:17: unknown variable 'verison' in '${{ vars.verison }}'; did you mean 'version'?",
                "swarm.yaml:15:12: '${{ matrix.os }}' is used outside a matrix ticket; add a matrix: to the ticket or remove the reference",
                "swarm.yaml:16:17: ticket 'build' has no output 'jarr'; did you mean 'jar'?",
                "swarm.yaml:16:51: ticket 'test' reads outputs of 'lint', which it does not need; add lint to needs",
                "swarm.yaml:17:7: unknown ticket 'nope' in '${{ tickets.nope.outputs.x }}'; check the id",
                "swarm.yaml:17:37: 'matrix' is a matrix ticket; '${{ tickets.matrix.outputs.x }}' must name one of its expansions; "
                        + "use an expanded id such as matrix-a",
                "swarm.yaml:17:69: unknown reference '${{ foo }}'; use vars.NAME, matrix.NAME, tickets.ID.outputs.NAME, run.id, or env.NAME in env: values");
    }

    /** A reference of a known form with its first word or {@code outputs} misspelled gets the form it nearly is. */
    @Test
    void aMisspelledReferenceGetsTheFormItNearlyIs() throws IOException {
        assertThat(errors(dir, """
                vars: {version: "1"}
                tickets:
                  - id: build
                    run: make
                    outputs: {jar: target/app.jar}
                  - id: test
                    needs: [build]
                    title: ${{ var.version }} ${{ run.ID }} ${{ matrix }} ${{ tickets.build.jar }}
                    env: {JAR: "${{ tickets.build.output.jar }}", B: "${{ ticket.build.outputs.jar }}", H: "${{ envs.HOME }}"}
                    run: make
                """)).containsExactly(
                "swarm.yaml:8:12: unknown reference '${{ var.version }}'; did you mean '${{ vars.version }}'?",
                "swarm.yaml:8:31: unknown reference '${{ run.ID }}'; did you mean '${{ run.id }}'?",
                "swarm.yaml:8:45: unknown reference '${{ matrix }}'; use vars.NAME, matrix.NAME, tickets.ID.outputs.NAME, run.id, "
                        + "or env.NAME in env: values",
                "swarm.yaml:8:59: unknown reference '${{ tickets.build.jar }}'; use vars.NAME, matrix.NAME, tickets.ID.outputs.NAME, "
                        + "run.id, or env.NAME in env: values",
                "swarm.yaml:9:17: unknown reference '${{ tickets.build.output.jar }}'; did you mean '${{ tickets.build.outputs.jar }}'?",
                "swarm.yaml:9:55: unknown reference '${{ ticket.build.outputs.jar }}'; did you mean '${{ tickets.build.outputs.jar }}'?",
                "swarm.yaml:9:93: unknown reference '${{ envs.HOME }}'; did you mean '${{ env.HOME }}'?");
    }

    @Test
    void anIncompleteReferenceIsAnErrorWithTheEscapeForALiteralOne() throws IOException {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    run: echo $${{ fine }} and ${{ vars.v }} and ${{ vars.v } and ${{ vars.v }}
                  - id: b
                    title: "${{ vars.v"
                    run: "true"
                """)).containsExactly( // the position of the incomplete one, not the start of the text
                "swarm.yaml:4:50: '${{ vars.v } and ${{ var...' in run is not a complete reference; write ${{ vars.NAME }} (or matrix.NAME, "
                        + "tickets.ID.outputs.NAME, run.id), or $${{ for a literal ${{",
                "swarm.yaml:6:13: '${{ vars.v' in title is not a complete reference; write ${{ vars.NAME }} (or matrix.NAME, "
                        + "tickets.ID.outputs.NAME, run.id), or $${{ for a literal ${{");
    }

    @Test
    void runTimeReferencesAreOnlyAllowedWhereTheEngineRendersThem() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                  - id: b
                    needs: [a]
                    title: "${{ run.id }}"
                    run: "true"
                    outputs: {o: "${{ tickets.a.outputs.x }}"}
                """)).containsExactly(
                "swarm.yaml:6:13: '${{ run.id }}' is not available in title; use it in run or env",
                "swarm.yaml:8:19: outputs of other tickets are not available in outputs; use them in a ticket's run or env");
    }

    @Test
    void undeclaredVarOverrideSuggestsTheClosest() throws IOException {
        Path file = write(dir, "swarm.yaml", """
                vars: {version: "1", target: prod}
                tickets:
                  - {id: a, run: "true"}
                """);

        assertThat(errors(file, Map.of("verson", "2", "zone", "eu"))).containsExactly(
                "swarm.yaml: --var verson is not declared in vars; did you mean 'version'?",
                "swarm.yaml: --var zone is not declared in vars; declare it under vars: in the spec; declared: version, target");
    }

    @Test
    void varOverrideWithAnInvalidNameSaysSoRatherThanDeclareIt() throws IOException {
        // "declare it under vars:" sent the user to a spec that then refused the name
        Path file = write(dir, "swarm.yaml", """
                vars: {version: "1"}
                tickets:
                  - {id: a, run: "true"}
                """);

        assertThat(errors(file, Map.of("1bad", "2"))).containsExactly(
                "swarm.yaml: --var 1bad: invalid variable name '1bad'; use 1-64 characters of letters, digits, '_' and '-', "
                        + "starting with a letter or '_'; write --var NAME=VALUE");
    }

    /**
     * A name of allowed characters that is too long is told the limit, as an invalid ticket id is: the hint of letters
     * and digits alone would not say what is wrong with it.
     */
    @Test
    void aNameTooLongIsToldItsLengthLimit() throws IOException {
        String v65 = "v".repeat(65);
        String e129 = "E".repeat(129);
        Path file = SpecFiles.write(dir, "swarm.yaml", "vars: {" + "v".repeat(64) + ": x, " + v65 + ": x}\n"
                + "tickets:\n  - {id: a, run: \"true\", outputs: {" + "o".repeat(64) + ": f, " + "o".repeat(65) + ": f},\n"
                + "     matrix: {" + "m".repeat(65) + ": [1]}, env: {" + "E".repeat(128) + ": x, " + e129 + ": x}}\n");
        assertThat(errors(file, Map.of())).containsExactly(
                "swarm.yaml:1:77: invalid variable name '" + v65 + "'; use 1-64 characters of letters, digits, '_' and '-', "
                        + "starting with a letter or '_'",
                "swarm.yaml:3:105: invalid output name '" + "o".repeat(65) + "'; use 1-64 characters of letters, digits, '_' and '-', "
                        + "starting with a letter, digit or '_'",
                "swarm.yaml:4:15: invalid matrix key '" + "m".repeat(65) + "'; use 1-64 characters of letters, digits, '_' and '-', "
                        + "starting with a letter, digit or '_'",
                "swarm.yaml:4:227: invalid environment variable name '" + e129 + "'; use 1-128 characters of letters, digits and '_', "
                        + "starting with a letter or '_'");
        assertThat(errors(SpecFiles.write(dir, "swarm.yaml", "tickets:\n  - {id: a, run: \"true\"}\n"), Map.of(v65, "x")))
                .containsExactly("swarm.yaml: --var " + v65 + ": invalid variable name '" + v65 + "'; use 1-64 characters of "
                        + "letters, digits, '_' and '-', starting with a letter or '_'; write --var NAME=VALUE");
    }

    @Test
    void backoffBesideRetriesSaysItGoesInside() throws IOException {
        // "unknown key 'backoff'; allowed keys: ..., retries, ..." did not say where backoff goes
        assertThat(errors(dir, """
                defaults:
                  backoff: 1s
                tickets:
                  - id: a
                    run: "true"
                    retries: 2
                    backoff: 200ms
                """)).containsExactly(
                "swarm.yaml:2:3: 'backoff' belongs inside retries, not beside it; write retries: {max: 2, backoff: {initial: 1s, max: 30s}}",
                "swarm.yaml:7:5: 'backoff' belongs inside retries, not beside it; write retries: {max: 2, backoff: {initial: 1s, max: 30s}}");
    }

    @Test
    void wrongTypesSayWhatIsExpected() throws IOException {
        assertThat(errors(dir, """
                concurrency: many
                vars: [a]
                tickets:
                  - id: a
                    run: [echo]
                    needs: b
                    network: maybe
                    when: sucess
                    priority: 1.5
                  - {id: b, run: "true", retries: [1]}
                """)).containsExactly(
                "swarm.yaml:1:14: 'concurrency' must be an integer, not a string ('many'); write a whole number in decimal digits, such as 2",
                "swarm.yaml:2:7: 'vars' must be a mapping, not a list; write key: value pairs",
                "swarm.yaml:5:10: 'run' must be a string, not a list; write one value, in quotes (\"...\") if it starts with [ or {",
                "swarm.yaml:6:12: 'needs' must be a list of ticket ids, not a string ('b'); write needs: [b]",
                "swarm.yaml:7:14: 'network' must be true or false, not a string ('maybe'); write network: true or network: false",
                "swarm.yaml:8:11: invalid when 'sucess'; use success, failure, always; did you mean 'success'?",
                "swarm.yaml:9:15: 'priority' must be an integer, not a number (1.5); write a whole number in decimal digits, such as 2",
                "swarm.yaml:10:35: 'retries' must be a number or a mapping with max and backoff, not a list; "
                        + "write retries: 3 or retries: {max: 3, backoff: {initial: 1s, max: 1m}}");
    }

    @Test
    void missingTicketsAndEmptySpecs() throws IOException {
        assertThat(errors(dir, "name: x\n")).containsExactly(
                "swarm.yaml:1:1: the spec has no tickets; add a 'tickets:' list with at least one ticket");
        assertThat(errors(dir, "tickets: []\n")).containsExactly("swarm.yaml:1:10: 'tickets' is empty; add at least one ticket");
        assertThat(errors(dir, "# nothing\n")).containsExactly("swarm.yaml: spec is empty; a spec needs at least a 'tickets:' list");
    }

    @Test
    void shellTicketWithoutRunAndNoopOnlyKeys() throws IOException {
        assertThat(errors(dir, """
                agents:
                  lint: {kind: shell, duration: 1s}
                  fake: {kind: nop}
                tickets:
                  - id: a
                    title: no script
                  - {id: b, agent: lnt, run: "echo ${{ vars.nope }}"}
                  - {id: c, duration: 2s, run: "true"}
                """)).containsExactly(
                "swarm.yaml:2:33: 'duration' applies only to noop agents; remove it",
                "swarm.yaml:3:16: unknown agent kind 'nop'; use shell or noop; did you mean 'noop'?",
                "swarm.yaml:5:5: ticket 'a' has no 'run'; add run: with the shell script to run, or use agent: noop",
                "swarm.yaml:7:20: unknown agent 'lnt'; did you mean 'lint'?",
                "swarm.yaml:7:36: unknown variable 'nope' in '${{ vars.nope }}'; declare it under vars:", // checked though the agent is unknown
                "swarm.yaml:8:23: 'duration' applies only to noop agents; remove it or use agent: noop");
    }

    @Test
    void gitWorkspacesNeedARepository() throws IOException {
        String abs = dir.toAbsolutePath().normalize().toString();
        assertThat(errors(dir, """
                tickets:
                  - {id: a, run: "true", workspace: worktree}
                """)).containsExactly("swarm.yaml:2:37: workspace 'worktree' needs a git repository, but " + abs
                + " is not inside one; set repo:, run 'git init' in " + abs + ", or use workspace: run");
    }

    @Test
    void explicitRepoMustBeAGitRepository() throws IOException {
        Files.createDirectories(dir.resolve("plain"));
        String abs = dir.resolve("plain").toAbsolutePath().normalize().toString();
        assertThat(errors(dir, """
                repo: plain
                tickets:
                  - {id: a, run: "true", workspace: worktree}
                """)).containsExactly("swarm.yaml:1:7: repo " + abs + " is not a git repository; " // and nothing about workspace
                + "point repo: at the top of a git working tree, or run 'git init' there");
    }

    /** A file given as repo (say --var repo=path/to/swarm.yaml) was reported as not existing. */
    @Test
    void aRepoThatIsAFileIsNamedAsSuch() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "not a repository\n");
        Files.createDirectories(dir.resolve("work/.git"));
        Files.writeString(dir.resolve("work/swarm.yaml"), "tickets: []\n");
        String abs = dir.toAbsolutePath().normalize().toString();
        assertThat(errors(dir, """
                repo: notes.txt
                tickets:
                  - {id: a, run: "true"}
                """)).containsExactly("swarm.yaml:1:7: repo " + abs + "/notes.txt is a file, not a directory; "
                + "point repo: at the top of a git working tree (the directory that holds .git)");
        assertThat(errors(dir, """
                repo: work/swarm.yaml
                tickets:
                  - {id: a, run: "true"}
                """)).containsExactly("swarm.yaml:1:7: repo " + abs + "/work/swarm.yaml is a file, not a directory; "
                + "point repo: at the top of its git repository, " + abs + "/work");
    }

    @Test
    void aBareRepositoryOrASubdirectoryOfOneIsNamedAsSuch() throws IOException {
        Path bare = dir.resolve("bare.git");
        Files.createDirectories(bare.resolve("objects"));
        Files.createDirectories(bare.resolve("refs"));
        Files.writeString(bare.resolve("HEAD"), "ref: refs/heads/main\n");
        Path work = dir.resolve("work");
        Files.createDirectories(work.resolve(".git"));
        Files.createDirectories(work.resolve("src"));
        String abs = dir.toAbsolutePath().normalize().toString();
        assertThat(errors(dir, """
                repo: bare.git
                tickets:
                  - {id: a, run: "true", workspace: worktree}
                """)).containsExactly("swarm.yaml:1:7: repo " + abs + "/bare.git is a bare git repository, which has no working "
                + "tree for tickets to read or branch from; point repo: at a clone of it (git clone " + abs + "/bare.git)");
        assertThat(errors(dir, """
                repo: work/src
                tickets:
                  - {id: a, run: "true", workspace: worktree}
                """)).containsExactly("swarm.yaml:1:7: repo " + abs + "/work/src is inside the git repository " + abs
                + "/work but not at its top; point repo: at " + abs + "/work");
    }

    @Test
    void anUndeclaredOutputOfAMatrixExpansionPointsAtTheTicketThatDeclaresOutputs() throws Exception {
        assertThat(errors(dir, """
                tickets:
                  - id: b
                    matrix: {os: [mac]}
                    run: "true"
                  - id: c
                    needs: [b]
                    run: echo ${{ tickets.b-mac.outputs.nope }}
                """)).containsExactly("swarm.yaml:7:15: ticket 'b-mac' has no output 'nope'; declare it under outputs: of b");
    }

    @Test
    void matrixExpansionsMustNotCollide() throws Exception {
        gitInit(dir);
        assertThat(errors(dir, """
                tickets:
                  - {id: t-a, run: "true"}
                  - id: t
                    matrix: {v: [a, A, b]}
                    run: "true"
                  - id: u
                    matrix: {v: [""]}
                    run: "true"
                """)).containsExactly( // each colliding value named
                "swarm.yaml:4:13: matrix expansion id 't-a' (for {v=a}) is already used (line 2); rename one of the tickets or change the "
                        + "matrix values: ids keep only a-z, 0-9, '-' and '_' of each value, in lower case",
                "swarm.yaml:4:13: matrix expansion id 't-a' (for {v=A}) is already used (line 2); rename one of the tickets or change the "
                        + "matrix values: ids keep only a-z, 0-9, '-' and '_' of each value, in lower case");
    }

    @Test
    void aValueListedTwiceInOneMatrixKeyIsNamedAtItsPlace() throws Exception {
        gitInit(dir);
        assertThat(errors(dir, """
                tickets:
                  - id: m
                    matrix: {os: [linux, mac, linux], arch: [x64, arm]}
                    run: "true"
                  - id: n
                    needs: [m-linux-x64]
                    matrix: {os: [Mac OS, mac-os]}
                    run: "true"
                """)).containsExactly( // not "already used (line 3)" by itself, nor a need of m-linux-x64 as missing
                "swarm.yaml:3:31: the value 'linux' is listed twice in matrix key os; remove one",
                // two different values that make one id keep the message that says so
                "swarm.yaml:7:13: matrix expansion id 'n-mac-os' (for {os=mac-os}) is already used (line 7); rename one of "
                        + "the tickets or change the matrix values: ids keep only a-z, 0-9, '-' and '_' of each value, in lower case");
    }

    @Test
    void aTicketWithABrokenMatrixIsStillATicket() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: echo ${{ matrix.shard }}
                    matrix: {shard: []}
                  - id: b
                    needs: [a]
                    run: echo ${{ tickets.a.outputs.x }}
                  - id: c
                    matrix: {os: [linux], arch: 5}
                    run: echo ${{ matrix.arch }}
                  - id: d
                    needs: [c, c-linux-5, e, f]
                    run: echo ${{ tickets.c-linux-5.outputs.x }}
                  - id: e
                    matrix: {v: [{x: 1}]}
                    run: "true"
                  - id: f
                    matrix: [1, 2]
                    run: "true"
                """)).containsExactly( // and nothing about needs of a, c, e or f, or about c's matrix.arch
                "swarm.yaml:4:21: matrix 'shard' is empty; give at least one value",
                "swarm.yaml:9:33: matrix 'arch' must be a list of values, not a number (5); write arch: [a, b]",
                "swarm.yaml:15:18: matrix values must be strings, numbers or booleans, not a mapping; "
                        + "write each value as one string, number or boolean, such as os: [linux, mac]",
                "swarm.yaml:18:13: 'matrix' must be a mapping, not a list; write key: value pairs");
    }

    @Test
    void anEmptyMatrixIsReported() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: a, run: "true", matrix: {}}
                  - {id: b, run: "true", needs: [a]}
                """)).containsExactly(
                "swarm.yaml:2:34: 'matrix' is empty; give it a key with a list of values, such as os: [linux, mac], or remove it");
    }

    @Test
    void aMatrixTooLargeToExpandIsStillATicket() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    matrix: {x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], y: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], z: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
                  - {id: b, run: "true", needs: [a, a-1-1-1]}
                """)).containsExactly(
                "swarm.yaml:4:13: the matrix of 'a' expands to 1,100 tickets (the product of its lists' lengths); the limit is "
                        + "1,000; use fewer values or split the ticket");
    }

    /**
     * The count a matrix past the limit is refused with is the whole product of its lists' lengths, not where counting
     * stopped, nor a long that overflowed: 70 keys of 2 values expand to 2^70 tickets; past 24 digits it is given as a
     * power of ten (a 1 MiB spec can make it tens of thousands of digits long).
     */
    @Test
    void aMatrixPastTheLimitIsRefusedWithItsWholeCount() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    matrix: {x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], y: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], z: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}
                """)).containsExactly("swarm.yaml:4:13: the matrix of 'a' expands to 1,331 tickets (the product of its lists' "
                + "lengths); the limit is 1,000; use fewer values or split the ticket");
        // as docs/spec.md's Limits quote it
        String quoted = "`the matrix of 'a' expands to 1,331 tickets (the product of its lists' lengths); the limit is 1,000; use "
                + "fewer values or split the ticket`";
        assertThat(Files.readString(Path.of("..", "docs", "spec.md")).replaceAll("\\s+", " ").contains(quoted))
                .as("docs/spec.md's Limits quote %s", quoted).isTrue();

        StringBuilder keys = new StringBuilder();
        for (int k = 0; k < 70; k++) keys.append(k == 0 ? "" : ", ").append("k").append(k).append(": [p, q]");
        assertThat(errors(dir, "tickets:\n  - id: b\n    run: \"true\"\n    matrix: {" + keys + "}\n")).containsExactly(
                "swarm.yaml:4:13: the matrix of 'b' expands to 1,180,591,620,717,411,303,424 tickets (the product of its "
                        + "lists' lengths); the limit is 1,000; use fewer values or split the ticket");
        // past 24 digits, as a power of ten: 2^100 has 31
        keys.setLength(0);
        for (int k = 0; k < 100; k++) keys.append(k == 0 ? "" : ", ").append("k").append(k).append(": [p, q]");
        assertThat(errors(dir, "tickets:\n  - id: c\n    run: \"true\"\n    matrix: {" + keys + "}\n")).containsExactly(
                "swarm.yaml:4:13: the matrix of 'c' expands to at least 10^30 tickets (the product of its lists' lengths); "
                        + "the limit is 1,000; use fewer values or split the ticket");
    }

    @Test
    void outputFilesMustStayInsideTheWorkspace() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    outputs: {x: ../../etc/passwd, y: /etc/shadow, z: {file: a, json: b}, k: {json: ""}, w: sub/../x}
                """)).containsExactly(
                "swarm.yaml:4:18: output file '../../etc/passwd' is not a relative path inside the workspace; "
                        + "use a path such as out/result.txt, without '..' or a leading '/'",
                "swarm.yaml:4:39: output file '/etc/shadow' is not a relative path inside the workspace; "
                        + "use a path such as out/result.txt, without '..' or a leading '/'",
                "swarm.yaml:4:55: output 'z' needs exactly one of 'file' and 'json'; write {file: result.txt} or {json: key}",
                "swarm.yaml:4:85: output 'k' has an empty json key; write the key of the last JSON line of stdout to read, "
                        + "for example {json: version}",
                "swarm.yaml:4:93: output file 'sub/../x' is not a relative path inside the workspace; "
                        + "use a path such as out/result.txt, without '..' or a leading '/'");
    }

    @Test
    void anOutputWithoutAUsableKeyGetsOneError() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    outputs: {x: {from: nowhere}, y: {fil: a}, z: {file: [a]}, w: {}, v: {file: a, json: b, jsn: c}}
                """)).containsExactly(
                "swarm.yaml:4:19: unknown key 'from' in output 'x'; allowed keys: file, json",
                "swarm.yaml:4:39: unknown key 'fil' in output 'y'; did you mean 'file'?",
                "swarm.yaml:4:58: 'file' must be a string, not a list; write one value, in quotes (\"...\") if it starts with [ or {",
                "swarm.yaml:4:67: output 'w' needs exactly one of 'file' and 'json'; write {file: result.txt} or {json: key}",
                "swarm.yaml:4:74: output 'v' needs exactly one of 'file' and 'json'; write {file: result.txt} or {json: key}",
                "swarm.yaml:4:93: unknown key 'jsn' in output 'v'; did you mean 'json'?");
    }

    @Test
    void aMisspelledKindIsOneError() throws IOException {
        assertThat(errors(dir, """
                agents:
                  x: {knd: shell}
                  y: {knd: noop, duration: 1s}
                  z: {foo: shell}
                  w: {sandbox: off}
                  v: {kind: nop, duration: 1s}
                tickets:
                  - {id: a, agent: x, run: "true"}
                """)).containsExactly( // and no "has no 'kind'" for x and y, nor "'duration' applies only to noop agents" for y and v
                "swarm.yaml:2:7: unknown key 'knd' in agent profile 'x'; did you mean 'kind'?",
                "swarm.yaml:3:7: unknown key 'knd' in agent profile 'y'; did you mean 'kind'?",
                "swarm.yaml:4:6: agent profile 'z' has no 'kind'; add kind: shell or kind: noop",
                "swarm.yaml:4:7: unknown key 'foo' in agent profile 'z'; allowed keys: kind, sandbox, limits, env, concurrency, duration",
                "swarm.yaml:5:6: agent profile 'w' has no 'kind'; add kind: shell or kind: noop",
                "swarm.yaml:6:13: unknown agent kind 'nop'; use shell or noop; did you mean 'noop'?");
    }

    @Test
    void aMisspelledRunIsOneError() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {id: a, rn: make}
                  - {id: b, title: no script}
                """)).containsExactly( // and no "has no 'run'" for a
                "swarm.yaml:2:13: unknown key 'rn' in a ticket; did you mean 'run'?",
                "swarm.yaml:3:5: ticket 'b' has no 'run'; add run: with the shell script to run, or use agent: noop");
        assertThat(errors(dir, """
                defaults: {rn: make}
                tickets:
                  - {id: a}
                """)).containsExactly("swarm.yaml:1:12: unknown key 'rn' in defaults; did you mean 'run'?");
    }

    @Test
    void aTicketWithAMisspelledIdGetsOneError() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - {ide: a, run: "true"}
                  - {id: b, run: "echo ${{ tickets.a.outputs.x }}", needs: [a, c]}
                  - {title: nothing, run: "true"}
                  - {id: [d], run: "true"}
                  - {ide: e, run: "true", matrix: {os: [linux]}}
                  - {id: f, run: "true", needs: [e, e-linux, d]}
                """)).containsExactly( // and no "has no 'id'" for a, d or e, nor about needs of a and e or the output of a
                "swarm.yaml:2:6: unknown key 'ide' in a ticket; did you mean 'id'?",
                "swarm.yaml:3:64: ticket 'b' needs 'c', which is not a ticket; check the id, or add a ticket with that id",
                "swarm.yaml:4:5: ticket has no 'id'; add id: with a short name such as build",
                "swarm.yaml:5:10: 'id' must be a string, not a list; write one value, in quotes (\"...\") if it starts with [ or {",
                "swarm.yaml:6:6: unknown key 'ide' in a ticket; did you mean 'id'?",
                "swarm.yaml:7:46: ticket 'f' needs 'd', which is not a ticket; check the id, or add a ticket with that id"); // d's id is not a string
    }

    @Test
    void needsOfAnInvalidIdAreNotAlsoMissing() throws IOException {
        String hint = "; use 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit";
        assertThat(errors(dir, """
                tickets:
                  - {id: A, run: "true"}
                  - {id: ../x, run: "true"}
                  - {id: B, run: "true", matrix: {os: [linux]}}
                  - {id: c, run: "echo ${{ tickets.A.outputs.x }}", needs: [A, ../x, B-linux, a, d]}
                """)).containsExactly( // and nothing about c's needs of A, ../x and B-linux, or its output of A
                "swarm.yaml:2:10: invalid ticket id 'A'" + hint,
                "swarm.yaml:3:10: invalid ticket id '../x'" + hint,
                "swarm.yaml:4:10: invalid ticket id 'B'" + hint,
                "swarm.yaml:5:79: ticket 'c' needs 'a', which is not a ticket; check the id, or add a ticket with that id",
                "swarm.yaml:5:82: ticket 'c' needs 'd', which is not a ticket; check the id, or add a ticket with that id");
    }

    @Test
    void duplicateYamlKeysAreRejected() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    run: "false"
                """)).containsExactly("swarm.yaml:4:5: duplicate key 'run' (first at line 3); remove one of them");
    }

    @Test
    void yamlMergeKeysAreRejectedWithTheWayToShareSettings() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    <<: {timeout: 1m}
                """)).containsExactly("swarm.yaml:4:5: YAML merge keys ('<<') are not supported; use defaults: for settings shared by tickets");
    }

    @Test
    void valuesTheSchemaRefusesAreErrorsWithTheWayToWriteThem() throws IOException {
        assertThat(errors(dir, """
                concurrency: "4"
                defaults:
                  timeout:
                  network: yEs
                  retries: {max: '2', backoff: {multiplier: "1.5"}}
                  limits: {file-size: " 5MiB"}
                  sandbox: 'false'
                tickets:
                  - {id: yes, run: echo, needs: [on, ~], timeout: " 10m"}
                """)).containsExactly(
                "swarm.yaml:1:14: 'concurrency' must be an integer, not a string ('4'); write the number without quotes: concurrency: 4",
                "swarm.yaml:3:3: 'timeout' has no value; write a value after 'timeout:', or remove the key to leave it unset",
                "swarm.yaml:4:12: 'network' must be true or false, not a string ('yEs'); write network: true or network: false",
                "swarm.yaml:5:18: 'max' must be an integer, not a string ('2'); write the number without quotes: max: 2",
                "swarm.yaml:5:45: 'multiplier' must be a number, not a string ('1.5'); write the number without quotes: multiplier: 1.5",
                "swarm.yaml:6:23: invalid size ' 5MiB'; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB",
                "swarm.yaml:7:12: invalid sandbox 'false'; use required, best-effort, off",
                "swarm.yaml:9:10: ticket id 'yes' is a boolean to YAML, not text; write it in quotes: id: 'yes'",
                "swarm.yaml:9:34: 'needs' entry 'on' is a boolean to YAML, not text; write it in quotes: needs: ['on']",
                "swarm.yaml:9:38: an entry of 'needs' is empty; write a ticket id, or remove the entry",
                "swarm.yaml:9:51: invalid duration ' 10m'; use a number with a unit: 500ms, 90s, 10m, 1h; did you mean '10m'?");
        assertThat(errors(dir, "tickets:\n  - {id: a, run: echo, priority: 1_000}\n")).containsExactly(
                "swarm.yaml:2:34: 'priority' must be written without '_', not 1_000; write priority: 1000");
        // 010 is 8 to YAML 1.1 tools and 10 to YAML 1.2 ones: refused, with both readings offered
        assertThat(errors(dir, "concurrency: 010\ntickets:\n  - {id: a, run: echo, priority: -09, retries: 00}\n"
                + "  - {id: b, run: echo, priority: 0000000000000000000000001, retries: {max: 1, backoff: {multiplier: 02}}}\n"
                + "agents: {s: {kind: shell, limits: {file-size: 0100}}}\n")).containsExactly(
                "swarm.yaml:1:14: 'concurrency' must be written without a leading zero, not 010 (YAML 1.1 tools read it as an "
                        + "octal number, YAML 1.2 tools as decimal); write concurrency: 10 (or 8, if octal was meant)",
                "swarm.yaml:3:34: 'priority' must be written without a leading zero, not -09 (YAML 1.1 tools read it as an "
                        + "octal number, YAML 1.2 tools as decimal); write priority: -9",
                "swarm.yaml:3:48: 'retries' must be written without a leading zero, not 00 (YAML 1.1 tools read it as an "
                        + "octal number, YAML 1.2 tools as decimal); write retries: 0",
                "swarm.yaml:4:34: 'priority' must be written without a leading zero, not 0000000000000000000000001 (YAML 1.1 "
                        + "tools read it as an octal number, YAML 1.2 tools as decimal); write priority: 1",
                "swarm.yaml:4:101: 'multiplier' must be written without a leading zero, not 02 (YAML 1.1 tools read it as an "
                        + "octal number, YAML 1.2 tools as decimal); write multiplier: 2",
                "swarm.yaml:5:47: 'file-size' must be written without a leading zero, not 0100 (YAML 1.1 tools read it as an "
                        + "octal number, YAML 1.2 tools as decimal); write file-size: 100 (or 64, if octal was meant)");
    }

    /** tmp-size is a size like the other limits: the same units, and the same errors for what is not one. */
    @Test
    void aBadTmpSizeIsAnErrorLikeAnyBadSize() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  limits: {tmp-size: 1.5GiB}
                agents:
                  a: {kind: shell, limits: {tmp-size: 8 mb}}
                  b: {kind: shell, limits: {tmp-size: -1}}
                  c: {kind: shell, limits: {tmp-size: [8MiB]}}
                  d: {kind: shell, limits: {tmp-size: 0100}}
                  e: {kind: shell, limits: {tmp-size: 99999999TiB}}
                tickets:
                  - {id: t, run: echo}
                """)).containsExactly(
                "swarm.yaml:2:22: invalid size '1.5GiB'; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB",
                "swarm.yaml:4:39: invalid size '8 mb'; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB",
                "swarm.yaml:5:39: invalid size '-1'; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB",
                "swarm.yaml:6:39: 'tmp-size' must be a size, not a list; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB",
                "swarm.yaml:7:39: 'tmp-size' must be written without a leading zero, not 0100 (YAML 1.1 tools read it as an "
                        + "octal number, YAML 1.2 tools as decimal); write tmp-size: 100 (or 64, if octal was meant)",
                "swarm.yaml:8:39: size '99999999TiB' is too large; use bytes or a number with a unit: 512, 64KiB, 100MiB, 2GiB, 10MB");
    }
}
