package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static io.swarmflow.spec.SpecFiles.gitInit;
import static io.swarmflow.spec.SpecFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
    static final String FULL = """
            name: release
            description: Build, test and ship
            concurrency: 3
            vars:
              version: "1.2"
              target: prod
            repo: .
            defaults:
              timeout: 10m
              retries: 2
              env:
                CI: "true"
              sandbox: required
              limits:
                processes: 256
                tmp-size: 512MiB
            agents:
              qa:
                kind: shell
                limits:
                  cpu-time: 90s
                  address-space: 2GiB
                  log-size: 1MB
                  tmp-size: 8MiB
                env:
                  ROLE: qa-${{ vars.target }}
                concurrency: 2
              sleeper:
                kind: noop
                duration: 2s
                concurrency: 1
            tickets:
              - id: notify
                agent: noop
                duration: 100ms
                needs: [ship]
                when: failure
              - id: build
                run: make VERSION=${{ vars.version }}
                workspace: worktree
                outputs:
                  artifact: out/app.tar
                  sha: {json: sha256}
              - id: test
                needs: [build]
                agent: qa
                matrix:
                  os: [linux, macOS]
                run: ./test.sh ${{ matrix.os }} ${{ tickets.build.outputs.sha }}
                env:
                  OS: ${{ matrix.os }}
                retries:
                  max: 3
                  backoff: {initial: 500ms, max: 30s, multiplier: 3}
                priority: 5
              - id: wait
                agent: sleeper
                needs: [test]
              - id: ship
                title: Ship ${{ vars.version }}
                needs: [wait, build]
                run: ./ship.sh ${{ tickets.build.outputs.commit }} ${{ run.id }}
                when: always
                approval: before-run
                workspace: run
                network: yes
                timeout: 1h30m
            """;

    @Test
    void changedSinceComparesTheFilesBytesWithThePlansDigest(@TempDir Path dir) throws Exception {
        Path file = write(dir, "s.yaml", "tickets:\n  - id: a\n    run: echo a\n");
        Plan plan = new SpecLoader().load(file, Map.of());
        assertThat(SpecLoader.changedSince(plan, file)).contains(false);
        java.nio.file.Files.writeString(file, "tickets:\n  - id: a\n    run: echo b\n");
        assertThat(SpecLoader.changedSince(plan, file)).contains(true);
        java.nio.file.Files.delete(file);
        assertThat(SpecLoader.changedSince(plan, file)).isEmpty();
    }

    /** ${{ env.NAME }}: only in env values, only for a variable set now; the plan keeps the reference, never the value. */
    @Test
    void envReferencesReadSwarmsEnvironmentOnlyInEnvValuesAndAreStoredAsWritten(@TempDir Path dir) throws Exception {
        Path ok = write(dir, "ok.yaml", """
                agents:
                  bot: {kind: shell, env: {KEY: "${{ env.SWARM_TEST_SECRET }}"}}
                tickets:
                  - id: a
                    agent: bot
                    env: {TOKEN: "token ${{ env.SWARM_TEST_SECRET }}"}
                    run: echo "$TOKEN"
                """);
        Plan plan = new SpecLoader().load(ok, Map.of());
        assertThat(plan.tickets().get(0).env()).containsEntry("TOKEN", "token ${{ env.SWARM_TEST_SECRET }}")
                .containsEntry("KEY", "${{ env.SWARM_TEST_SECRET }}");
        assertThat(plan.toString()).doesNotContain(System.getenv("SWARM_TEST_SECRET"));

        Path bad = write(dir, "bad.yaml", """
                tickets:
                  - id: a
                    env: {A: "${{ env.SWARM_TEST_UNSET_91c4 }}", B: "${{ env.9x }}"}
                    run: echo ${{ env.SWARM_TEST_SECRET }}
                    title: "${{ env.SWARM_TEST_SECRET }}"
                """);
        assertThat(SpecFiles.errors(bad, Map.of())).containsExactly(
                "bad.yaml:3:15: environment variable SWARM_TEST_UNSET_91c4 is not set, which '${{ env.SWARM_TEST_UNSET_91c4 }}' "
                        + "passes to the ticket; export SWARM_TEST_UNSET_91c4 before running swarm (its value is read when an "
                        + "attempt starts and is never stored), or remove the reference",
                "bad.yaml:3:54: '9x' in '${{ env.9x }}' is not an environment variable name; use letters, digits and '_', not "
                        + "starting with a digit",
                "bad.yaml:4:15: '${{ env.SWARM_TEST_SECRET }}' is available only in env: values, never in run (a script's text "
                        + "shows in the process list and the stored plan); pass it through env instead: env: {SWARM_TEST_SECRET: "
                        + "\"${{ env.SWARM_TEST_SECRET }}\"}, then \"$SWARM_TEST_SECRET\" in run",
                "bad.yaml:5:13: '${{ env.SWARM_TEST_SECRET }}' is available only in env: values, never in title (a script's text "
                        + "shows in the process list and the stored plan); pass it through env instead: env: {SWARM_TEST_SECRET: "
                        + "\"${{ env.SWARM_TEST_SECRET }}\"}, then \"$SWARM_TEST_SECRET\" in run");
    }

    /** An output pasted into a script is shell code if it holds a quote or $(...): a warning, once per place, not an error. */
    @Test
    void anOutputPastedIntoARunScriptIsWarnedAboutOnceAndTheSpecStillLoads(@TempDir Path dir) throws Exception {
        Path file = write(dir, "s.yaml", """
                tickets:
                  - id: build
                    run: |
                      echo '{"version": "1.0"}'
                    outputs: {version: {json: version}}
                  - id: deploy
                    needs: [build]
                    matrix: {env: [staging, prod]}
                    run: ./deploy ${{ tickets.build.outputs.version }} ${{ matrix.env }}
                  - id: safe
                    needs: [build]
                    env: {VERSION: "${{ tickets.build.outputs.version }}"}
                    run: ./deploy "$VERSION"
                """);
        List<String> warnings = new java.util.ArrayList<>();

        Plan plan = new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));

        assertThat(plan.tickets()).hasSize(4);
        assertThat(warnings).containsExactly(file + ":9:19: ticket 'deploy' pastes '${{ tickets.build.outputs.version }}' into "
                + "its run script, where a quote, ';' or '$(...)' in the output would run as shell code; pass it through env "
                + "instead: env: {VERSION: \"${{ tickets.build.outputs.version }}\"}, then \"$VERSION\" in run");
    }

    /**
     * The "pass it through env" hint named the variable after what it passes: for {@code env.HOME} or an output named
     * {@code home} that was HOME, which a spec's env refuses (swarm sets it), and for an output {@code 2fa}, 2FA, no
     * variable name at all; following the hint gave another error. It now suggests MY_HOME, MY_2FA.
     */
    @Test
    void thePassItThroughEnvHintNamesAVariableTheSpecMaySet(@TempDir Path dir) throws Exception {
        Path file = write(dir, "s.yaml", """
                tickets:
                  - id: build
                    run: |
                      echo '{"home": "/x", "2fa": "y"}'
                    outputs: {home: {json: home}, 2fa: {json: 2fa}, swarm-scratch: {json: s}}
                  - id: use
                    needs: [build]
                    run: echo ${{ tickets.build.outputs.home }} ${{ tickets.build.outputs.2fa }} ${{ tickets.build.outputs.swarm-scratch }}
                """);
        List<String> warnings = new java.util.ArrayList<>();

        new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));

        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(0)).endsWith("env: {MY_HOME: \"${{ tickets.build.outputs.home }}\"}, then \"$MY_HOME\" in run");
        assertThat(warnings.get(1)).endsWith("env: {MY_2FA: \"${{ tickets.build.outputs.2fa }}\"}, then \"$MY_2FA\" in run");
        assertThat(warnings.get(2)).endsWith("env: {MY_SWARM_SCRATCH: \"${{ tickets.build.outputs.swarm-scratch }}\"}, then "
                + "\"$MY_SWARM_SCRATCH\" in run");

        Path bad = write(dir, "bad.yaml", """
                tickets:
                  - id: a
                    run: echo ${{ env.HOME }} ${{ env.PWD }}
                """);
        assertThat(SpecFiles.errors(bad, Map.of())).containsExactly(
                "bad.yaml:3:15: '${{ env.HOME }}' is available only in env: values, never in run (a script's text shows in the "
                        + "process list and the stored plan); pass it through env instead: env: {MY_HOME: \"${{ env.HOME }}\"}, "
                        + "then \"$MY_HOME\" in run",
                "bad.yaml:3:31: '${{ env.PWD }}' is available only in env: values, never in run (a script's text shows in the "
                        + "process list and the stored plan); pass it through env instead: env: {PWD: \"${{ env.PWD }}\"}, "
                        + "then \"$PWD\" in run");
    }

    /** Without tmp-size anywhere, each of a ticket's /tmp and /dev/shm gets the built-in 1 GiB. */
    @Test
    void tmpSizeDefaultsToOneGibibyte(@TempDir Path dir) throws Exception {
        Plan plan = new SpecLoader().load(write(dir, "s.yaml", "tickets:\n  - {id: a, run: echo}\n"), Map.of());
        assertThat(plan.agents().get("shell").limits().tmpBytes()).isEqualTo(1L << 30);
    }

    @Test
    void fullSpecBecomesExactPlan(@TempDir Path dir) throws Exception {
        gitInit(dir);
        Path file = write(dir, "release.yaml", FULL);

        Plan plan = new SpecLoader().load(file, Map.of());

        ResourceLimits base = new ResourceLimits(3600, 8L << 30, 1L << 30, 256, 10L << 20, 512L << 20);
        Map<String, AgentProfile> agents = Map.of(
                "qa", new AgentProfile("qa", "shell", SandboxPolicy.REQUIRED,
                        new ResourceLimits(90, 2L << 30, 1L << 30, 256, 1_000_000, 8L << 20), Map.of("ROLE", "qa-${{ vars.target }}"), 2, 0),
                "sleeper", new AgentProfile("sleeper", "noop", SandboxPolicy.REQUIRED, base, Map.of(), 1, 2000),
                "shell", new AgentProfile("shell", "shell", SandboxPolicy.REQUIRED, base, Map.of(), 0, 0),
                "noop", new AgentProfile("noop", "noop", SandboxPolicy.REQUIRED, base, Map.of(), 0, 0));
        RetryPolicy two = new RetryPolicy(2, 1000, 60_000, 2.0);
        RetryPolicy three = new RetryPolicy(3, 500, 30_000, 3.0);
        // run and env keep their references: the engine renders them in one pass (see renderedRunAndEnv below)
        String testRun = "./test.sh ${{ matrix.os }} ${{ tickets.build.outputs.sha }}";
        Map<String, String> testEnv = Map.of("ROLE", "qa-${{ vars.target }}", "CI", "true", "OS", "${{ matrix.os }}");
        List<PlannedTicket> tickets = List.of(
                new PlannedTicket("build", "build", List.of(), "shell", "make VERSION=${{ vars.version }}", Map.of("CI", "true"), 600_000, two,
                        0, When.SUCCESS, ApprovalMode.NONE, WorkspaceMode.WORKTREE, false,
                        Map.of("artifact", new OutputSpec("artifact", "out/app.tar", null), "sha", new OutputSpec("sha", null, "sha256")),
                        Map.of(), "build", 0),
                new PlannedTicket("test-linux", "test (os=linux)", List.of("build"), "qa", testRun,
                        testEnv, 600_000, three, 5, When.SUCCESS,
                        ApprovalMode.NONE, WorkspaceMode.REPO, false, Map.of(), Map.of("os", "linux"), "test", 0),
                new PlannedTicket("test-macos", "test (os=macOS)", List.of("build"), "qa", testRun,
                        testEnv, 600_000, three, 5, When.SUCCESS,
                        ApprovalMode.NONE, WorkspaceMode.REPO, false, Map.of(), Map.of("os", "macOS"), "test", 0),
                new PlannedTicket("wait", "wait", List.of("test-linux", "test-macos"), "sleeper", "", Map.of("CI", "true"),
                        600_000, two, 0, When.SUCCESS, ApprovalMode.NONE, WorkspaceMode.REPO, false, Map.of(), Map.of(),
                        "wait", 2000),
                new PlannedTicket("ship", "Ship 1.2", List.of("wait", "build"), "shell",
                        "./ship.sh ${{ tickets.build.outputs.commit }} ${{ run.id }}", Map.of("CI", "true"), 5_400_000, two,
                        0, When.ALWAYS, ApprovalMode.BEFORE_RUN, WorkspaceMode.RUN, true, Map.of(), Map.of(), "ship", 0),
                new PlannedTicket("notify", "notify", List.of("ship"), "noop", "", Map.of("CI", "true"), 600_000, two,
                        0, When.FAILURE, ApprovalMode.NONE, WorkspaceMode.REPO, false, Map.of(), Map.of(), "notify", 100));
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("version", "1.2");
        vars.put("target", "prod");
        String abs = dir.toAbsolutePath().normalize().toString();

        assertThat(plan).isEqualTo(new Plan("release", "Build, test and ship", 3, vars, abs, abs, agents, tickets,
                SpecFiles.sha256(file)));
        PlannedTicket macos = plan.tickets().get(2);
        assertThat(rendered(plan, macos, macos.run())).isEqualTo("./test.sh macOS <tickets.build.outputs.sha>");
        assertThat(macos.env().keySet()).allSatisfy(k -> assertThat(rendered(plan, macos, macos.env().get(k)))
                .isEqualTo(Map.of("ROLE", "qa-prod", "CI", "true", "OS", "macOS").get(k)));
        assertThat(rendered(plan, plan.tickets().getFirst(), plan.tickets().getFirst().run())).isEqualTo("make VERSION=1.2");
    }

    /** What the engine makes of a ticket's run or env value, with {@code <expression>} for outputs and the run id. */
    private static String rendered(Plan plan, PlannedTicket t, String text) {
        return Templates.renderRunTime(text, plan.vars(), t.matrix(), expr -> "<" + expr + ">");
    }

    @Test
    void varOverridesReplaceDeclaredValuesEverywhere(@TempDir Path dir) throws Exception {
        gitInit(dir);
        Plan plan = new SpecLoader().load(write(dir, "release.yaml", FULL), Map.of("target", "staging", "version", "2.0"));

        assertThat(plan.vars()).containsEntry("target", "staging").containsEntry("version", "2.0");
        assertThat(rendered(plan, plan.tickets().get(1), plan.tickets().get(1).env().get("ROLE"))).isEqualTo("qa-staging");
        assertThat(plan.tickets()).filteredOn(t -> t.id().equals("ship")).singleElement()
                .extracting(PlannedTicket::title).isEqualTo("Ship 2.0");
    }

    @Test
    void variableValuesAreLiteralAndDollarDollarBraceIsALiteralReference(@TempDir Path dir) throws Exception {
        Path file = write(dir, "lit.yaml", """
                vars: {v: "lit $${{ bogus.thing }} end", w: x}
                tickets:
                  - id: a
                    title: "T ${{ vars.v }} $${{ vars.w }}"
                    run: echo "${{ vars.v }} $${{ vars.w }} ${{ vars.w }}"
                    env: {E: "${{ vars.v }}"}
                """);

        Plan plan = new SpecLoader().load(file, Map.of("w", "${{ run.id }} ${{"));
        PlannedTicket a = plan.tickets().getFirst();

        // title is final at load time; run and env are rendered by the engine in one pass
        assertThat(a.title()).isEqualTo("T lit ${{ bogus.thing }} end ${{ vars.w }}");
        assertThat(rendered(plan, a, a.run())).as("nothing in a value is a reference")
                .isEqualTo("echo \"lit ${{ bogus.thing }} end ${{ vars.w }} ${{ run.id }} ${{\"");
        assertThat(rendered(plan, a, a.env().get("E"))).isEqualTo("lit ${{ bogus.thing }} end");
    }

    /** A value ending in '$' must neither make the text after it a reference nor escape the reference after it. */
    @Test
    void aValueEndingInADollarSignStaysLiteralNextToBraces(@TempDir Path dir) throws Exception {
        Path file = write(dir, "dollar.yaml", """
                vars: {price: "10$"}
                tickets:
                  - id: a
                    matrix: {m: ["5$"]}
                    run: echo ${{ vars.price }}{{ run.id }} ${{ vars.price }}${{ run.id }} ${{ matrix.m }}${{ vars.price }}$${{ x }}
                    env: {E: "${{ vars.price }}{{ run.id }}${{ vars.price }}${{ run.id }}"}
                """);

        Plan plan = new SpecLoader().load(file, Map.of());
        PlannedTicket a = plan.tickets().getFirst();

        assertThat(rendered(plan, a, a.run())).isEqualTo("echo 10${{ run.id }} 10$<run.id> 5$10$${{ x }}");
        // a value ending in '$$' next to '{{' keeps both signs, at run time and at load time
        Path two = write(dir, "two.yaml", """
                vars: {p: "10$$"}
                tickets:
                  - id: b
                    title: "${{ vars.p }}{{ x }} $${{ y }}"
                    run: echo '${{ vars.p }}{{ x }}' "${{ vars.p }}${{ vars.p }}{{ z }}" '$${{ y }}'
                """);
        Plan plan2 = new SpecLoader().load(two, Map.of());
        PlannedTicket b = plan2.tickets().getFirst();
        assertThat(b.title()).isEqualTo("10$${{ x }} ${{ y }}");
        assertThat(rendered(plan2, b, b.run())).isEqualTo("echo '10$${{ x }}' \"10$$10$${{ z }}\" '${{ y }}'");
        assertThat(rendered(plan, a, a.env().get("E"))).isEqualTo("10${{ run.id }}10$<run.id>");
    }

    @Test
    void minimalSpecGetsDefaultsAndImplicitProfiles(@TempDir Path dir) throws Exception {
        Path file = write(dir, "hello.yml", """
                tickets:
                  - id: hello
                    run: echo hi
                """);

        Plan plan = new SpecLoader().load(file, Map.of());

        assertThat(plan.name()).isEqualTo("hello");
        assertThat(plan.description()).isEmpty();
        assertThat(plan.concurrency()).isEqualTo(4);
        assertThat(plan.repo()).isNull();
        assertThat(plan.agents()).containsOnlyKeys("shell", "noop");
        assertThat(plan.agents().get("shell")).isEqualTo(new AgentProfile("shell", "shell", SandboxPolicy.BEST_EFFORT,
                ResourceLimits.DEFAULTS, Map.of(), 0, 0));
        assertThat(plan.tickets()).singleElement().isEqualTo(new PlannedTicket("hello", "hello", List.of(), "shell",
                "echo hi", Map.of(), 0, RetryPolicy.NONE, 0, When.SUCCESS, ApprovalMode.NONE, WorkspaceMode.RUN, false,
                Map.of(), Map.of(), "hello", 0));
    }

    @Test
    void repoDefaultsToTheRepositoryContainingTheSpec(@TempDir Path dir) throws Exception {
        gitInit(dir);
        Path file = write(dir, "specs/nested/swarm.yaml", """
                tickets:
                  - {id: a, run: "true"}
                """);

        Plan plan = new SpecLoader().load(file, Map.of());

        assertThat(plan.repo()).isEqualTo(dir.toAbsolutePath().normalize().toString());
        assertThat(plan.specDir()).isEqualTo(dir.resolve("specs/nested").toAbsolutePath().normalize().toString());
        assertThat(plan.tickets().get(0).workspace()).isEqualTo(WorkspaceMode.REPO);
    }

    @Test
    void repoMayUseVarsAndIsRelativeToTheSpec(@TempDir Path dir) throws Exception {
        gitInit(dir.resolve("code"));
        Path file = write(dir, "specs/swarm.yaml", """
                vars: {where: code}
                repo: ../${{ vars.where }}
                tickets:
                  - {id: a, run: "true"}
                """);

        assertThat(new SpecLoader().load(file, Map.of()).repo())
                .isEqualTo(dir.resolve("code").toAbsolutePath().normalize().toString());
    }

    @Test
    void matrixExpandsToCartesianProductWithSanitizedIds(@TempDir Path dir) throws Exception {
        Path file = write(dir, "swarm.yaml", """
                tickets:
                  - id: build
                    run: make
                  - id: test
                    needs: [build]
                    matrix:
                      os: [Linux, "Mac OS"]
                      jdk: [21, 25]
                    title: Test on ${{ matrix.os }} with JDK ${{ matrix.jdk }}
                    run: ./test --jdk ${{ matrix.jdk }}
                    env: {OS: "${{ matrix.os }}"}
                    outputs:
                      report: reports/${{ matrix.os }}-${{ matrix.jdk }}.xml
                  - id: report
                    needs: [test]
                    run: ./report ${{ tickets.test-linux-21.outputs.report }}
                """);

        Plan plan = new SpecLoader().load(file, Map.of());

        assertThat(plan.tickets()).extracting(PlannedTicket::id).containsExactly(
                "build", "test-linux-21", "test-linux-25", "test-mac-os-21", "test-mac-os-25", "report");
        PlannedTicket macos = plan.tickets().get(3);
        assertThat(macos.group()).isEqualTo("test");
        assertThat(macos.matrix()).isEqualTo(Map.of("os", "Mac OS", "jdk", "21"));
        assertThat(macos.title()).isEqualTo("Test on Mac OS with JDK 21");
        assertThat(rendered(plan, macos, macos.run())).isEqualTo("./test --jdk 21");
        assertThat(rendered(plan, macos, macos.env().get("OS"))).isEqualTo("Mac OS");
        assertThat(macos.env()).containsOnlyKeys("OS");
        assertThat(macos.outputs()).isEqualTo(Map.of("report", new OutputSpec("report", "reports/Mac OS-21.xml", null)));
        assertThat(macos.needs()).containsExactly("build");
        assertThat(plan.tickets().get(5).needs())
                .containsExactly("test-linux-21", "test-linux-25", "test-mac-os-21", "test-mac-os-25");
    }

    @Test
    void matrixTitleDefaultListsTheValues(@TempDir Path dir) throws Exception {
        Path file = write(dir, "swarm.yaml", """
                tickets:
                  - id: t
                    matrix: {a: [x], b: [y]}
                    run: "true"
                """);

        assertThat(new SpecLoader().load(file, Map.of()).tickets()).singleElement()
                .extracting(PlannedTicket::id, PlannedTicket::title).containsExactly("t-x-y", "t (a=x, b=y)");
    }

    @Test
    void sandboxFalseMeansOffLikeTheSchemaSays(@TempDir Path dir) throws Exception {
        Path file = write(dir, "swarm.yaml", """
                agents: {x: {kind: shell, sandbox: false}}
                tickets:
                  - {id: a, agent: x, run: "true"}
                """);

        assertThat(new SpecLoader().load(file, Map.of()).agents().get("x").sandbox()).isEqualTo(SandboxPolicy.OFF);
    }

    @Test
    void ticketsAreOrderedByDependenciesThenSpecOrder(@TempDir Path dir) throws Exception {
        Path file = write(dir, "swarm.yaml", """
                tickets:
                  - {id: d, needs: [b, c], run: "true"}
                  - {id: c, needs: [a], run: "true"}
                  - {id: b, run: "true"}
                  - {id: a, run: "true"}
                """);

        assertThat(new SpecLoader().load(file, Map.of()).tickets()).extracting(PlannedTicket::id)
                .containsExactly("b", "a", "c", "d");
    }

    @Test
    void retriesAndEnvMergeFieldByFieldWithDefaults(@TempDir Path dir) throws Exception {
        Path file = write(dir, "swarm.yaml", """
                defaults:
                  retries: {max: 1, backoff: {initial: 2s, max: 2m}}
                  env: {A: "1", B: "2"}
                  agent: noop
                  duration: 5s
                tickets:
                  - id: t
                    retries: 4
                  - id: s
                    agent: shell
                    run: "true"
                    env: {B: "3"}
                """);

        Plan plan = new SpecLoader().load(file, Map.of());
        PlannedTicket t = plan.tickets().get(0);

        assertThat(t.retries()).isEqualTo(new RetryPolicy(4, 2000, 120_000, 2.0));
        assertThat(t.env()).isEqualTo(Map.of("A", "1", "B", "2"));
        // a noop ticket sets no env of its own (it runs no process): the merge of the ticket's over defaults' on a shell one
        assertThat(plan.tickets().get(1).env()).isEqualTo(Map.of("A", "1", "B", "3"));
        assertThat(t.agent()).isEqualTo("noop");
        assertThat(t.durationMillis()).isEqualTo(5000);
        assertThat(t.run()).isEmpty();
    }

    @Test
    void anUnsetBackoffBoundGivesWayToTheOneSet(@TempDir Path dir) throws Exception {
        List<PlannedTicket> own = new SpecLoader().load(write(dir, "own.yaml", """
                defaults: {agent: noop}
                tickets:
                  - id: short
                    retries: {max: 2, backoff: {max: 500ms}}
                  - id: long
                    retries: {max: 2, backoff: {initial: 2m}}
                """), Map.of()).tickets();
        List<PlannedTicket> merged = new SpecLoader().load(write(dir, "merged.yaml", """
                defaults:
                  agent: noop
                  retries: {backoff: {max: 300ms}}
                tickets:
                  - id: from-defaults
                    retries: 1
                  - id: own-initial
                    retries: {max: 1, backoff: {initial: 100ms}}
                """), Map.of()).tickets();

        assertThat(own.get(0).retries()).isEqualTo(new RetryPolicy(2, 500, 500, 2.0));
        assertThat(own.get(1).retries()).isEqualTo(new RetryPolicy(2, 120_000, 120_000, 2.0));
        assertThat(merged.get(0).retries()).isEqualTo(new RetryPolicy(1, 300, 300, 2.0));
        assertThat(merged.get(1).retries()).isEqualTo(new RetryPolicy(1, 100, 300, 2.0));
        // both bounds set, one of them in defaults: still an error
        assertThat(errors(dir, """
                defaults:
                  agent: noop
                  retries: {backoff: {max: 300ms}}
                tickets:
                  - id: t
                    retries: {max: 1, backoff: {initial: 2m}}
                """)).singleElement().asString().contains("backoff initial 2m is longer than backoff max 300ms (in defaults.retries, line 3)");
    }

    @Test
    void specWithEveryKindOfErrorReportsThemAllInFileOrder(@TempDir Path dir) throws Exception {
        assertThat(errors(dir, """
                concurency: 2
                tickets:
                  - id: a
                    run: echo ${{ vars.nope }}
                    timeout: 10x
                  - id: a
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:1:1: unknown key 'concurency' in the spec; did you mean 'concurrency'?",
                "swarm.yaml:4:15: unknown variable 'nope' in '${{ vars.nope }}'; declare it under vars:",
                "swarm.yaml:5:14: invalid duration '10x'; use a number with a unit: 500ms, 90s, 10m, 1h",
                "swarm.yaml:6:9: duplicate ticket id 'a' (first at line 3); give each ticket a unique id");
    }
}
