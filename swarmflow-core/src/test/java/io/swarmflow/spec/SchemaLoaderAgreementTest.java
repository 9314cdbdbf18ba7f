package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * docs/swarm.schema.json and the loader agree on small specs: a spec an editor marks red does not load, and one that
 * loads is not marked red. Each case is one value of one key, valid or not; where the schema cannot express the
 * loader's check, the case names the {@link Gap} it falls under, and the loader's errors must all be of that kind.
 *
 * <p>The schema sees the document as Jackson's YAMLMapper parses it, which like the loader's SnakeYAML follows YAML 1.1
 * ({@code yes} and {@code off} are booleans, {@code 010} is octal). Editors using YAML 1.2 see {@code yes} as a string;
 * the schema accepts both readings wherever the loader does.
 */
class SchemaLoaderAgreementTest {
    /**
     * What the schema cannot check, so it accepts specs the loader refuses (never the other way round). docs/spec.md
     * lists them under "The JSON Schema".
     */
    enum Gap {
        /** The schema sees a number's value, not how it is written: 0x10, 4.0, 1e1, 1_000, 010, an id 1.0. */
        NOTATION("must be an integer, not a number \\(", "must be a decimal number, not ", "must be written without '_'",
                "must be written without a leading zero", "invalid size '", "invalid duration '", "invalid ticket id '",
                "is a number to YAML, not text"),
        /**
         * Durations of more than 36500d, and sizes past 2^63-1 bytes with a unit or quoted: a pattern cannot compare
         * amounts; the size 2^63 as a number (the schema's maximum, as 2^63-1 is no double); a backoff multiplier past the
         * largest double (1e999).
         */
        CEILING("is too large \\(more than 36500d\\)", "^size '.*' is too large", "^'multiplier' is too large: "),
        /** YAML 1.1 reads no, No, NO, Off and OFF as false, which the schema accepts as sandbox: off. */
        SANDBOX_NO("^invalid sandbox '(no|No|NO|Off|OFF)'"),
        /** JSON keeps the last of duplicate keys; the loader refuses them. */
        DUPLICATE_KEY("^duplicate key '"),
        /**
         * What a parser hands no validator: YAML tags (!!binary), more than 50 aliases, nesting past 32 levels, characters
         * YAML does not allow, and a NUL character in a text (no process can be given one).
         */
        YAML("^YAML tag '", "^too many YAML aliases", "^YAML nested", "is not allowed in YAML", "^a NUL character",
                "^YAML syntax error", "^not a text file", "^invalid YAML"),
        /** Needs of tickets that do not exist, cycles, ids used twice, when: failure without needs. */
        GRAPH("which is not a ticket", "needs itself", "^dependency cycle: ", "^dependency cycles among ", "^duplicate ticket id '", "^matrix expansion id '",
                "has when: failure but needs nothing"),
        /**
         * References to variables, matrix keys, outputs and tickets that do not exist or are not in reach, matrix keys outside
         * a matrix ticket; and in run and in defaults' run and agent, which are checked only for the tickets that use them
         * (the schema leaves run to the loader), a reference of a kind the text cannot have or a ${{ that begins no
         * complete reference.
         */
        REFERENCE("^unknown (variable|matrix key|reference|ticket) ", "is not available in", "outside a matrix ticket",
                "outputs of other tickets are not available", "is not a complete reference", "is a matrix ticket; ",
                "which it does not need", "has no output '", "which exist only once it has run", "is not substituted"),
        /** Output names taken by worktree tickets, output paths leaving the workspace, backoff initial above max. */
        VALUES("is provided by worktree workspaces", "is not a relative path inside the workspace", "is longer than backoff max"),
        /**
         * Agent profiles that are not declared, run required by shell agents, duration only for noop, no run or outputs for
         * noop, nor sandbox, limits or env on a noop profile and network, workspace or env on a noop ticket (its kind is its
         * profile's; duration on a shell profile is left to the loader too).
         */
        AGENT("^unknown agent '", "has no 'run'", "'duration' applies only to noop agents", "but noop agents produce none",
                "but noop agents run nothing", "but noop agents run no process"),
        /** Counts and sizes: tickets, dependencies, expansions, script and environment bytes (see docs/spec.md, Limits). */
        LIMIT("more than the limit of", "tickets \\(the product of its lists' lengths\\); the limit is ", "bytes; the limit is "),
        /** The repository must exist and be a git working tree. */
        REPOSITORY("is not a git repository", "^repo ", "needs a git repository");

        final List<Pattern> messages;

        Gap(String... messages) {
            this.messages = Stream.of(messages).map(Pattern::compile).toList();
        }

        boolean explains(SpecError error) {
            return messages.stream().anyMatch(p -> p.matcher(error.message()).find());
        }
    }

    /** A spec, whether both accept it, and the gap when only the schema does. */
    record Case(String yaml, boolean valid, Gap gap) {
        @Override
        public String toString() {
            return (gap != null ? "schema only (" + gap + ")" : valid ? "valid" : "invalid") + ": "
                    + yaml.replace("\n", " ⏎ ");
        }
    }

    private static final String TICKET = "tickets:\n  - {id: a, run: echo}\n";

    @TempDir
    static Path dir;

    @BeforeAll
    static void loadSchema() throws Exception {
        SwarmSchemaTest.loadSchema();
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // top level
        for (String v : List.of("1", "4", "+4", "2147483647")) {
            c.add(valid("concurrency: " + v + "\n" + TICKET));
        }
        for (String v : List.of("0", "-1", "2147483648", "99999999999999999999", "\"4\"", "'4'", "four", "~", "''", "[4]", "{}",
                "1.5", "true")) { // not .inf: Jackson cannot read it as a number, the loader refuses it
            c.add(invalid("concurrency: " + v + "\n" + TICKET));
        }
        // 1_000 is 1000 to YAML 1.1 (Jackson here), text to YAML 1.2 editors; the loader refuses it, as they mark it
        // 010 is 8 to YAML 1.1 (Jackson here), 10 to YAML 1.2 editors: the loader refuses it as ambiguous
        for (String v : List.of("0x10", "4.0", "1e1", "1_000", "010", "0000000000000000000000001")) {
            c.add(schemaOnly(Gap.NOTATION, "concurrency: " + v + "\n" + TICKET));
        }
        c.add(schemaOnly(Gap.REPOSITORY, "repo: .\n" + TICKET)); // the test's directory has no .git
        for (String key : List.of("name", "description", "repo")) {
            for (String v : List.of("[x]", "{a: b}", "~", "")) c.add(invalid(key + ": " + v + "\n" + TICKET));
        }
        for (String v : List.of("x", "5", "yes", "1.5", "'a b'", "2026-12-04")) {
            c.add(valid("name: " + v + "\n" + TICKET));
            c.add(valid("description: " + v + "\n" + TICKET));
        }
        // a ${{ (not escaped) where nothing is substituted, or one that begins no complete reference where references are
        for (String v : List.of("name: '${{ vars.v }}'", "description: 'a ${{ vars.v }} b'", "name: '${{'", "repo: '${{ vars.v'",
                "repo: '${{ vars.v }'", "defaults: {env: {A: '${{ vars.v'}}", "agents: {p: {kind: shell, env: {A: 'x ${{ a b }}'}}}")) {
            c.add(invalid("vars: {v: x}\n" + v + "\n" + TICKET));
        }
        for (String v : List.of("name: '$${{ vars.v }}'", "description: '$$${{'", "name: '${ {'", "agents: {p: {kind: shell, env: {A: '${{vars.v}}'}}}",
                "defaults: {env: {A: \"${{\\tvars.v\\n}}\"}}")) {
            c.add(valid("vars: {v: x}\n" + v + "\n" + TICKET));
        }
        c.addAll(ticketValues("agent", List.of(), List.of("'${{ vars.v }}'", "'x${{'")));
        c.addAll(ticketValues("title", List.of("'$${{ vars.v'", "'${{vars.v}}${{ vars.v }}'"),
                List.of("'${{ vars.v }'", "'${{ vars.v }} ${{'", "'${{ a b }}'", "'${{ }}'")));
        c.addAll(ticketValues("env", List.of("{A: '$${{ x'}"), List.of("{A: '${{ vars.v'}", "{A: '${{ vars.v }}', B: '${{'}")));
        c.addAll(ticketValues("outputs", List.of("{o: 'f-${{ vars.v }}'}", "{o: {json: '$${{ vars.v }}'}}"),
                List.of("{o: 'f${{ vars.v'}", "{o: {file: '${{ a b }}'}}", "{o: {json: '${{ vars.v }}'}}")));
        // each text with references takes only some: title and output paths vars and matrix, repo vars, env values all
        // five, an agent profile's env vars, run.id and env
        String ticketB = "  - {id: b, run: echo, outputs: {o: f}}\n";
        for (String ref : List.of("vars.v", "matrix.m", "run.id", "env.PATH", "tickets.b.outputs.o", "vars.v.w", "var.v", "run.x",
                "tickets.b.o", "tickets.b.outputs.o.p", "v")) {
            boolean load = ref.equals("vars.v") || ref.equals("matrix.m");
            boolean env = load || List.of("run.id", "env.PATH", "tickets.b.outputs.o").contains(ref);
            boolean profile = List.of("vars.v", "run.id", "env.PATH").contains(ref);
            String r = "'x ${{ " + ref + " }}'";
            String matrixTicket = "vars: {v: x}\ntickets:\n" + ticketB + "  - {id: a, run: echo, needs: [b], matrix: {m: [1]}, ";
            c.add(load ? valid(matrixTicket + "title: " + r + "}\n") : invalid(matrixTicket + "title: " + r + "}\n"));
            c.add(load ? valid(matrixTicket + "outputs: {o: " + r + "}}\n") : invalid(matrixTicket + "outputs: {o: " + r + "}}\n"));
            c.add(env ? valid(matrixTicket + "env: {A: " + r + "}}\n") : invalid(matrixTicket + "env: {A: " + r + "}}\n"));
            String profileSpec = "vars: {v: x}\nagents: {p: {kind: shell, env: {A: " + r + "}}}\n" + TICKET;
            c.add(profile ? valid(profileSpec) : invalid(profileSpec));
            if (!ref.equals("vars.v")) c.add(invalid("vars: {v: x}\nrepo: " + r + "\n" + TICKET));
        }
        c.add(schemaOnly(Gap.REPOSITORY, "vars: {v: .}\nrepo: '${{ vars.v }}'\n" + TICKET));
        // ${{ env.NAME }} takes an environment variable's name only: letters, digits and '_', not starting with a digit
        for (String name : List.of("A-B", "1A", "-", "A.B")) {
            String r = "'${{ env." + name + " }}'";
            c.add(invalid("tickets:\n  - {id: a, run: echo, env: {A: " + r + "}}\n"));
            c.add(invalid("defaults: {env: {A: " + r + "}}\n" + TICKET));
            c.add(invalid("agents: {p: {kind: shell, env: {A: " + r + "}}}\n" + TICKET));
        }
        c.add(valid("agents: {p: {kind: shell, env: {A: '${{ env.PATH }}${{env.PATH}}'}}}\ntickets:\n  - {id: a, run: echo, env: {A: '${{ env.PATH }}'}}\n"));
        c.add(valid("vars: {v: x}\ndefaults: {env: {A: '${{ vars.v }} ${{ run.id }} ${{ env.PATH }}'}}\n" + TICKET));
        c.add(schemaOnly(Gap.REFERENCE, "tickets:\n  - {id: a, run: echo, title: '${{ matrix.m }}'}\n")); // not a matrix ticket
        // a run on a noop ticket is refused, its references checked as a shell ticket's; defaults' run and agent apply
        // to the tickets that do not set their own, defaults' run checked only on those that run it (not a noop ticket)
        c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a, agent: noop, run: echo}\n"));
        c.add(valid("vars: {v: x}\ndefaults: {run: '${{ vars.v'}\ntickets:\n  - {id: a, agent: noop}\n"));
        c.add(valid("vars: {v: x}\ndefaults: {run: '${{ vars.v', agent: '${{ vars.v }}'}\ntickets:\n  - {id: a, agent: shell, run: echo}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "vars: {v: x}\ntickets:\n  - {id: a, run: 'echo ${{ vars.v }'}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "vars: {v: x}\ndefaults: {run: '${{ vars.v'}\ntickets:\n  - {id: a}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "vars: {v: x}\ndefaults: {agent: '${{ vars.v }}'}\n" + TICKET));
        c.add(invalid("tickets:\n  - {id: a, run: echo, title: '${{ vars }}'}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "tickets:\n  - {id: a, run: 'echo ${{ vars }}'}\n"));
        c.add(valid("vars: {a: 1, b: x, c: true, d: ~, e: '', f: 1.5}\n" + TICKET));
        for (String v : List.of("[1]", "{a: b}")) c.add(invalid("vars: {a: " + v + "}\n" + TICKET));
        // a value of vars or matrix is not substituted: a reference there is refused, $${{ is a literal ${{
        for (String v : List.of("'${{ vars.b }}'", "'x ${{'", "'a ${{ matrix.m }}'")) {
            c.add(invalid("vars: {a: " + v + ", b: x}\n" + TICKET));
            c.add(invalid("tickets:\n  - {id: a, run: echo, matrix: {m: [x, " + v + "]}}\n"));
        }
        for (String v : List.of("'$${{ vars.b }}'", "'${ {'", "'$${{'")) {
            c.add(valid("vars: {a: " + v + ", b: x}\n" + TICKET));
            c.add(valid("tickets:\n  - {id: a, run: echo, matrix: {m: [x, " + v + "]}}\n"));
        }
        for (String v : List.of("~", "[a]", "x")) c.add(invalid("vars: " + v + "\n" + TICKET));
        c.add(invalid("vars: {1a: x}\n" + TICKET));
        c.add(invalid("vars: {" + "v".repeat(65) + ": x}\n" + TICKET));
        for (String v : List.of("~", "[]", "x", "{}")) c.add(v.equals("{}") ? valid("agents: {}\n" + TICKET) : invalid("agents: " + v + "\n" + TICKET));
        c.add(invalid("tickets: []\n"));
        c.add(invalid("tickets:\n"));
        c.add(invalid("tickets: {a: b}\n"));
        c.add(invalid("tickets:\n  - ~\n"));
        c.add(invalid("name: x\n"));
        c.add(invalid("neme: x\n" + TICKET));

        // ticket keys
        for (String v : List.of("a", "a-b_c", "'0'", "7", "\"yes\"", "x".repeat(63), "9".repeat(63), "'" + "9".repeat(63) + "'")) {
            c.add(valid("tickets:\n  - {id: " + v + ", run: echo}\n"));
        }
        // an id written as a number is read as its digits: 64 of them are one too many
        for (String v : List.of("1" + "0".repeat(63), "9".repeat(64), "1" + "0".repeat(99), "'" + "1" + "0".repeat(63) + "'")) {
            c.add(invalid("tickets:\n  - {id: " + v + ", run: echo}\n"));
        }
        for (String v : List.of("A", "-a", "a.b", "'a b'", "x".repeat(64), "yes", "on", "true", "No", "~", "''", "[a]", "-1", "1.5",
                "1e999")) {
            c.add(invalid("tickets:\n  - {id: " + v + ", run: echo}\n"));
        }
        for (String v : List.of("1.0", "1e3", "+1")) c.add(schemaOnly(Gap.NOTATION, "tickets:\n  - {id: " + v + ", run: echo}\n"));
        c.add(invalid("tickets:\n  - {run: echo}\n"));
        c.add(schemaOnly(Gap.DUPLICATE_KEY, "tickets:\n  - {id: a, run: echo, run: ls}\n"));
        c.addAll(ticketValues("title", List.of("x", "5", "true", "1.5", "'${{ vars.v }}'"), List.of("~", "[x]", "{a: b}")));
        c.addAll(ticketValues("run", List.of("ls", "5", "true", "'${{ vars.v }} ${{ run.id }}'", "'echo\n\n      ls'"), List.of("~", "[ls]")));
        c.addAll(ticketValues("agent", List.of("shell"), List.of("~", "[shell]")));
        c.add(valid("tickets:\n  - {id: a, agent: noop}\n")); // with no run: a noop ticket's run is refused
        c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a, run: echo, agent: nope}\n"));
        c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a, run: echo, agent: 5}\n"));
        c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a}\n"));
        c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a, run: echo, duration: 1s}\n"));
        c.add(valid("tickets:\n  - {id: a, agent: noop, duration: 1s}\n"));
        c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a, agent: noop, outputs: {o: {json: o}}}\n"));
        c.add(valid("tickets:\n  - {id: a, run: echo}\n  - {id: b, run: echo, needs: [a]}\n"));
        c.add(valid("tickets:\n  - {id: '1', run: echo}\n  - {id: b, run: echo, needs: [1]}\n"));
        c.add(valid("tickets:\n  - {id: a, run: echo}\n  - {id: b, run: echo, needs: []}\n"));
        c.add(invalid("tickets:\n  - {id: a, run: echo}\n  - {id: b, run: echo, needs: [a, a]}\n")); // listed twice
        for (String v : List.of("a", "~", "[~]", "[A]", "[yes]", "{a: b}", "[[a]]")) {
            c.add(invalid("tickets:\n  - {id: a, run: echo}\n  - {id: b, run: echo, needs: " + v + "}\n"));
        }
        c.add(schemaOnly(Gap.GRAPH, "tickets:\n  - {id: a, run: echo, needs: [b]}\n"));
        c.add(schemaOnly(Gap.GRAPH, "tickets:\n  - {id: a, run: echo, needs: [a]}\n"));
        c.add(schemaOnly(Gap.GRAPH, "tickets:\n  - {id: a, run: echo, needs: [b]}\n  - {id: b, run: echo, needs: [a]}\n"));
        c.add(schemaOnly(Gap.GRAPH, "tickets:\n  - {id: a, run: echo}\n  - {id: a, run: echo}\n"));
        c.addAll(ticketValues("env", List.of("{A: x}", "{A: 1, B: true, C: ~, D: ''}", "{_A1: x}", "{}"),
                List.of("~", "[A]", "x", "{1A: x}", "{A-B: x}", "{'A B': x}", "{A: [x]}", "{A: {b: c}}", "{E" + "x".repeat(128) + ": 1}",
                        "{HOME: /x}", "{SWARM_RUN_ID: x}", "{SWARM_SCRATCH: x}", "{SWARM_SCRIPT: x}", "{PATH: /bin, SWARM_ATTEMPT: 1}")));
        c.add(invalid("agents: {p: {kind: shell, env: {SWARM_TICKET_ID: x}}}\ntickets:\n  - {id: a, agent: p, run: echo}\n"));
        c.add(invalid("defaults: {env: {HOME: /x}}\ntickets:\n  - {id: a, run: echo}\n"));
        c.add(valid("tickets:\n  - {id: a, run: echo, env: {PATH: /bin, LANG: C, home: x, SWARM_X: y}}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "tickets:\n  - {id: a, run: echo, env: {A: '${{ vars.nope }}'}}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "tickets:\n  - {id: a, run: 'echo ${{ matrix.os }}'}\n"));
        c.add(schemaOnly(Gap.REFERENCE, "tickets:\n  - {id: a, run: 'echo ${{ tickets.b.outputs.x }}'}\n"));
        for (String key : List.of("timeout", "duration")) {
            String prefix = key.equals("duration") ? "agent: noop, " : "run: echo, ";
            for (String v : List.of("0", "'0'", "500ms", "90s", "10m", "1h30m", "2d", "1m30s250ms", "36500d")) {
                c.add(valid("tickets:\n  - {id: a, " + prefix + key + ": " + v + "}\n"));
            }
            for (String v : List.of("30", "10", "1.5h", "10 m", "' 10m'", "'10m '", "-5s", "10x", "h", "''", "~", "[1s]", "true", "1:30")) {
                c.add(invalid("tickets:\n  - {id: a, " + prefix + key + ": " + v + "}\n"));
            }
            c.add(schemaOnly(Gap.CEILING, "tickets:\n  - {id: a, " + prefix + key + ": 36501d}\n"));
            c.add(schemaOnly(Gap.CEILING, "tickets:\n  - {id: a, " + prefix + key + ": 99999999999999999999d}\n"));
            c.add(schemaOnly(Gap.NOTATION, "tickets:\n  - {id: a, " + prefix + key + ": 0.0}\n"));
        }
        c.addAll(ticketValues("retries", List.of("0", "3", "2147483647", "{max: 2}", "{}", "{backoff: {initial: 1s, max: 1m, multiplier: 1.5}}",
                "{max: 1, backoff: {multiplier: 1}}", "{backoff: {}}"),
                List.of("-1", "'3'", "2147483648", "~", "[3]", "{max: -1}", "{max: '2'}", "{max: ~}", "{tries: 2}", "{backoff: {initial: 1}}",
                        "{backoff: {multiplier: 0.5}}", "{backoff: {multiplier: '2'}}", "{backoff: {multiplier: x}}", "{backoff: {jitter: 1}}",
                        "{backoff: ~}", "1.5")));
        c.add(schemaOnly(Gap.CEILING, "tickets:\n  - {id: a, run: echo, retries: {backoff: {multiplier: 1e999}}}\n"));
        for (String v : List.of("0b101", "0x2", "02")) {
            c.add(schemaOnly(Gap.NOTATION, "tickets:\n  - {id: a, run: echo, retries: {backoff: {multiplier: " + v + "}}}\n"));
        }
        c.addAll(ticketValues("priority", List.of("0", "-5", "10", "2147483647", "-2147483648"),
                List.of("2147483648", "-2147483649", "'5'", "1.5", "high", "~")));
        for (String[] e : new String[][]{{"when", "success", "always"}, {"approval", "none", "before-run"},
                {"workspace", "run"}}) {
            c.addAll(ticketValues(e[0], List.of(e).subList(1, e.length), List.of("nope", "~", "[x]", "true", "Success")));
        }
        c.add(valid("tickets:\n  - {id: a, run: echo}\n  - {id: b, run: echo, needs: [a], when: failure}\n"));
        c.add(schemaOnly(Gap.GRAPH, "tickets:\n  - {id: a, run: echo, when: failure}\n"));
        c.addAll(ticketValues("network", List.of("true", "false", "yes", "no", "on", "off", "True", "FALSE", "Yes", "NO", "On", "OFF",
                "'true'", "\"no\"", "'Yes'"), List.of("yEs", "tRUE", "y", "n", "1", "0", "' true'", "maybe", "~", "[true]")));
        c.addAll(ticketValues("outputs", List.of("{o: out.txt}", "{o: 5}", "{o: {file: f}}", "{o: {json: k}}", "{o: {json: 5}}", "{}", "{_o-1: f}",
                        "{o: ' x'}", "{o: ' /x'}", "{o: {file: 'a b'}}", "{o: {json: \"\\u00A0\"}}", "{o: {json: ' k'}}"),
                List.of("~", "[o]", "x", "{o: ~}", "{o: [f]}", "{o: {}}", "{o: {file: f, json: k}}", "{o: {path: f}}",
                        "{o: {json: ' '}}", "{o: {json: ~}}", "{-o: f}", "{'o o': f}", "{" + "o".repeat(65) + ": f}",
                        // blank as String.isBlank has it, and absolute: the schema spells out both
                        "{o: ''}", "{o: ' '}", "{o: \"\\t\"}", "{o: {file: ''}}", "{o: /etc/passwd}", "{o: {file: /x}}", "{o: '\\x'}",
                        "{o: {json: \"\\u2003\"}}", "{o: {json: \"\\u3000\\n\"}}")));
        for (String v : List.of("../x", ".", "./", "a/../..", "'${{ vars.v }}/../..'")) {
            c.add(schemaOnly(Gap.VALUES, "vars: {v: x}\ntickets:\n  - {id: a, run: echo, outputs: {o: " + v + "}}\n"));
        }
        c.addAll(ticketValues("matrix", List.of("{os: [linux, mac]}", "{n: [1, 2.5, true]}", "{os: [linux], jdk: [21, 25]}"),
                List.of("{}", "~", "[os]", "{os: []}", "{os: linux}", "{os: [~]}", "{os: [[a]]}", "{os: [{a: b}]}", "{-os: [a]}")));
        c.add(schemaOnly(Gap.LIMIT, "tickets:\n  - {id: a, run: echo, matrix: {a: [1,2,3,4,5,6,7,8,9,10], b: [1,2,3,4,5,6,7,8,9,10], "
                + "c: [1,2,3,4,5,6,7,8,9,10], d: [1,2]}}\n"));
        c.add(schemaOnly(Gap.LIMIT, "tickets:\n  - id: a\n    run: '" + "x".repeat(127 * 1024 + 1) + "'\n"));
        for (String k : List.of("sandbox", "limits", "kind", "concurrency", "nope")) c.add(invalid("tickets:\n  - {id: a, run: echo, " + k + ": x}\n"));

        // defaults
        c.add(valid("defaults: {agent: noop, timeout: 1m, retries: 2, priority: 1, when: always, approval: none, workspace: run, "
                + "network: yes, duration: 1s, env: {A: b}, sandbox: required, limits: {processes: 10}}\ntickets:\n  - {id: a}\n"));
        for (String v : List.of("~", "[]", "x")) c.add(invalid("defaults: " + v + "\n" + TICKET));
        for (String k : List.of("id", "title", "needs", "outputs", "matrix", "kind", "nope")) c.add(invalid("defaults: {" + k + ": x}\n" + TICKET));
        for (String k : List.of("agent", "run", "timeout", "retries", "priority", "network", "sandbox", "limits", "env")) {
            c.add(invalid("defaults: {" + k + ": ~}\n" + TICKET));
        }
        for (String v : List.of("required", "best-effort", "off", "false", "False", "FALSE")) c.add(valid("defaults: {sandbox: " + v + "}\n" + TICKET));
        for (String v : List.of("'false'", "true", "on", "yes", "Required", "none", "'no'")) c.add(invalid("defaults: {sandbox: " + v + "}\n" + TICKET));
        for (String v : List.of("no", "No", "NO", "Off", "OFF")) c.add(schemaOnly(Gap.SANDBOX_NO, "defaults: {sandbox: " + v + "}\n" + TICKET));

        // agent profiles
        c.add(valid("agents: {p: {kind: shell}}\n" + TICKET));
        c.add(valid("agents: {p: {kind: noop, duration: 10ms, concurrency: 0}}\n" + TICKET));
        c.add(valid("agents: {p: {kind: shell, concurrency: 0, sandbox: best-effort, env: {A: '${{ vars.v }}'}}}\n"
                + "vars: {v: x}\n" + TICKET));
        // a noop profile or ticket runs no process: what only a process uses is refused, by the loader only
        for (String v : List.of("sandbox: best-effort", "limits: {processes: 10}", "env: {A: b}")) {
            c.add(schemaOnly(Gap.AGENT, "agents: {p: {kind: noop, " + v + "}}\n" + TICKET));
            c.add(valid("agents: {p: {kind: shell, " + v + "}}\n" + TICKET));
        }
        for (String v : List.of("network: true", "workspace: run", "env: {A: b}")) {
            c.add(schemaOnly(Gap.AGENT, "tickets:\n  - {id: a, agent: noop, " + v + "}\n"));
        }
        for (String v : List.of("~", "[]", "x", "{}", "{kind: ~}", "{kind: docker}", "{kind: shell, nope: 1}", "{kind: shell, concurrency: -1}",
                "{kind: shell, concurrency: '2'}", "{kind: shell, concurrency: 2147483648}", "{kind: shell, sandbox: ~}", "{kind: shell, env: ~}",
                "{kind: shell, env: {A: '${{ run.id }}'}, run: ls}")) {
            c.add(invalid("agents: {p: " + v + "}\n" + TICKET));
        }
        for (String name : List.of("P", "-p", "'p p'", "x".repeat(64))) c.add(invalid("agents: {" + name + ": {kind: shell}}\n" + TICKET));

        // limits, in profiles and defaults
        for (String where : List.of("agents: {p: {kind: shell, limits: %s}}\n", "defaults: {limits: %s}\n")) {
            for (String v : List.of("{}", "{cpu-time: 90s}", "{cpu-time: 0}", "{address-space: 2GiB}", "{address-space: 512}", "{file-size: '7 MiB'}",
                    "{file-size: 0}", "{log-size: 10MB}", "{log-size: 9223372036854775807}", "{processes: 0}", "{processes: 256}",
                    "{address-space: 4k}", "{file-size: '512'}", "{tmp-size: 8MiB}", "{tmp-size: 0}", "{tmp-size: '64 KiB'}")) {
                c.add(valid(where.formatted(v) + TICKET));
            }
            for (String v : List.of("~", "[]", "{memory: 1GiB}", "{cpu-time: 90}", "{cpu-time: ~}", "{address-space: 1.5GiB}", "{address-space: -1}",
                    "{file-size: ' 5MiB'}", "{file-size: \"5\\tMiB\"}", "{file-size: 5 PiB}", "{log-size: 9223372036854775809}",
                    "{log-size: 18446744073709551616}",
                    "{processes: -1}", "{processes: '5'}", "{processes: 2147483648}", "{processes: 1.5}", "{tmp-size: ~}",
                    "{tmp-size: 1.5GiB}", "{tmp-size: -1}", "{tmp-size: 8 mb}", "{tmp-size: [8MiB]}")) {
                c.add(invalid(where.formatted(v) + TICKET));
            }
            c.add(schemaOnly(Gap.CEILING, where.formatted("{file-size: 9999999999999TiB}") + TICKET));
            // the schema's maximum is 2^63, which a double holds; a quoted number of bytes is a pattern's, which cannot compare
            c.add(schemaOnly(Gap.CEILING, where.formatted("{log-size: 9223372036854775808}") + TICKET));
            c.add(schemaOnly(Gap.CEILING, where.formatted("{file-size: '9223372036854775808'}") + TICKET));
            c.add(schemaOnly(Gap.CEILING, where.formatted("{file-size: '99999999999999999999 B'}") + TICKET));
            c.add(valid(where.formatted("{file-size: '9223372036854775807'}") + TICKET));
            c.add(schemaOnly(Gap.CEILING, where.formatted("{cpu-time: 36501d}") + TICKET));
            c.add(schemaOnly(Gap.NOTATION, where.formatted("{file-size: 0x10}") + TICKET));
            c.add(schemaOnly(Gap.NOTATION, where.formatted("{file-size: 0100}") + TICKET));
            c.add(schemaOnly(Gap.NOTATION, where.formatted("{tmp-size: 010}") + TICKET));
            c.add(schemaOnly(Gap.NOTATION, where.formatted("{processes: 010}") + TICKET));
        }
        return c.stream();
    }

    private static Case valid(String yaml) {
        return new Case(yaml, true, null);
    }

    private static Case invalid(String yaml) {
        return new Case(yaml, false, null);
    }

    private static Case schemaOnly(Gap gap, String yaml) {
        return new Case(yaml, false, gap);
    }

    /** Cases of one ticket key: values both accept, values both refuse. */
    private static List<Case> ticketValues(String key, List<String> valid, List<String> invalid) {
        List<Case> c = new ArrayList<>();
        String ticket = "vars: {v: x}\ntickets:\n  - {id: a, " + (key.equals("run") ? "" : "run: echo, ") + key + ": ";
        for (String v : valid) c.add(valid(ticket + v + "}\n"));
        for (String v : invalid) c.add(invalid(ticket + v + "}\n"));
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theSchemaAndTheLoaderAgree(Case c) throws IOException {
        Set<ValidationMessage> schemaErrors = validate(c.yaml());
        List<SpecError> loaderErrors = load(c.yaml());
        if (c.gap() != null) {
            assertThat(schemaErrors).as("the schema cannot see this (%s), so accepts it", c.gap()).isEmpty();
            assertThat(loaderErrors).as("the loader refuses it").isNotEmpty();
            assertThat(loaderErrors).as("every loader error is of the kind %s", c.gap())
                    .allMatch(c.gap()::explains);
        } else if (c.valid()) {
            assertThat(schemaErrors).as("the schema accepts it").isEmpty();
            assertThat(loaderErrors).as("the loader accepts it").isEmpty();
        } else {
            assertThat(schemaErrors).as("the schema refuses it (the loader says %s)", loaderErrors).isNotEmpty();
            assertThat(loaderErrors).as("the loader refuses it (the schema says %s)", schemaErrors).isNotEmpty();
        }
    }

    /**
     * Editors such as yaml-language-server read YAML 1.2, where {@code yes}, {@code Off}, {@code 1_000} and {@code 1:30}
     * are strings and {@code 0o17} a number: whatever the loader accepts, the schema accepts in that reading too. (Not
     * the converse: the schema accepts {@code id: yes}, a string in YAML 1.2, which the loader refuses as YAML 1.1 does.)
     */
    @ParameterizedTest
    @MethodSource("validCases")
    void whatTheLoaderAcceptsTheSchemaAcceptsAsYaml12ReadsIt(Case c) throws IOException {
        assertThat(load(c.yaml())).as("the loader accepts it").isEmpty();
        JsonNode doc = Yaml12.read(c.yaml());
        assertThat(doc).as("a JSON reading in YAML 1.2 (none of .inf or .nan)").isNotNull();
        assertThat(SwarmSchemaTest.schema.validate(doc)).as("YAML 1.2 reads %s", doc).isEmpty();
    }

    /** The cases both accept (those the loader accepts, as {@link #theSchemaAndTheLoaderAgree} checks). */
    static Stream<Case> validCases() {
        return cases().filter(Case::valid);
    }

    /** A YAML 1.2 (core schema) reading of a document as JSON, from SnakeYAML's composer with 1.2's implicit types. */
    static final class Yaml12 {
        private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
        private static final Pattern FLOAT = Pattern.compile("[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?");

        static JsonNode read(String yaml) {
            Resolver resolver = new Resolver() {
                @Override
                protected void addImplicitResolvers() {
                    addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
                    addImplicitResolver(Tag.INT, Pattern.compile("^(?:" + INTEGER.pattern() + ")$"), "-+0123456789");
                    addImplicitResolver(Tag.FLOAT, Pattern.compile(
                            "^(?:" + FLOAT.pattern() + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"), "-+0123456789.");
                    addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL|)$"), "~nN\0");
                }
            };
            LoaderOptions options = new LoaderOptions();
            return json(new Composer(new ParserImpl(new StreamReader(yaml), options), resolver, options).getSingleNode());
        }

        private static JsonNode json(Node node) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            if (node instanceof MappingNode m) {
                ObjectNode o = f.objectNode();
                for (NodeTuple t : m.getValue()) {
                    JsonNode k = json(t.getKeyNode());
                    JsonNode v = json(t.getValueNode());
                    if (k == null || v == null) return null;
                    o.set(k.isTextual() ? k.textValue() : k.toString(), v);
                }
                return o;
            }
            if (node instanceof SequenceNode seq) {
                ArrayNode a = f.arrayNode();
                for (Node n : seq.getValue()) {
                    JsonNode v = json(n);
                    if (v == null) return null;
                    a.add(v);
                }
                return a;
            }
            String text = ((ScalarNode) node).getValue();
            Tag tag = node.getTag();
            if (tag.equals(Tag.NULL)) return f.nullNode();
            if (tag.equals(Tag.BOOL)) return f.booleanNode(text.equalsIgnoreCase("true")); // !!bool yes: an editor's error, here true
            // .inf, .nan and explicitly tagged texts (!!int x) have no JSON number: no reading to compare
            if (tag.equals(Tag.INT) && !INTEGER.matcher(text).matches() || tag.equals(Tag.FLOAT) && !FLOAT.matcher(text).matches()) {
                return null;
            }
            if (tag.equals(Tag.INT)) {
                String digits = text.replaceFirst("^\\+", "");
                int radix = digits.startsWith("0o") ? 8 : digits.startsWith("0x") ? 16 : 10;
                return f.numberNode(new BigInteger(radix == 10 ? digits : digits.substring(2), radix));
            }
            if (tag.equals(Tag.FLOAT)) return f.numberNode(new BigDecimal(text));
            return f.textNode(text);
        }
    }

    static Set<ValidationMessage> validate(String yaml) throws IOException {
        try {
            return SwarmSchemaTest.validate(yaml);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The loader's errors; none when it accepts the spec. */
    static List<SpecError> load(String yaml) throws IOException {
        Path file = SpecFiles.write(Files.createTempDirectory(dir, "spec"), "swarm.yaml", yaml);
        try {
            new SpecLoader().load(file, Map.of());
            return List.of();
        } catch (SpecException e) {
            return e.errors();
        }
    }
}
