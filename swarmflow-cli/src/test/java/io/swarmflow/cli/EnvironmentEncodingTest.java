package io.swarmflow.cli;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.agent.Executor;
import io.swarmflow.store.Outcome;
import io.swarmflow.spec.PlannedTicket;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EnvironmentEncoding}, for the encodings a test JVM cannot be started in here (ISO-8859-1: no such locale is
 * installed); the C locale end to end is {@code CLocaleSecretsTest}. The spec reads {@code PATH} and {@code HOME}
 * (set in every test JVM, so that it loads); their values are the ones given, not this JVM's.
 */
class EnvironmentEncodingTest {
    @TempDir
    Path tmp;

    private Plan plan() throws Exception {
        Path spec = Files.writeString(tmp.resolve("swarm.yaml"), """
                agents:
                  tool: {kind: shell, env: {H: "${{ env.HOME }}"}}
                  idle: {kind: noop}
                tickets:
                  - id: a
                    env: {P: "${{ env.PATH }}"}
                    run: "true"
                  - id: wait
                    agent: idle
                    duration: 1ms
                  - id: w2
                    agent: noop
                """);
        return new SpecLoader().load(spec, Map.of());
    }

    @Test
    void inTheCLocaleANonAsciiValueReadAsUFFFDIsRefusedAndAnAsciiOneIsNot() throws Exception {
        Map<String, String> env = Map.of("PATH", "p\uFFFD\uFFFDsswort", "HOME", "/home/ascii");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "ANSI_X3.4-1968")).containsExactly(
                "the environment variable PATH (${{ env.PATH }} in the env: of ticket 'a') holds characters the JVM cannot read in "
                        + "this locale (ANSI_X3.4-1968, LANG/LC_ALL=C), so a ticket would be handed it mangled and print it "
                        + "unmasked; run swarm with LC_ALL=C.UTF-8 (./swarm does)");
    }

    /** A profile's env reaches a ticket through the ticket's planned env: one no ticket uses hands nothing to anyone. */
    @Test
    void aProfileNoTicketUsesAndNoopTicketsAreNotChecked() throws Exception {
        Map<String, String> env = Map.of("PATH", "/bin", "HOME", "/home/gr\uFFFD\uFFFD");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "ANSI_X3.4-1968")).isEmpty();

        Path spec = Files.writeString(tmp.resolve("used.yaml"), """
                agents:
                  tool: {kind: shell, env: {H: "${{ env.HOME }}"}}
                defaults:
                  env: {D: "${{ env.PATH }}"}
                tickets:
                  - {id: b, agent: tool, run: "true"}
                  - {id: c, agent: tool, run: "true"}
                  - {id: idle, agent: noop}
                """);
        Map<String, String> more = Map.of("HOME", "/home/gr\uFFFD\uFFFD", "PATH", "/b\uFFFDn");
        assertThat(EnvironmentEncoding.problems(new SpecLoader().load(spec, Map.of()), more::get, "ANSI_X3.4-1968"))
                .extracting(line -> line.substring(0, line.indexOf(") ") + 1)).containsExactly(
                        "the environment variable HOME (${{ env.HOME }} in the env: of tickets 'b' and 1 more)",
                        "the environment variable PATH (${{ env.PATH }} in the env: of tickets 'b' and 1 more)");
    }

    /** Read whole, but handed on as ISO-8859-1 bytes, which the masking (UTF-8) does not look for. */
    @Test
    void inAnotherNonUtf8LocaleANonAsciiValueIsRefusedToo() throws Exception {
        Map<String, String> env = Map.of("PATH", "p\u00e4sswort", "HOME", "/home/ascii");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "ISO-8859-1")).containsExactly(
                "the environment variable PATH (${{ env.PATH }} in the env: of ticket 'a') holds characters other than ASCII, which "
                        + "the JVM hands a ticket in ISO-8859-1, the encoding of this locale, while the masking of secrets looks "
                        + "for their UTF-8 bytes: a ticket would print it unmasked; run swarm with LC_ALL=C.UTF-8");
    }

    /** In UTF-8 a byte that is not UTF-8 is read as U+FFFD and handed on as EF BF BD, what the masking looks for. */
    @Test
    void inUtf8NothingIsRefused() throws Exception {
        Map<String, String> env = Map.of("PATH", "p\uFFFD\u00e4sswort", "HOME", "/home/\u2713");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "UTF-8")).isEmpty();
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "")).as("unknown").isEmpty();
    }

    private Plan texts(String name, String yaml, Map<String, String> vars) throws Exception {
        return new SpecLoader().load(Files.writeString(tmp.resolve(name), yaml), vars);
    }

    private static final String FIX = "; run swarm with LC_ALL=C.UTF-8 (./swarm does)";
    private static final String MANGLED = "which the JVM cannot encode in this locale (ANSI_X3.4-1968, LANG/LC_ALL=C): the "
            + "process would be handed '?' in their place and run a different command than written" + FIX;

    /**
     * A script, env values, vars and matrix values put in: what the process would be handed with '?' in place of each
     * character other than ASCII (rm donn?es.txt, a glob that can match another file); a noop ticket is handed nothing.
     */
    @Test
    void inTheCLocaleATicketsTextOtherThanAsciiIsRefusedWithVarsAndMatrixValuesPutIn() throws Exception {
        Plan plan = texts("texts.yaml", """
                vars: {who: plain, city: plain}
                tickets:
                  - id: a
                    env: {X: "\u00f1", W: "${{ vars.who }}", P: "${{ env.PATH }}", O: plain}
                    run: |
                      touch keep-me-donnXes.txt
                      rm -v keep-me-donn\u00e9es.txt
                    outputs: {x: {json: k}}
                  - id: m
                    matrix: {city: [z\u00fcrich, plain]}
                    run: echo ${{ matrix.city }}
                  - id: v
                    run: echo ${{ vars.city }}
                  - id: fine
                    needs: [a]
                    run: echo ascii ${{ tickets.a.outputs.x }}
                  - id: idle
                    agent: noop
                    title: Gr\u00f6\u00dfe
                """, Map.of("who", "Jos\u00e9", "city", "\u65e5\u672c"));
        List<String> problems = EnvironmentEncoding.problems(plan, Map.of("PATH", "/bin")::get, "ANSI_X3.4-1968");
        assertThat(problems).containsExactly(
                "ticket 'a' hands its process text with characters other than ASCII (line 2 of its run: script, env: W, X), " + MANGLED,
                "ticket 'm-z-rich' hands its process text with characters other than ASCII (line 1 of its run: script), " + MANGLED,
                "ticket 'v' hands its process text with characters other than ASCII (line 1 of its run: script), " + MANGLED);
        assertThat(EnvironmentEncoding.problems(plan, Map.of("PATH", "/bin")::get, "UTF-8")).isEmpty();
    }

    /** {@code --var who=Jos\u00e9} in the C locale reaches the JVM as {@code Jos\uFFFD\uFFFD}: refused, used or not. */
    @Test
    void inTheCLocaleAVariableHoldingTheReplacementCharacterIsRefused() throws Exception {
        Plan plan = texts("vars.yaml", """
                vars: {who: x, other: y}
                tickets:
                  - {id: idle, agent: noop, title: "${{ vars.who }}"}
                """, Map.of("who", "Jos\uFFFD\uFFFD"));
        assertThat(EnvironmentEncoding.problems(plan, Map.<String, String>of()::get, "ANSI_X3.4-1968")).containsExactly(
                "the variable 'who' holds U+FFFD, the character the JVM reads in place of each one of an argument "
                        + "(--var who=...) it cannot decode in this locale (ANSI_X3.4-1968, LANG/LC_ALL=C): its value is not what "
                        + "was typed, and the run would store and use it so" + FIX);
        assertThat(EnvironmentEncoding.problems(plan, Map.<String, String>of()::get, "UTF-8")).isEmpty();
    }

    /** ISO-8859-1 encodes an \u00e9, but as E9, not the UTF-8 of the spec: a file name, a word, are another one to bash. */
    @Test
    void inAnotherNonUtf8LocaleATicketsTextOtherThanAsciiIsRefusedToo() throws Exception {
        Plan plan = texts("latin.yaml", """
                tickets:
                  - {id: a, run: "echo caf\u00e9"}
                  - {id: b, run: "echo \u2713"}
                """, Map.of());
        assertThat(EnvironmentEncoding.problems(plan, Map.<String, String>of()::get, "ISO-8859-1")).containsExactly(
                "ticket 'a' hands its process text with characters other than ASCII (line 1 of its run: script), which the JVM "
                        + "hands a process in ISO-8859-1, the encoding of this locale, not in the UTF-8 of the spec: the process "
                        + "would run a different command than written; run swarm with LC_ALL=C.UTF-8",
                "ticket 'b' hands its process text with characters other than ASCII (line 1 of its run: script), which the JVM "
                        + "cannot encode in this locale (ISO-8859-1): the process would be handed '?' in their place and run a "
                        + "different command than written; run swarm with LC_ALL=C.UTF-8");
    }

    /** Records the methods called on it; {@code execute} succeeds. */
    private static Executor recording(List<String> calls) {
        return (Executor) Proxy.newProxyInstance(Executor.class.getClassLoader(), new Class<?>[]{Executor.class}, (proxy, m, args) -> {
            calls.add(m.getName());
            if (m.getName().equals("execute")) return AttemptResult.succeeded(Map.of());
            if (m.getReturnType() == boolean.class) return false;
            return null;
        });
    }

    /**
     * The engine ends a lost attempt's processes with the run's directory, by which the local executor tells them from
     * another state directory's with the same ids (their SWARM_SCRATCH): the guard (of a JVM whose encoding is not UTF-8,
     * where there is one) passes it on.
     */
    @Test
    void theGuardPassesTheRunDirectoryOfALostAttemptOn() {
        List<String> calls = new ArrayList<>();
        Executor guarded = EnvironmentEncoding.guard((Executor) Proxy.newProxyInstance(Executor.class.getClassLoader(),
                new Class<?>[]{Executor.class}, (proxy, m, args) -> {
                    calls.add(m.getName() + " " + java.util.Arrays.toString(args));
                    return m.getReturnType() == boolean.class ? true : null;
                }), "ANSI_X3.4-1968");
        io.swarmflow.store.AttemptView lost = new io.swarmflow.store.AttemptView("r1", "a", 1, null, null, null, 0, 0, 5, 6, null);

        assertThat(guarded.killOrphan(lost, tmp.resolve("runs/r1"))).isTrue();

        assertThat(calls).containsExactly("killOrphan [" + lost + ", " + tmp.resolve("runs/r1") + "]");
    }

    private AttemptRequest request(Plan plan, String id, String script, Map<String, String> env) {
        PlannedTicket t = plan.tickets().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        return new AttemptRequest("r1", plan, t, plan.profileOf(t), 1, script, env, tmp);
    }

    /** An output of another ticket is known only when the attempt starts: the attempt is refused then, nothing started. */
    @Test
    void theGuardRefusesAnAttemptWhoseRenderedTextIsNotAsciiAndStartsNothing() throws Exception {
        List<String> calls = new ArrayList<>();
        Executor guarded = EnvironmentEncoding.guard(recording(calls), "ANSI_X3.4-1968");
        Plan plan = plan();
        AttemptResult refused = guarded.execute(request(plan, "a", "echo ok\necho z\u00fcrich", Map.of("P", "/bin")), null);
        assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(refused.reason()).isEqualTo("not started: its text holds characters other than ASCII, which this JVM's "
                + "locale (ANSI_X3.4-1968, LANG/LC_ALL=C) would hand the process as other bytes; run the spec again with "
                + "LC_ALL=C.UTF-8 (./swarm does). The text, with the outputs of the tickets it needs put in: line 2 of its "
                + "run: script ('?' in place of each character: a different command than written)");
        assertThat(refused.reason().indexOf("LC_ALL=C.UTF-8")).as("within what a table shows").isLessThan(200);
        assertThat(guarded.execute(request(plan, "a", "true", Map.of("P", "/b\u00e9n")), null).reason()).endsWith(": env: P "
                + "('?' in place of each character: a different command than written)");
        assertThat(calls).as("nothing started").isEmpty();

        assertThat(guarded.execute(request(plan, "a", "echo ascii", Map.of("P", "/bin")), null).outcome()).isEqualTo(Outcome.SUCCEEDED);
        // a noop ticket runs no process
        assertThat(guarded.execute(request(plan, "wait", "\u00fc", Map.of()), null).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(calls).containsExactly("execute", "execute");

        Executor plain = recording(calls);
        assertThat(EnvironmentEncoding.guard(plain, "UTF-8")).isSameAs(plain);
        assertThat(EnvironmentEncoding.guard(plain, "")).isSameAs(plain);
    }

    /**
     * The guard forwards every method of {@link Executor}, those with a default too: one left to the interface's default
     * would silently not be the executor's (hiddenStateDirs: no state directory hidden from tickets).
     */
    @Test
    void theGuardForwardsEveryMethodOfExecutor() throws Exception {
        List<String> calls = new ArrayList<>();
        Executor guarded = EnvironmentEncoding.guard(recording(calls), "ANSI_X3.4-1968");
        for (Method m : Executor.class.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getName().equals("execute")) continue;
            assertThat(EnvironmentEncoding.Guarded.class.getDeclaredMethod(m.getName(), m.getParameterTypes())).as(m.toString()).isNotNull();
            calls.clear();
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) args[i] = m.getParameterTypes()[i] == boolean.class ? false : null;
            m.invoke(guarded, args);
            assertThat(calls).as(m.toString()).containsExactly(m.getName());
        }
    }

    /**
     * The hook the engine calls after recovering a run (LocalExecutor restores worktrees' .git files there) is the wrapped
     * executor's: hidden behind the guard, the engine would not find it and never call it.
     */
    @Test
    void theGuardForwardsTheRecoveryHookOfTheExecutorItWraps() throws Exception {
        List<String> calls = new ArrayList<>();
        Executor hooked = (Executor) Proxy.newProxyInstance(Executor.class.getClassLoader(),
                new Class<?>[]{Executor.class, io.swarmflow.engine.RunEngine.AfterRecovery.class}, (proxy, m, args) -> {
                    calls.add(m.getName() + (args != null && args.length > 0 ? " " + args[0] : ""));
                    return m.getReturnType() == boolean.class ? false : null;
                });
        Executor guarded = EnvironmentEncoding.guard(hooked, "ANSI_X3.4-1968");
        assertThat(guarded).isInstanceOf(io.swarmflow.engine.RunEngine.AfterRecovery.class);
        ((io.swarmflow.engine.RunEngine.AfterRecovery) guarded).afterRecovery("r1", plan(), tmp);
        assertThat(calls).containsExactly("afterRecovery r1");

        // an executor without the hook: nothing to forward, nothing called
        calls.clear();
        Executor plain = EnvironmentEncoding.guard(recording(calls), "ANSI_X3.4-1968");
        ((io.swarmflow.engine.RunEngine.AfterRecovery) plain).afterRecovery("r1", plan(), tmp);
        assertThat(calls).isEmpty();
    }

    /** A refused attempt would be refused again in this JVM: it is a permanent failure, and its ticket's retries unused. */
    @Test
    void aRefusedAttemptIsNotRetried() throws Exception {
        List<String> calls = new ArrayList<>();
        Executor guarded = EnvironmentEncoding.guard(recording(calls), "ANSI_X3.4-1968");
        Path spec = Files.writeString(tmp.resolve("retried.yaml"), """
                tickets:
                  - {id: up, run: "true", outputs: {word: {json: word}}}
                  - {id: down, needs: [up], retries: 3, env: {W: "${{ tickets.up.outputs.word }}"}, run: "echo $W"}
                """);
        Plan plan = new SpecLoader().load(spec, Map.of());
        PlannedTicket down = plan.tickets().stream().filter(x -> x.id().equals("down")).findFirst().orElseThrow();
        assertThat(down.retries().max()).isEqualTo(3);
        AttemptResult refused = guarded.execute(request(plan, "down", "echo $W", Map.of("W", "z\u00fcrich")), null);
        assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(refused.permanent()).as("permanent: the engine gives it no retry").isTrue();
        assertThat(calls).isEmpty();

        // the engine: one attempt, failed for good, its retries unused
        io.swarmflow.store.memory.InMemoryRunStore store = new io.swarmflow.store.memory.InMemoryRunStore();
        io.swarmflow.engine.RunService service = new io.swarmflow.engine.RunService(store, EnvironmentEncoding.guard(
                new Executor() {
                    @Override
                    public AttemptResult execute(AttemptRequest r, AttemptControl c) {
                        calls.add("execute " + r.ticket().id());
                        return AttemptResult.succeeded(Map.of("word", "z\u00fcrich"));
                    }

                    @Override
                    public List<String> preflight(Plan p) {
                        return List.of();
                    }

                    @Override
                    public void prepareRun(String runId, Plan p, Path runDir) {
                    }

                    @Override
                    public boolean killOrphan(io.swarmflow.store.AttemptView attempt) {
                        return false;
                    }
                }, "ANSI_X3.4-1968"));
        String run = service.create(plan, spec.toString());
        assertThat(service.engine(run, io.swarmflow.engine.EngineOptions.builder(tmp.resolve("state")).seed(1).build(), null)
                .execute()).isEqualTo(io.swarmflow.store.RunState.FAILED);
        io.swarmflow.store.TicketView t = store.tickets(run).stream().filter(x -> x.ticketId().equals("down")).findFirst().orElseThrow();
        assertThat(t.attempt()).isEqualTo(1);
        assertThat(t.reason()).startsWith("not started: ").endsWith(" (no retry: it would fail the same way)");
        assertThat(calls).containsExactly("execute up");
    }
}
