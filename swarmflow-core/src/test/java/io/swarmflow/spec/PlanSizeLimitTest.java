package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A text written once and copied into many tickets ({@code defaults}, a YAML alias, a variable) cannot make a small spec
 * a huge plan ({@link PlanBuilder#MAX_PLAN_BYTES}), and is scanned once however many tickets it is copied into.
 */
class PlanSizeLimitTest {
    @TempDir
    Path dir;

    /** 120 KiB of script: under the 127 KiB of one script, so only the plan's total can refuse it. */
    private static final String SCRIPT = "true #" + "x".repeat(120 * 1024 - 6);

    private static String tickets(int n, String each) {
        StringBuilder yaml = new StringBuilder("tickets:\n");
        for (int i = 0; i < n; i++) yaml.append("  - {id: t").append(i).append(each).append("}\n");
        return yaml.toString();
    }

    /** The one error of {@code yaml}, asserted to say at {@code at} (line:column) that the plan's tickets hold too much text. */
    private AbstractStringAssert<?> tooMuchTextAt(String at, String yaml) throws IOException {
        return assertThat(errors(dir, yaml)).singleElement().asString()
                .startsWith("swarm.yaml:" + at + ": the plan's tickets hold too much text");
    }

    @Test
    void aScriptInDefaultsCopiedIntoTicketsPastTheLimitIsRefusedWhereItIsWritten() throws Exception {
        // 2,000 tickets of 120 KiB would be 234 MiB; building stops at the ticket that passes 64 MiB
        assertThat(errors(dir, "defaults: {run: \"" + SCRIPT + "\"}\n" + tickets(2000, ""))).containsExactly(
                "swarm.yaml:1:17: the plan's tickets hold too much text: their scripts, environment variables and titles come to "
                        + "64.1 MiB; the limit is 64.0 MiB (passed at ticket 't546', 547 of 2,000); the most is defaults.run: "
                        + "120.0 KiB copied into each of 547 tickets, 64.1 MiB in all; put the script in a file in the repository "
                        + "and run that file, or use fewer tickets (each ticket stores its own copy)");
    }

    @Test
    void anAliasedScriptIsReportedAtItsAnchor() throws Exception {
        String yaml = "vars:\n  b: &b \"" + SCRIPT + "\"\n" + tickets(600, ", run: *b");
        tooMuchTextAt("2:6", yaml).contains("the most is the run of ticket 't0' (the text anchored as &b, which its aliases "
                + "copy): 120.0 KiB copied into each of 547 tickets");
    }

    @Test
    void anEnvironmentValueInDefaultsCountsToo() throws Exception {
        String yaml = "defaults: {env: {BIG: \"" + SCRIPT + "\"}}\n" + tickets(600, ", run: 'true'");
        tooMuchTextAt("1:23", yaml).contains("the most is defaults.env.BIG: 120.0 KiB copied into each of 547 tickets")
                .endsWith("put the value in a file and pass its path, or use fewer tickets (each ticket stores its own copy)");
    }

    @Test
    void aScriptShortAsWrittenButLongWithItsVariableCountsAsSubstituted() throws Exception {
        String yaml = "vars: {b: \"" + SCRIPT + "\"}\ndefaults: {run: \"${{ vars.b }}\"}\n" + tickets(600, "");
        tooMuchTextAt("2:17", yaml).contains("the most is defaults.run: 120.0 KiB copied into each of 547 tickets");
    }

    @Test
    void aScriptLongAsWrittenButShortWithItsVariablesCountsAsWritten() throws Exception {
        // what the plan stores is the script as written: 120 KiB of references to an empty variable
        String refs = "${{ vars.e }}".repeat(120 * 1024 / 13);
        String yaml = "vars: {e: \"\"}\ndefaults: {run: \"true " + refs + "\"}\n" + tickets(600, "");
        tooMuchTextAt("2:17", yaml).contains("the most is defaults.run: 120.0 KiB copied into each of");
    }

    @Test
    void aTitleThatAVariableMakesHugeIsRefusedWithoutBuildingIt() throws Exception {
        // 700 references to a 100 KiB variable: 68.4 MiB in one title
        String yaml = "vars: {b: \"" + "x".repeat(100 * 1024) + "\"}\ntickets:\n  - id: a\n    run: 'true'\n    title: \""
                + "${{ vars.b }}".repeat(700) + "\"\n";
        assertThat(errors(dir, yaml)).containsExactly("swarm.yaml:5:12: the title with variables and matrix values substituted "
                + "would be 68.4 MiB; the limit is 64.0 MiB for the texts of all tickets together; use fewer or shorter variables in it");
    }

    @Test
    void aPlanUnderTheLimitIsAccepted() throws Exception {
        // 500 tickets of 120 KiB: 58.6 MiB
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", "defaults: {run: \"" + SCRIPT + "\"}\n" + tickets(500, "")),
                Map.of());
        assertThat(plan.tickets()).hasSize(500).allSatisfy(t -> assertThat(t.run()).isEqualTo(SCRIPT));
    }

    /** 1,000 matrix values: {@code p0, p1, ...}. */
    private static String values(String prefix) {
        return String.join(", ", java.util.stream.IntStream.range(0, 1000).mapToObj(i -> prefix + i).toList());
    }

    @Test
    void aScriptSharedByManyTicketsIsScannedOnce() throws Exception {
        // 2,000 tickets share one 30 KiB script with references and an environment value: a few distinct texts to scan
        String script = "echo ${{ vars.v }} ${{ matrix.k }} $${{ literal }} #" + "x".repeat(30 * 1024);
        String yaml = "vars: {v: value}\ndefaults: {run: \"" + script + "\", env: {E: \"${{ vars.v }}\"}}\ntickets:\n"
                + "  - {id: m, matrix: {k: [" + values("v") + "]}}\n  - {id: n, matrix: {k: [" + values("w") + "]}}\n";
        Path file = SpecFiles.write(dir, "swarm.yaml", yaml);
        Problems problems = new Problems(file.toString());
        YamlSource source = YamlSource.read(file, SpecLoader.DEFAULT_MAX_BYTES, problems);
        RawSpec raw = new SpecReader(problems).read(source.compose());
        PlanBuilder builder = new PlanBuilder(raw, source, problems, file, Map.of());

        Plan plan = builder.build(null);

        assertThat(problems.isEmpty()).as("no problems").isTrue();
        assertThat(plan.tickets()).hasSize(2000);
        // the script, the env value, the agent's name: each distinct text once, not once per ticket (or more)
        assertThat(builder.scansMade()).isLessThan(10);
        List<String> runs = plan.tickets().stream().map(PlannedTicket::run).distinct().toList();
        assertThat(runs).containsExactly(script);
    }
}
