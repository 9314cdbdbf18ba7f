package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link Floor} (swarm run --sandbox, --no-network, --allow-env) refuses every ticket or profile that asks for more,
 * all at once, each where the spec asks for it; a spec that conforms loads as without it.
 */
class FloorTest {
    @TempDir
    Path dir;

    /** Asks for everything: a profile with the sandbox off, one left at best-effort, network in defaults and a ticket, env. */
    static final String GREEDY = """
            name: greedy
            defaults:
              network: true
            agents:
              loose:
                kind: shell
                sandbox: "off"
                env: {A: "x ${{ env.HOME }} ${{ env.PATH }}"}
              plain:
                kind: shell
            tickets:
              - id: a
                agent: loose
                run: echo a
                env: {B: "${{ env.HOME }}"}
              - id: b
                agent: plain
                network: false
                run: echo b
              - id: c
                run: echo c
                network: true
            """;

    /** The same tickets, each asking for nothing the strictest floor refuses. */
    static final String MODEST = """
            name: modest
            defaults:
              sandbox: required
            agents:
              loose:
                kind: shell
                env: {A: "x ${{ env.PATH }}"}
            tickets:
              - id: a
                agent: loose
                run: echo a
              - id: c
                run: echo c
                network: false
            """;

    private List<String> refusals(String yaml, Floor floor) throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", yaml);
        SpecException e = catchThrowableOfType(SpecException.class, () -> new SpecLoader().load(spec, Map.of(), w -> {}, floor));
        assertThat(e).as("refused").isNotNull();
        String prefix = dir + "/";
        return e.errors().stream().map(SpecError::format).map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : s).toList();
    }

    @Test
    void everyRefusalIsListedAtOnceWhereTheSpecAsksForIt() throws Exception {
        assertThat(refusals(GREEDY, new Floor(SandboxPolicy.REQUIRED, true, Set.of("PATH")))).containsExactly(
                "swarm.yaml:3:12: defaults sets network: true (ticket a), refused by --no-network; "
                        + "remove it from defaults (a ticket then runs without network)",
                "swarm.yaml:7:14: agent profile 'loose' sets sandbox: off (ticket a), below the floor --sandbox required; "
                        + "set sandbox: required on the profile",
                "swarm.yaml:8:17: env A of agent profile 'loose' reads ${{ env.HOME }} of swarm's environment, not allowed by "
                        + "--allow-env PATH; remove the reference, or allow the name: --allow-env HOME,PATH",
                "swarm.yaml:9:3: agent profile 'plain' (ticket b) has no sandbox:, so best-effort by default, below the floor "
                        + "--sandbox required; add sandbox: required to the profile",
                "swarm.yaml:15:15: env B of ticket 'a' reads ${{ env.HOME }} of swarm's environment, not allowed by "
                        + "--allow-env PATH; remove the reference, or allow the name: --allow-env HOME,PATH",
                "swarm.yaml:20:5: ticket c runs with agent profile 'shell', best-effort by default, below the floor "
                        + "--sandbox required; add sandbox: required under defaults:",
                "swarm.yaml:22:14: ticket c sets network: true, refused by --no-network; remove it (the ticket then runs without network)");
    }

    /** review-A N-3: an allow list from SWARM_ALLOW_ENV is named as given, not as a --allow-env that was never written. */
    @Test
    void anAllowListFromTheEnvironmentIsNamedAsGiven() throws Exception {
        assertThat(refusals(GREEDY, new Floor(null, false, Set.of("PATH"), true))).containsExactly(
                "swarm.yaml:8:17: env A of agent profile 'loose' reads ${{ env.HOME }} of swarm's environment, not allowed by "
                        + "SWARM_ALLOW_ENV=PATH; remove the reference, or allow the name: SWARM_ALLOW_ENV=HOME,PATH",
                "swarm.yaml:15:15: env B of ticket 'a' reads ${{ env.HOME }} of swarm's environment, not allowed by "
                        + "SWARM_ALLOW_ENV=PATH; remove the reference, or allow the name: SWARM_ALLOW_ENV=HOME,PATH");
    }

    /** A sandbox or network floor from SWARM_SANDBOX_FLOOR or SWARM_NO_NETWORK is named so, not as an option never given. */
    @Test
    void sandboxAndNetworkFloorsFromTheEnvironmentAreNamedAsGiven() throws Exception {
        Floor fromEnvironment = new Floor(SandboxPolicy.REQUIRED, true, null, false, true, true);
        assertThat(refusals(GREEDY, fromEnvironment)).containsExactly(
                "swarm.yaml:3:12: defaults sets network: true (ticket a), refused by SWARM_NO_NETWORK; "
                        + "remove it from defaults (a ticket then runs without network)",
                "swarm.yaml:7:14: agent profile 'loose' sets sandbox: off (ticket a), below the floor SWARM_SANDBOX_FLOOR=required; "
                        + "set sandbox: required on the profile",
                "swarm.yaml:9:3: agent profile 'plain' (ticket b) has no sandbox:, so best-effort by default, below the floor "
                        + "SWARM_SANDBOX_FLOOR=required; add sandbox: required to the profile",
                "swarm.yaml:20:5: ticket c runs with agent profile 'shell', best-effort by default, below the floor "
                        + "SWARM_SANDBOX_FLOOR=required; add sandbox: required under defaults:",
                "swarm.yaml:22:14: ticket c sets network: true, refused by SWARM_NO_NETWORK; remove it (the ticket then runs without network)");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", GREEDY), Map.of());
        assertThat(fromEnvironment.violations(plan)).allSatisfy(line -> assertThat(line).doesNotContain("--sandbox", "--no-network"))
                .anySatisfy(line -> assertThat(line).endsWith("below SWARM_SANDBOX_FLOOR=required"))
                .anySatisfy(line -> assertThat(line).endsWith("refused by SWARM_NO_NETWORK"));
    }

    @Test
    void aBestEffortFloorRefusesOnlyOffAndAnEmptyAllowListEveryReference() throws Exception {
        assertThat(refusals(GREEDY, new Floor(SandboxPolicy.BEST_EFFORT, false, Set.of()))).containsExactly(
                "swarm.yaml:7:14: agent profile 'loose' sets sandbox: off (ticket a), below the floor --sandbox best-effort; "
                        + "set sandbox: best-effort or required on the profile",
                "swarm.yaml:8:17: env A of agent profile 'loose' reads ${{ env.HOME }} of swarm's environment, not allowed by "
                        + "--allow-env ''; remove the reference, or allow the name: --allow-env HOME",
                "swarm.yaml:8:33: env A of agent profile 'loose' reads ${{ env.PATH }} of swarm's environment, not allowed by "
                        + "--allow-env ''; remove the reference, or allow the name: --allow-env PATH",
                "swarm.yaml:15:15: env B of ticket 'a' reads ${{ env.HOME }} of swarm's environment, not allowed by "
                        + "--allow-env ''; remove the reference, or allow the name: --allow-env HOME");
    }

    @Test
    void aSandboxOffInDefaultsIsRefusedOnceAtDefaults() throws Exception {
        assertThat(refusals("""
                defaults:
                  sandbox: "off"
                tickets:
                  - {id: a, run: echo a}
                  - {id: b, run: echo b}
                """, new Floor(SandboxPolicy.REQUIRED, false, null))).containsExactly(
                "swarm.yaml:2:12: defaults sets sandbox: off for agent profile 'shell' (tickets a, b), below the floor "
                        + "--sandbox required; set sandbox: required in defaults");
    }

    @Test
    void aConformingSpecLoadsUnderTheStrictestFloorAndTheSamePlanAsWithout() throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", MODEST);
        Floor strictest = new Floor(SandboxPolicy.REQUIRED, true, Set.of("PATH"));

        Plan plan = new SpecLoader().load(spec, Map.of(), w -> {}, strictest);

        assertThat(plan).isEqualTo(new SpecLoader().load(spec, Map.of()));
        assertThat(strictest.violations(plan)).isEmpty();
    }

    @Test
    void withoutAFloorTheGreedySpecLoads() throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", GREEDY);
        assertThat(new SpecLoader().load(spec, Map.of(), w -> {}, Floor.NONE).tickets()).hasSize(3);
    }

    @Test
    void aStoredPlanIsCheckedWithoutPositionsNamingEachProfileAndTicket() throws Exception {
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", GREEDY), Map.of());
        assertThat(new Floor(SandboxPolicy.REQUIRED, true, Set.of("PATH")).violations(plan)).containsExactly(
                "agent profile 'loose' (ticket a) has sandbox: off, below --sandbox required",
                "agent profile 'plain' (ticket b) has sandbox: best-effort, below --sandbox required",
                "agent profile 'shell' (ticket c) has sandbox: best-effort, below --sandbox required",
                "ticket 'a' has network: true, refused by --no-network",
                "ticket 'a' reads ${{ env.HOME }} of swarm's environment, not allowed by --allow-env PATH",
                "ticket 'c' has network: true, refused by --no-network");
    }

    /** An agent profile no ticket uses runs nothing: its env's references are not the floor's business. */
    @Test
    void anUnusedProfileIsNotChecked() throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", """
                agents:
                  spare:
                    kind: shell
                    sandbox: "off"
                    env: {A: "${{ env.HOME }}"}
                tickets:
                  - {id: a, run: echo a}
                """);
        Floor strict = new Floor(SandboxPolicy.BEST_EFFORT, true, Set.of());

        Plan plan = new SpecLoader().load(spec, Map.of(), w -> {}, strict);

        assertThat(plan.tickets()).hasSize(1);
        assertThat(strict.violations(plan)).isEmpty();
    }

    private List<String> pathRefusals(String yaml, List<Path> stateDirs) throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", yaml);
        SpecException e = catchThrowableOfType(SpecException.class,
                () -> new SpecLoader().load(spec, Map.of(), w -> {}, Floor.NONE, plan -> stateDirs));
        assertThat(e).as("refused").isNotNull();
        String prefix = dir + "/";
        return e.errors().stream().map(SpecError::format).map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : s).toList();
    }

    private static String fix(Path state) {
        return "put the ticket's programs outside every state directory and set PATH to there, or, when " + state
                + " is no longer needed, delete it or remove it from your list of state directories "
                + "($XDG_STATE_HOME/swarmflow/state-dirs, by default ~/.local/state/swarmflow/state-dirs)";
    }

    /**
     * A PATH naming a directory inside a state directory the sandbox hides is refused where the spec sets it (the ticket's
     * env, defaults', a profile's; its vars filled in), or at the ticket when the sandbox's default PATH names one; a
     * ticket whose sandbox is off (nothing hidden) and a relative entry (found from the workspace) are not.
     */
    @Test
    void aPathIntoAHiddenStateDirectoryIsRefusedWhereTheSpecSetsIt() throws Exception {
        Path state = dir.resolve("other/state");
        String yaml = """
                vars: {tools: "%s"}
                agents:
                  kept: {kind: shell, env: {PATH: "%s/bin:/usr/bin"}}
                  open: {kind: shell, sandbox: "off", env: {PATH: "%s/bin"}}
                tickets:
                  - {id: a, run: echo a, env: {PATH: "/usr/bin:${{ vars.tools }}/sub/bin"}}
                  - {id: b, run: echo b, agent: kept}
                  - {id: c, run: echo c, agent: open}
                  - {id: d, run: echo d, env: {PATH: "bin:/usr/bin"}}
                """.formatted(state, state, state);
        String what = ", inside the state directory " + state + ", which the sandbox hides from the ticket (leaving it shown "
                + "would let the ticket read that state's swarm.db and logs); ";
        assertThat(pathRefusals(yaml, List.of(state))).containsExactly(
                "swarm.yaml:3:35: env PATH of agent profile 'kept' (ticket b): its PATH names " + state + "/bin" + what + fix(state),
                "swarm.yaml:6:38: env PATH of ticket 'a' (ticket a): its PATH names " + state + "/sub/bin" + what + fix(state));

        Path usrLocal = Path.of("/usr/local");
        assertThat(pathRefusals("tickets:\n  - {id: a, run: echo a}\n", List.of(usrLocal))).containsExactly(
                "swarm.yaml:2:5: ticket 'a', which sets no PATH, (ticket a): the sandbox's default PATH ("
                        + StatePaths.DEFAULT_PATH + ") names /usr/local/sbin, inside the state directory /usr/local, which the "
                        + "sandbox hides from the ticket (leaving it shown would let the ticket read that state's swarm.db and "
                        + "logs); " + fix(usrLocal));
    }

    /** A stored plan ({@code swarm resume}) is checked without positions, by the same rule. */
    @Test
    void aStoredPlansPathIntoAHiddenStateDirectoryIsNamedPerTicket() throws Exception {
        Path state = dir.resolve("other/state");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                tickets:
                  - {id: a, run: echo a, env: {PATH: "%s/bin"}}
                  - {id: b, run: echo b}
                """.formatted(state)), Map.of());

        assertThat(StatePaths.hits(plan, List.of(state))).extracting(StatePaths.Hit::describe).containsExactly(
                "ticket a: its PATH names " + state + "/bin, inside the state directory " + state + ", which the sandbox hides "
                        + "from the ticket (leaving it shown would let the ticket read that state's swarm.db and logs); " + fix(state));
        assertThat(StatePaths.hits(plan, List.of())).isEmpty();
    }

    /**
     * A PATH entry built from <code>${{ env.NAME }}</code> (a secret, masked wherever the run shows it) is named with that
     * value as {@code ***}, both where the spec sets it ({@code swarm run}, {@code validate}) and for a stored plan
     * ({@code swarm resume}); the comparison still uses the value.
     */
    @Test
    void aPathRefusalMasksTheValuesItReadsFromTheEnvironment() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).as("set by surefire (pom.xml)").isNotBlank();
        Path state = dir.resolve("other/state");
        String yaml = """
                vars: {state: "%s"}
                tickets:
                  - {id: a, run: echo a, env: {PATH: "/usr/bin:${{ vars.state }}/${{ env.SWARM_TEST_SECRET }}/bin"}}
                """.formatted(state);
        String what = "its PATH names " + state + "/***/bin, inside the state directory " + state;

        List<String> refusals = pathRefusals(yaml, List.of(state));
        assertThat(refusals).hasSize(1);
        assertThat(refusals.getFirst()).contains(what).doesNotContain(secret);

        Plan plan = new SpecLoader().load(dir.resolve("swarm.yaml"), Map.of());
        assertThat(StatePaths.hits(plan, List.of(state))).extracting(StatePaths.Hit::describe)
                .singleElement().asString().contains(what).doesNotContain(secret);
    }

    /**
     * An env value holding two {@code :} fills in three PATH entries: the middle one, which has no mark of the value's
     * start or end in it, is masked too (it was shown as written). The value is given in place of the environment
     * (the loader only checks that the variable is set).
     */
    @Test
    void everyPieceOfAnEnvValueHoldingColonsIsMasked() throws Exception {
        Path state = dir.resolve("other/state");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                tickets:
                  - {id: a, run: echo a, env: {PATH: "${{ env.SWARM_TEST_SECRET }}"}}
                  - {id: b, run: echo b, env: {PATH: "/usr/bin:${{ env.SWARM_TEST_SECRET }}:/bin"}}
                """), Map.of());
        String value = "topsecret:" + state + "/bin:moresecret";
        java.util.function.UnaryOperator<String> env = name -> "SWARM_TEST_SECRET".equals(name) ? value : null;

        String names = "its PATH names ***, inside the state directory " + state + ", which the sandbox hides from the "
                + "ticket (leaving it shown would let the ticket read that state's swarm.db and logs); " + fix(state);
        assertThat(StatePaths.hits(plan, List.of(state), env)).extracting(StatePaths.Hit::describe)
                .containsExactly("ticket a: " + names, "ticket b: " + names);
        // the first and last pieces, when they are the ones inside
        env = name -> "SWARM_TEST_SECRET".equals(name) ? state + "/bin:" + value : null;
        assertThat(StatePaths.hits(plan, List.of(state), env)).extracting(StatePaths.Hit::describe)
                .containsExactly("ticket a: " + names, "ticket b: " + names);
        env = name -> "SWARM_TEST_SECRET".equals(name) ? "a:b:" + state + "/bin" : null;
        assertThat(StatePaths.hits(plan, List.of(state), env)).extracting(StatePaths.Hit::describe)
                .containsExactly("ticket a: " + names, "ticket b: " + names);
    }

    /**
     * An env value holding one {@code :} ends one PATH entry and begins the next: each piece is compared joined to the text
     * written next to it ({@code /opt/tools} and {@code STATE/bin} from {@code /opt/${{ env.S }}/bin} with
     * {@code S=tools:STATE}), and the entry found inside is named with its piece of the value masked, the text written
     * around it shown.
     */
    @Test
    void anEnvValueHoldingAColonSpansTwoPathEntries() throws Exception {
        Path state = dir.resolve("other/state");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                tickets:
                  - {id: a, run: echo a, env: {PATH: "/opt/${{ env.SWARM_TEST_SECRET }}/bin"}}
                  - {id: b, run: echo b, env: {PATH: "%s/${{ env.SWARM_TEST_SECRET }}"}}
                """.formatted(state)), Map.of());
        String inside = ", inside the state directory " + state + ", which the sandbox hides from the ticket (leaving it "
                + "shown would let the ticket read that state's swarm.db and logs); " + fix(state);

        // the second piece is inside: a's entries /opt/tools and STATE/bin (shown ***/bin); b's STATE/tools (shown STATE/***)
        java.util.function.UnaryOperator<String> env = name -> "SWARM_TEST_SECRET".equals(name) ? "tools:" + state : null;
        assertThat(StatePaths.hits(plan, List.of(state), env)).extracting(StatePaths.Hit::describe)
                .containsExactly("ticket a: its PATH names ***/bin" + inside, "ticket b: its PATH names " + state + "/***" + inside);
        // the first piece is inside: b's STATE/bin (and /usr); a's /opt/bin and /usr/bin are not
        env = name -> "SWARM_TEST_SECRET".equals(name) ? "bin:/usr" : null;
        assertThat(StatePaths.hits(plan, List.of(state), env)).extracting(StatePaths.Hit::describe)
                .containsExactly("ticket b: its PATH names " + state + "/***" + inside);
    }

    /**
     * An entry only partly known before the run ({@code run.id}, another ticket's output) is refused when its known
     * directory part already lies in a hidden state directory: every value puts the entry there. It is named with the
     * references as written; one whose known part is not inside (or not absolute) is not refused.
     */
    @Test
    void aPathEntryOnlyPartlyKnownWhoseKnownDirectoryIsInAStateDirectoryIsRefused() throws Exception {
        Path state = dir.resolve("other/state");
        String yaml = """
                vars: {state: "%s"}
                tickets:
                  - {id: a, run: echo a, env: {PATH: "/usr/bin:${{ vars.state }}/runs/${{ run.id }}/bin"}}
                  - {id: b, run: echo b, env: {PATH: "${{ vars.state }}-${{ run.id }}/bin:${{ run.id }}/bin:/usr/bin"}}
                """.formatted(state);

        assertThat(pathRefusals(yaml, List.of(state))).containsExactly(
                "swarm.yaml:3:38: env PATH of ticket 'a' (ticket a): its PATH names " + state + "/runs/${{ run.id }}/bin, "
                        + "inside the state directory " + state + ", which the sandbox hides from the ticket (leaving it shown "
                        + "would let the ticket read that state's swarm.db and logs); " + fix(state));
    }

    /**
     * The sandbox hides the state directory the run's directory is in, and shows again on top of it the run's scratch
     * directory (to every ticket) and a worktree ticket's own worktree: a partly known entry whose known part lies in one
     * of those is not refused; one in another ticket's worktree, the run's logs or its directory itself, or in the scratch
     * of this run's id under another state directory (hidden whole), still is.
     */
    @Test
    void aPartlyKnownEntryInTheRunsScratchOrTheTicketsOwnWorktreeIsNotRefused() throws Exception {
        SpecFiles.gitInit(dir);
        Path state = dir.resolve("other/state");
        Path run = state.resolve("runs/${{ run.id }}");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                vars: {state: "%s"}
                tickets:
                  - {id: scratch, run: "true", env: {PATH: "/usr/bin:${{ vars.state }}/runs/${{ run.id }}/scratch/bin"}}
                  - {id: scratch-top, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch"}}
                  - {id: scratch-later, run: "true", needs: [out], env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/${{ tickets.out.outputs.d }}"}}
                  - {id: own, run: "true", workspace: worktree, env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/worktrees/own/bin"}}
                  - {id: out, run: "true", outputs: {d: {json: d}}}
                  - {id: others, run: "true", workspace: worktree, env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/worktrees/own/bin"}}
                  - {id: not-worktree, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/worktrees/not-worktree/bin"}}
                  - {id: logs, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/logs"}}
                  - {id: up, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/../logs"}}
                  - {id: run-dir, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/bin"}}
                  - {id: glued, run: "true", env: {PATH: "${{ vars.state }}/runs/x${{ run.id }}/scratch"}}
                  - {id: cut, run: "true", needs: [out], env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch${{ tickets.out.outputs.d }}"}}
                """.formatted(state)), Map.of());

        assertThat(StatePaths.hits(plan, List.of(state))).extracting(StatePaths.Hit::ticket)
                .containsExactly("others", "not-worktree", "logs", "up", "run-dir", "glued", "cut");
        assertThat(StatePaths.hits(plan, List.of(state))).extracting(StatePaths.Hit::describe).first().asString()
                .startsWith("ticket others: its PATH names " + run + "/worktrees/own/bin, inside the state directory " + state);
        // the run's directory is in another state directory: this one is hidden whole
        assertThat(StatePaths.hits(plan, List.of(dir.resolve("own/state"), state))).extracting(StatePaths.Hit::ticket)
                .containsExactly("scratch", "scratch-top", "own", "scratch-later", "others", "not-worktree", "logs", "up", "run-dir",
                        "glued", "cut");
    }

    /**
     * A {@code ..} after the run's id takes the entry out of the scratch and the own worktree, wherever it is written
     * (review R5, finding 1): the entry is then checked as any other partly known entry, and refused, its known part
     * {@code STATE/runs} being in the state directory. A {@code ..} the stand-in for the run's directory would have stopped
     * at its root ({@code ../../run/scratch}, into {@code STATE/run/scratch}), one into another run named {@code run}
     * ({@code ../run/scratch}), one in the text after a later reference ({@code scratch/${{ tickets.out.outputs.d }}/../../logs},
     * into the run's logs; after a second {@code ${{ run.id }}} too), and dots around references that are {@code ..} when
     * they are empty. Entries in the scratch or the own worktree written without one are still accepted, and so is a
     * name that only holds two dots ({@code a..b}).
     */
    @Test
    void aPartlyKnownEntryThatClimbsOutOfTheRunsDirectoryIsRefused() throws Exception {
        SpecFiles.gitInit(dir);
        Path state = dir.resolve("other/state");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                vars: {state: "%s"}
                tickets:
                  - {id: out, run: "true", outputs: {d: {json: d}}}
                  - {id: a, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/../../run/scratch/bin:/usr/bin"}}
                  - {id: b, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/../run/scratch/bin:/usr/bin"}}
                  - {id: c, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/${{ tickets.out.outputs.d }}/../../logs:/usr/bin"}}
                  - {id: twice, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/${{ run.id }}/../../logs"}}
                  - {id: w, run: "true", workspace: worktree, env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/../run/worktrees/w/bin"}}
                  - {id: dots, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/${{ tickets.out.outputs.d }}../logs"}}
                  - {id: around, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/.${{ tickets.out.outputs.d }}./logs"}}
                  - {id: scratch, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/bin"}}
                  - {id: own, run: "true", workspace: worktree, env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/worktrees/own/./bin"}}
                  - {id: later, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/${{ tickets.out.outputs.d }}/bin"}}
                  - {id: named, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/a..b/.${{ tickets.out.outputs.d }}"}}
                """.formatted(state)), Map.of());

        assertThat(StatePaths.hits(plan, List.of(state))).extracting(StatePaths.Hit::ticket)
                .containsExactly("a", "b", "c", "twice", "w", "dots", "around");
        assertThat(StatePaths.hits(plan, List.of(state))).extracting(StatePaths.Hit::describe).element(2).asString()
                .startsWith("ticket c: its PATH names " + state + "/runs/${{ run.id }}/scratch/${{ tickets.out.outputs.d }}/../../logs, "
                        + "inside the state directory " + state);
    }

    /**
     * An env value holding the characters that mark a reference not known yet (U+0002, {@code run.id}, U+0003) is not read
     * as a {@code ${{ run.id }}} followed by {@code /scratch}: the entry is {@code STATE/runs/} and that value, inside the
     * hidden state directory, and is refused as with any other value (review R7, finding 2).
     */
    @Test
    void anEnvValueHoldingTheMarkersIsNotTakenForTheRunsId() throws Exception {
        SpecFiles.gitInit(dir);
        Path state = dir.resolve("other/state");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                vars: {state: "%s"}
                tickets:
                  - {id: ctl, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ env.HOME }}"}}
                """.formatted(state)), Map.of());

        UnaryOperator<String> marked = n -> n.equals("HOME") ? "\u0002run.id\u0003/scratch" : System.getenv(n);
        assertThat(StatePaths.hits(plan, List.of(state), marked)).extracting(StatePaths.Hit::ticket).containsExactly("ctl");
        UnaryOperator<String> plain = n -> n.equals("HOME") ? "bin" : System.getenv(n);
        assertThat(StatePaths.hits(plan, List.of(state), plain)).extracting(StatePaths.Hit::ticket).containsExactly("ctl");
    }

    /**
     * An entry refused only for a {@code ..} after {@code ${{ run.id }}} that stays in the scratch or the own worktree
     * ({@code scratch/tools/../bin}) says to write it without the {@code ..}, not to move the programs out of the state
     * directory (review R7, finding 3); entries that climb into what the sandbox hides ({@code scratch/../logs},
     * {@code ../run/scratch}, a {@code ..} after a later reference) keep the state directory's text.
     */
    @Test
    void anEntryRefusedOnlyForItsDotsSaysToWriteItWithoutThem() throws Exception {
        SpecFiles.gitInit(dir);
        Path state = dir.resolve("other/state");
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                vars: {state: "%s"}
                tickets:
                  - {id: out, run: "true", outputs: {d: {json: d}}}
                  - {id: tools, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/tools/../bin:/usr/bin"}}
                  - {id: own, run: "true", workspace: worktree, env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/worktrees/own/x/../bin"}}
                  - {id: again, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/../scratch/${{ tickets.out.outputs.d }}"}}
                  - {id: up, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/../logs"}}
                  - {id: b, run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/../run/scratch/bin"}}
                  - {id: c, needs: [out], run: "true", env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/scratch/x/../${{ tickets.out.outputs.d }}/../../logs"}}
                  - {id: others, run: "true", workspace: worktree, env: {PATH: "${{ vars.state }}/runs/${{ run.id }}/worktrees/own/x/../bin"}}
                """.formatted(state)), Map.of());

        List<StatePaths.Hit> hits = StatePaths.hits(plan, List.of(state));
        assertThat(hits).extracting(StatePaths.Hit::ticket).containsExactly("tools", "own", "again", "up", "b", "c", "others");
        assertThat(hits).extracting(StatePaths.Hit::onlyForDots).containsExactly(true, true, true, false, false, false, false);
        assertThat(hits.get(0).describe()).isEqualTo("ticket tools: its PATH names " + state
                + "/runs/${{ run.id }}/scratch/tools/../bin, with a '..' after ${{ run.id }}, so it is taken to be inside the "
                + "state directory " + state + ", which the sandbox hides from the ticket, not in the run's scratch or the "
                + "ticket's own worktree, which the sandbox shows it; write it without '..' after ${{ run.id }} (" + state
                + "/runs/${{ run.id }}/scratch/bin): an entry with one is not taken for the scratch or the own worktree");
        for (StatePaths.Hit hit : hits.subList(3, 7)) {
            assertThat(hit.describe()).doesNotContain("without '..'").contains("put the ticket's programs outside every state directory");
        }
    }
}
