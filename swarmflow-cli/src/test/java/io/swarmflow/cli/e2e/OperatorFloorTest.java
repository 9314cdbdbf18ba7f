package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --sandbox required|best-effort}, {@code --no-network} and {@code --allow-env}: run and validate refuse a spec
 * asking for more, every refusal at once where the spec asks for it, exit 2, nothing stored; resume checks the stored plan.
 */
class OperatorFloorTest {
    @TempDir
    Path tmp;

    /**
     * A profile with the sandbox off, a ticket with the network and a variable of swarm's environment: shell ones, as a
     * noop profile or ticket may not set them (it runs no process, and no floor refuses it).
     */
    static final String GREEDY = """
            agents:
              loose: {kind: shell, sandbox: "off"}
            tickets:
              - id: a
                agent: loose
                run: "true"
              - id: b
                run: "true"
                network: true
                env: {H: "${{ env.HOME }}", P: "${{ env.PATH }}"}
            """;

    static final String REFUSALS = """
            greedy.yaml:2:33: agent profile 'loose' sets sandbox: off (ticket a), below the floor --sandbox best-effort; \
            set sandbox: best-effort or required on the profile
            greedy.yaml:9:14: ticket b sets network: true, refused by --no-network; remove it (the ticket then runs without network)
            greedy.yaml:10:15: env H of ticket 'b' reads ${{ env.HOME }} of swarm's environment, not allowed by --allow-env PATH; \
            remove the reference, or allow the name: --allow-env HOME,PATH
            """;

    private static final String[] FLOOR = {"--sandbox", "best-effort", "--no-network", "--allow-env", "PATH"};

    private String[] args(String... head) {
        String[] all = java.util.Arrays.copyOf(head, head.length + FLOOR.length);
        System.arraycopy(FLOOR, 0, all, head.length, FLOOR.length);
        return all;
    }

    @Test
    void runRefusesEveryViolationAtOnceAndStoresNothing() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("greedy.yaml"), GREEDY);

        Result run = swarm(args("run", spec.toString(), "--plain", "--state-dir", state.toString()));

        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).isEqualTo(REFUSALS.replace("greedy.yaml:", spec + ":") + "swarm: the spec has 3 errors; nothing was run\n");
        assertThat(run.out()).isEmpty();
        assertThat(state).doesNotExist();
        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.out()).startsWith("no runs in ");
    }

    @Test
    void validateRefusesTheSameAsRun() {
        Path spec = Cli.write(tmp.resolve("greedy.yaml"), GREEDY);

        Result validate = swarm(args("validate", spec.toString(), "--state-dir", tmp.resolve("state").toString()));

        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.err()).isEqualTo(REFUSALS.replace("greedy.yaml:", spec + ":") + "swarm: the spec has 3 errors\n");
        assertThat(validate.out()).isEmpty();
    }

    @Test
    void aConformingSpecRunsAndValidatesUnderTheFloor() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("modest.yaml"), """
                tickets:
                  - id: a
                    run: "true"
                    env: {P: "${{ env.PATH }}"}
                """);

        Result validate = swarm(args("validate", spec.toString(), "--state-dir", state.toString()));
        assertThat(validate.code()).as("%s", validate).isZero();
        Result run = swarm(args("run", spec.toString(), "--plain", "--state-dir", state.toString()));
        assertThat(run.code()).as("%s", run).isZero();
    }

    @Test
    void anEmptyAllowListAllowsNoneAndTheListsOfRepeatedOptionsAddUp() {
        Path spec = Cli.write(tmp.resolve("greedy.yaml"), GREEDY);
        String state = tmp.resolve("state").toString();

        Result none = swarm("validate", spec.toString(), "--state-dir", state, "--allow-env", "");
        assertThat(none.code()).as("%s", none).isEqualTo(2);
        assertThat(none.err()).contains("reads ${{ env.HOME }} of swarm's environment, not allowed by --allow-env ''")
                .contains("reads ${{ env.PATH }} of swarm's environment, not allowed by --allow-env ''")
                .endsWith("swarm: the spec has 2 errors\n");

        Result both = swarm("validate", spec.toString(), "--state-dir", state, "--allow-env", "PATH", "--allow-env", "HOME,USER");
        assertThat(both.code()).as("%s", both).isZero();
    }

    @Test
    void aSandboxFloorOfOffOrAnUnknownNameIsRefusedAsAnOption() {
        Path spec = Cli.write(tmp.resolve("greedy.yaml"), GREEDY);
        String state = tmp.resolve("state").toString();

        Result off = swarm("validate", spec.toString(), "--state-dir", state, "--sandbox", "off");
        assertThat(off.code()).isEqualTo(2);
        assertThat(off.err()).isEqualTo("swarm: --sandbox is 'off'; use required or best-effort (off sets no floor: leave --sandbox out)\n");

        Result name = swarm("validate", spec.toString(), "--state-dir", state, "--allow-env", "PATH,1X");
        assertThat(name.code()).isEqualTo(2);
        assertThat(name.err()).isEqualTo("swarm: --allow-env names '1X', which is not an environment variable name; give names of "
                + "letters, digits and '_', not starting with a digit, separated by ','\n");
    }

    @Test
    void resumeChecksTheStoredPlanAgainstTheFloorGivenThenAndChangesNothingWhenRefused() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), """
                tickets:
                  - id: gate
                    run: "true"
                    approval: before-run
                    network: true
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);

        Result refused = swarm("resume", id, "--auto-approve", "--no-network", "--plain", "--state-dir", state.toString());

        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("swarm: run " + id + " asks for more than the options allow:\n"
                + "  ticket 'gate' has network: true, refused by --no-network\n"
                + "a run keeps the plan it was created with, so editing the spec does not help: resume it with the options it "
                + "conforms to, or start a new run of a conforming spec; nothing was changed\n");
        Result status = swarm("status", id, "--json", "--state-dir", state.toString());
        assertThat(status.json().get("run").get("state").asText()).isEqualTo("cancelled");
        assertThat(Cli.ticket(status.json(), "gate").get("state").asText()).isEqualTo("awaiting-approval");

        Result resumed = swarm("resume", id, "--auto-approve", "--plain", "--state-dir", state.toString());
        assertThat(resumed.code()).as("%s", resumed).isZero();
    }

    /** A finished ticket (here succeeded) will not run again: resume checks only the tickets still to run against the floor. */
    @Test
    void resumeChecksOnlyTheTicketsStillToRun() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("online.yaml"), """
                tickets:
                  - id: online
                    run: "true"
                    network: true
                  - id: gate
                    agent: noop
                    needs: [online]
                    approval: before-run
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);

        Result resumed = swarm("resume", id, "--auto-approve", "--no-network", "--plain", "--state-dir", state.toString());

        assertThat(resumed.code()).as("%s", resumed).isZero();
    }

    /**
     * A ticket whose PATH names a directory inside a state directory the sandbox hides from it (here the run's own) is
     * refused by run and validate where the spec sets that PATH, exit 2, nothing stored: the sandbox would otherwise have
     * to choose between taking the ticket's programs away and letting it read the state.
     */
    @Test
    void aPathIntoAStateDirectoryIsRefusedWhereTheSpecSetsIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.swarmflow.sandbox.Bubblewrap.probe().usable(),
                "the sandbox hides state directories only with bubblewrap");
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("tools.yaml"), """
                tickets:
                  - id: a
                    run: tool
                    env: {PATH: "%s/bin:/usr/bin"}
                """.formatted(state));
        String refusal = spec + ":4:17: env PATH of ticket 'a' (ticket a): its PATH names " + state + "/bin, inside the state "
                + "directory " + state + ", which the sandbox hides from the ticket (leaving it shown would let the ticket read "
                + "that state's swarm.db and logs); put the ticket's programs outside every state directory and set PATH to "
                + "there, or, when " + state + " is no longer needed, delete it or remove it from your list of state "
                + "directories ($XDG_STATE_HOME/swarmflow/state-dirs, by default ~/.local/state/swarmflow/state-dirs)\n";

        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).isEqualTo(refusal + "swarm: the spec has 1 error; nothing was run\n");
        assertThat(state).doesNotExist();

        Result validate = swarm("validate", spec.toString(), "--state-dir", state.toString());
        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.err()).isEqualTo(refusal + "swarm: the spec has 1 error\n");
    }
}
