package io.swarmflow.engine;

import io.swarmflow.files.proc.ProcStat;
import io.swarmflow.store.RunLease;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decisions of {@code swarm resume --take-over} ({@link StalledCoordinatorTakeOver}): which coordinator is ended, in
 * which order it is signalled, that its identity is read again before every signal, and what is said when it may not be
 * signalled (EPERM) or will not die. The process is a fake here; StoppedCoordinatorTakeOverEndToEndTest ends a real one.
 */
class StalledCoordinatorTakeOverTest {
    private static final String OWNER = "host:4242@1700000000000/1;boot=b;pidns=1;ticks=7";
    private static final long NOW = 1_000_000;

    /** A coordinator process as {@code Owners.provablyAlive} would see it; ended by KILL, or by TERM when it heeds it. */
    private static final class FakeCoordinator {
        boolean alive = true;
        boolean stopped;
        boolean heedsTerm;
        boolean termPending;
        boolean dies = true;
        int errno;
        final List<String> calls = new ArrayList<>();

        Optional<Owners.Alive> provablyAlive(String owner) {
            return alive && owner.equals(OWNER) ? Optional.of(new Owners.Alive(4242, stopped)) : Optional.empty();
        }

        int signal(long pid, String name, java.util.function.BooleanSupplier stillTarget) {
            calls.add(name + (stillTarget.getAsBoolean() ? "" : " (not the target)"));
            if (!stillTarget.getAsBoolean()) return StalledCoordinatorTakeOver.ESRCH;
            if (errno != 0) return errno;
            switch (name) {
                case "TERM" -> termPending = true;
                case "CONT" -> stopped = false;
                case "KILL" -> alive = !dies;
                default -> throw new AssertionError(name);
            }
            if (termPending && !stopped && heedsTerm) alive = false;
            return 0;
        }
    }

    private static StalledCoordinatorTakeOver.Target target(boolean stopped) {
        return new StalledCoordinatorTakeOver.Target("R", OWNER, 4242, stopped, 20_000);
    }

    private static StalledCoordinatorTakeOver.Ended end(FakeCoordinator c, StalledCoordinatorTakeOver.Target t, List<Long> pauses)
            throws InterruptedException {
        return StalledCoordinatorTakeOver.end(t, 5_000, c::signal, pauses::add, c::provablyAlive,
                pid -> ProcStat.parse("4242 (java) D 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 30 0 7 0 0"));
    }

    @Test
    void aStoppedCoordinatorIsTakenOverOnlyPastItsLeaseAndNeverInATracingStop() {
        FakeCoordinator c = new FakeCoordinator();
        c.stopped = true;
        Function<String, Optional<Owners.Alive>> alive = c::provablyAlive;
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW + 5_000)), NOW, alive))
                .as("a Ctrl-Z a moment ago (and a bg soon) is not a stall").isEmpty();
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW - 20_000)), NOW, alive))
                .contains(new StalledCoordinatorTakeOver.Target("R", OWNER, 4242, true, 20_000));
        Function<String, Optional<Owners.Alive>> traced = o -> Optional.of(new Owners.Alive(4242, true, false, true));
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW - 20_000)), NOW, traced))
                .as("strace, gdb or jhsdb attached: a debugger's").isEmpty();
    }

    @Test
    void theCoordinatorIsGivenAtLeastItsOwnGracePlusAMarginBeforeSigkill() {
        List<String> started30 = List.of("java", "-cp", "x", "io.swarmflow.cli.SwarmCli", "run", "s.yaml", "--grace", "30");
        assertThat(StalledCoordinatorTakeOver.graceFor(started30, 5_000)).isEqualTo(32_000);
        assertThat(StalledCoordinatorTakeOver.graceFor(List.of("swarm", "run", "s.yaml", "--grace=1"), 5_000)).isEqualTo(5_000);
        assertThat(StalledCoordinatorTakeOver.graceFor(List.of("swarm", "run", "s.yaml"), 5_000)).as("its default, 5 s")
                .isEqualTo(7_000);
        assertThat(StalledCoordinatorTakeOver.graceFor(List.of(), 5_000)).as("not readable").isEqualTo(5_000);
    }

    @Test
    void itIsDecidedAgainRightBeforeSigterm() throws Exception {
        FakeCoordinator c = new FakeCoordinator();
        c.stopped = true;
        Function<String, Optional<Owners.Alive>> alive = c::provablyAlive;
        StalledCoordinatorTakeOver.Target t = target(true);
        long expires = NOW - 20_000;
        assertThat(StalledCoordinatorTakeOver.stillStalled(t, expires, Optional.of(new RunLease(OWNER, 3, expires)), NOW, alive)).isTrue();
        assertThat(StalledCoordinatorTakeOver.stillStalled(t, expires, Optional.of(new RunLease(OWNER, 3, NOW + 15_000)), NOW, alive))
                .as("continued since, it renewed its lease").isFalse();
        assertThat(StalledCoordinatorTakeOver.stillStalled(t, expires, Optional.of(new RunLease("other:1@1/1", 4, expires)), NOW, alive))
                .as("another took the run").isFalse();
        assertThatThrownBy(() -> StalledCoordinatorTakeOver.end(t, 5_000, c::signal, p -> {}, alive, pid -> null, () -> false,
                () -> false)).isInstanceOf(InvalidRequestException.class).hasMessage("run R's coordinator (pid 4242) went on "
                + "meanwhile (its lease renewed, or taken): it was not signalled; nothing was changed. `swarm status R` says how it is");
        assertThat(c.calls).containsExactly("TERM (not the target)");
        assertThat(c.alive).isTrue();
    }

    @Test
    void aRunningCoordinatorIsTakenOverOnlyPastItsLease() {
        FakeCoordinator c = new FakeCoordinator();
        Function<String, Optional<Owners.Alive>> alive = c::provablyAlive;
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW + 5_000)), NOW, alive))
                .as("it renews its lease").isEmpty();
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW - 1)), NOW, alive))
                .contains(new StalledCoordinatorTakeOver.Target("R", OWNER, 4242, false, 1));
    }

    @Test
    void aCoordinatorNotProvedAliveHereIsNeverATarget() {
        Function<String, Optional<Owners.Alive>> unknown = owner -> Optional.empty(); // another host, boot, pid namespace; or gone
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW - 20_000)), NOW, unknown)).isEmpty();
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(null, 3, 0)), NOW, o -> {
            throw new AssertionError("a released lease names nobody");
        })).isEmpty();
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.empty(), NOW, unknown)).isEmpty();
    }

    @Test
    void anOtherHostsCoordinatorIsNotProvedAliveByTheRealCheck() {
        assertThat(StalledCoordinatorTakeOver.target("R",
                Optional.of(new RunLease("elsewhere.invalid:" + ProcessHandle.current().pid() + "@1/1;boot=b;pidns=1;ticks=7", 3,
                        NOW - 20_000)), NOW)).isEmpty();
    }

    @Test
    void aStoppedCoordinatorGetsTermThenContAndEndsThere() throws Exception {
        FakeCoordinator c = new FakeCoordinator();
        c.stopped = true;
        c.heedsTerm = true;
        List<Long> pauses = new ArrayList<>();
        StalledCoordinatorTakeOver.Ended ended = end(c, target(true), pauses);
        assertThat(c.calls).containsExactly("TERM", "CONT");
        assertThat(ended.sent()).containsExactly("SIGTERM", "SIGCONT");
        assertThat(ended.message()).isEqualTo("ended coordinator pid 4242 of run R (stopped (Ctrl-Z or a signal such as SIGSTOP "
                + "or SIGTTOU); its lease ran out 20 s ago): SIGTERM, SIGCONT");
        assertThat(pauses).isEmpty();
    }

    @Test
    void aCoordinatorThatDoesNotHeedTermIsKilledAfterTheGrace() throws Exception {
        FakeCoordinator c = new FakeCoordinator();
        List<Long> pauses = new ArrayList<>();
        StalledCoordinatorTakeOver.Ended ended = end(c, target(false), pauses);
        assertThat(c.calls).containsExactly("TERM", "KILL");
        assertThat(pauses.stream().mapToLong(Long::longValue).sum()).isEqualTo(5_000);
        assertThat(ended.message()).isEqualTo("ended coordinator pid 4242 of run R (running, hung or starved; its lease ran out "
                + "20 s ago): SIGTERM, then SIGKILL after 5 s");
    }

    @Test
    void anInterruptBeforeTheSignalsSendsNothingAndOneDuringTheGraceSkipsTheKill() throws Exception {
        FakeCoordinator c = new FakeCoordinator();
        StalledCoordinatorTakeOver.Ended none = StalledCoordinatorTakeOver.end(target(false), 5_000, c::signal, p -> {},
                c::provablyAlive, pid -> null, () -> true, () -> true);
        assertThat(c.calls).isEmpty();
        assertThat(none.interrupted()).isTrue();
        assertThat(none.message()).endsWith("interrupted before any signal: it was left as it is");

        List<Long> pauses = new ArrayList<>();
        boolean[] interrupted = {false};
        StalledCoordinatorTakeOver.Ended cut = StalledCoordinatorTakeOver.end(target(false), 5_000, c::signal, p -> {
            pauses.add(p);
            interrupted[0] = true; // a Ctrl-C during the grace
        }, c::provablyAlive, pid -> null, () -> interrupted[0], () -> true);
        assertThat(c.calls).containsExactly("TERM");
        assertThat(cut.interrupted()).isTrue();
        assertThat(cut.message()).isEqualTo("signalled coordinator pid 4242 of run R (running, hung or starved; its lease ran "
                + "out 20 s ago): SIGTERM; interrupted before SIGKILL: it may still be there");
    }

    @Test
    void itsIdentityIsReadAgainBeforeEachSignal() throws Exception {
        FakeCoordinator c = new FakeCoordinator();
        c.stopped = true;
        List<Long> pauses = new ArrayList<>();
        StalledCoordinatorTakeOver.Ended ended = StalledCoordinatorTakeOver.end(target(true), 5_000, (pid, name, still) -> {
            int r = c.signal(pid, name, still);
            c.alive = false; // its pid freed (and maybe reused) right after the first signal
            return r;
        }, pauses::add, c::provablyAlive, pid -> null);
        assertThat(c.calls).containsExactly("TERM", "CONT (not the target)");
        assertThat(ended.sent()).containsExactly("SIGTERM");
    }

    @Test
    void anotherUsersCoordinatorIsNotSignalledAndNothingChanges() {
        FakeCoordinator c = new FakeCoordinator();
        c.stopped = true;
        c.errno = StalledCoordinatorTakeOver.EPERM;
        assertThatThrownBy(() -> end(c, target(true), new ArrayList<>())).isInstanceOf(InvalidRequestException.class)
                .hasMessage("run R's coordinator (pid 4242) is another user's process: this user may not signal it (EPERM); nothing "
                        + "was changed. Its user, or root, can end it with `kill 4242`, and then `swarm resume R` continues the run");
        assertThat(c.calls).containsExactly("TERM");
    }

    @Test
    void aCoordinatorThatWillNotDieIsSaidAndTheWaitIsBounded() {
        FakeCoordinator c = new FakeCoordinator();
        c.dies = false;
        List<Long> pauses = new ArrayList<>();
        assertThatThrownBy(() -> end(c, target(false), pauses)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("run R's coordinator (pid 4242) is still there 10 s after SIGTERM, SIGKILL (state D: uninterruptible "
                        + "sleep, waiting in the kernel, on a hung NFS mount or device, say); the run is left as it is: once the "
                        + "process is gone (`ps -o pid,stat,wchan -p 4242` shows what it waits for), `swarm resume R` continues "
                        + "the run");
        assertThat(pauses.stream().mapToLong(Long::longValue).sum()).isEqualTo(5_000 + StalledCoordinatorTakeOver.KILL_WAIT_MILLIS);
    }
}
