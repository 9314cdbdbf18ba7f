package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A noop agent runs no process, so what only a process uses does nothing on it: written on a noop profile
 * ({@code sandbox}, {@code limits}, {@code env}) or on a noop ticket ({@code network}, {@code workspace}, {@code env}),
 * it is refused where it is written, with every other error, rather than silently ignored. From {@code defaults}, which
 * apply to the shell tickets too, it is not; and the sandbox and network floors do not refuse a noop ticket, which has
 * no process for them to apply to.
 */
class NoopSettingsTest {
    @TempDir
    Path dir;

    @Test
    void settingsOfANoopProfileThatOnlyAProcessUsesAreRefusedWhereWritten() throws Exception {
        assertThat(errors(dir, """
                agents:
                  wait:
                    kind: noop
                    sandbox: required
                    limits: {processes: 5}
                    env: {A: b}
                    concurrency: 2
                    duration: 10ms
                tickets:
                  - id: a
                    agent: wait
                  - id: b
                    needs: [nope]
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:4:5: agent profile 'wait' sets 'sandbox', but noop agents run no process, so it has no effect; "
                        + "remove sandbox:, or use kind: shell",
                "swarm.yaml:5:5: agent profile 'wait' sets 'limits', but noop agents run no process, so it has no effect; "
                        + "remove limits:, or use kind: shell",
                "swarm.yaml:6:5: agent profile 'wait' sets 'env', but noop agents run no process, so it has no effect; "
                        + "remove env:, or use kind: shell",
                "swarm.yaml:13:13: ticket 'b' needs 'nope', which is not a ticket; check the id, or add a ticket with that id");
    }

    @Test
    void settingsOfANoopTicketThatOnlyAProcessUsesAreRefusedOncePerTicketWritten() throws Exception {
        assertThat(errors(dir, """
                defaults:
                  agent: noop
                tickets:
                  - id: a
                    network: true
                    workspace: run
                    env: {A: b}
                    timeout: 1m
                  - id: m
                    matrix: {os: [x, y]}
                    network: false
                """)).containsExactly(
                "swarm.yaml:5:5: ticket 'a' sets 'network', but noop agents run no process, so it has no effect; "
                        + "remove network:, or use agent: shell",
                "swarm.yaml:6:5: ticket 'a' sets 'workspace', but noop agents run no process, so it has no effect; "
                        + "remove workspace:, or use agent: shell",
                "swarm.yaml:7:5: ticket 'a' sets 'env', but noop agents run no process, so it has no effect; "
                        + "remove env:, or use agent: shell",
                "swarm.yaml:11:5: ticket 'm' sets 'network', but noop agents run no process, so it has no effect; "
                        + "remove network:, or use agent: shell");
    }

    @Test
    void theSameSettingsFromDefaultsOrOnAShellAgentAreNoError() throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", """
                defaults:
                  network: true
                  workspace: run
                  env: {A: b}
                  sandbox: "off"
                  limits: {processes: 5}
                agents:
                  wait: {kind: noop, duration: 10ms, concurrency: 1}
                  tight: {kind: shell, sandbox: required, limits: {processes: 5}, env: {B: c}}
                tickets:
                  - {id: a, agent: wait}
                  - {id: b, agent: noop}
                  - {id: c, agent: tight, run: "true", network: false, workspace: run, env: {C: d}}
                """);

        Plan plan = new SpecLoader().load(spec, Map.of());

        assertThat(plan.tickets()).extracting(PlannedTicket::id).containsExactly("a", "b", "c");
    }

    /**
     * The floor still refuses what a shell ticket takes from defaults, and says nothing of the noop tickets beside it,
     * which could not follow its advice (a noop profile may not set a sandbox).
     */
    @Test
    void theSandboxAndNetworkFloorsDoNotRefuseANoopTicket() throws Exception {
        String yaml = """
                defaults:
                  network: true
                agents:
                  wait: {kind: noop}
                tickets:
                  - {id: a, agent: wait}
                  - {id: b, agent: noop}
                """;
        Floor strictest = new Floor(SandboxPolicy.REQUIRED, true, null);
        Path spec = SpecFiles.write(dir, "swarm.yaml", yaml);
        Plan plan = new SpecLoader().load(spec, Map.of(), w -> {}, strictest);
        assertThat(strictest.violations(plan)).isEmpty();

        Path withShell = SpecFiles.write(dir, "swarm.yaml", yaml + "  - {id: c, run: \"true\"}\n");
        SpecException e = catchThrowableOfType(SpecException.class, () -> new SpecLoader().load(withShell, Map.of(), w -> {}, strictest));
        assertThat(e).as("refused").isNotNull();
        List<String> refusals = e.errors().stream().map(SpecError::format).map(s -> s.substring(dir.toString().length() + 1)).toList();
        assertThat(refusals).containsExactly(
                "swarm.yaml:2:12: defaults sets network: true (ticket c), refused by --no-network; remove it from defaults (a "
                        + "ticket then runs without network)",
                "swarm.yaml:8:5: ticket c runs with agent profile 'shell', best-effort by default, below the floor --sandbox "
                        + "required; add sandbox: required under defaults:");
        Plan stored = new SpecLoader().load(withShell, Map.of());
        assertThat(strictest.violations(stored)).containsExactly(
                "agent profile 'shell' (ticket c) has sandbox: best-effort, below --sandbox required",
                "ticket 'c' has network: true, refused by --no-network");
    }
}
