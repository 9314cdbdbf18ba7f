package io.swarmflow.engine;

import io.swarmflow.store.RunLease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review RCLI MEDIUM-1: {@code --take-over} ends only a coordinator that has this state directory's database open
 * ({@link StalledCoordinatorTakeOver#holds}, read from {@code /proc/PID/fd}). A real child process ({@code sleep}) has
 * one file open as its stdin; a copy of that file, and a file it never opened, are not held, whatever their content or
 * name; a process gone or unreadable is not proved to hold anything.
 */
class StalledCoordinatorTakeOverDatabaseTest {
    private static final String OWNER = "host:4242@1700000000000/1;boot=b;pidns=1;ticks=7";
    private static final long NOW = 1_000_000;

    @TempDir
    Path tmp;

    Process child;

    @AfterEach
    void end() {
        if (child != null) child.destroyForcibly();
    }

    @Test
    void aProcessHoldsTheFileItHasOpenButNotACopyOfIt() throws Exception {
        Path original = Files.createDirectories(tmp.resolve("a")).resolve("swarm.db");
        Files.writeString(original, "SQLite format 3\0");
        child = new ProcessBuilder("sleep", "600").redirectInput(original.toFile()).start();
        Path copy = Files.createDirectories(tmp.resolve("b")).resolve("swarm.db");
        Files.copy(original, copy, StandardCopyOption.COPY_ATTRIBUTES);

        assertThat(StalledCoordinatorTakeOver.holds(child.pid(), original)).isEqualTo(StalledCoordinatorTakeOver.Holding.OPEN);
        assertThat(StalledCoordinatorTakeOver.holds(child.pid(), tmp.resolve("a/../a/swarm.db")))
                .as("the same file by another path").isEqualTo(StalledCoordinatorTakeOver.Holding.OPEN);
        assertThat(StalledCoordinatorTakeOver.holds(child.pid(), copy)).isEqualTo(StalledCoordinatorTakeOver.Holding.NOT_OPEN);
        assertThat(StalledCoordinatorTakeOver.holds(child.pid(), tmp.resolve("none")))
                .as("no such file").isEqualTo(StalledCoordinatorTakeOver.Holding.UNKNOWN);
        assertThat(StalledCoordinatorTakeOver.holds(tmp.resolve("no-fd-dir"), original))
                .as("no /proc/PID/fd to read").isEqualTo(StalledCoordinatorTakeOver.Holding.UNKNOWN);

        // a file renamed while open is still the file it has open
        Path moved = original.resolveSibling("moved.db");
        Files.move(original, moved);
        assertThat(StalledCoordinatorTakeOver.holds(child.pid(), moved)).isEqualTo(StalledCoordinatorTakeOver.Holding.OPEN);

        child.destroyForcibly().waitFor();
        assertThat(StalledCoordinatorTakeOver.holds(child.pid(), moved)).as("gone")
                .isNotEqualTo(StalledCoordinatorTakeOver.Holding.OPEN);
    }

    @Test
    void aCoordinatorWithoutThisDatabaseOpenIsRefusedAndOneWithItIsTheTarget() throws Exception {
        Path original = Files.createDirectories(tmp.resolve("a")).resolve("swarm.db");
        Files.writeString(original, "SQLite format 3\0");
        child = new ProcessBuilder("sleep", "600").redirectInput(original.toFile()).start();
        Path copy = Files.createDirectories(tmp.resolve("b")).resolve("swarm.db");
        Files.copy(original, copy);
        long pid = child.pid();
        java.util.function.Function<String, Optional<Owners.Alive>> alive = o -> Optional.of(new Owners.Alive(pid, false));
        Optional<RunLease> ranOut = Optional.of(new RunLease(OWNER, 3, NOW - 20_000));

        assertThat(StalledCoordinatorTakeOver.target("R", ranOut, NOW, alive, p -> StalledCoordinatorTakeOver.holds(p, original), original))
                .contains(new StalledCoordinatorTakeOver.Target("R", OWNER, pid, false, 20_000));
        assertThatThrownBy(() -> StalledCoordinatorTakeOver.target("R", ranOut, NOW, alive,
                p -> StalledCoordinatorTakeOver.holds(p, copy), copy))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("run R's coordinator (pid " + pid + ") is alive but does not have this state directory's database "
                        + "open: it is the coordinator of another state directory (is this one a copy of a live state "
                        + "directory?), and its lease here ran out 20 s ago because nobody renews it here; --take-over ends only "
                        + "a coordinator that has this state directory's database (" + copy + ") open, so it was not signalled, "
                        + "and nothing was changed: it goes on with the run in the other state directory, on the same repository, "
                        + "worktrees and branches, so neither end it (its run there is not stalled) nor run the run here, beside it "
                        + "or after it (the copy's tickets would run again on the branches the original's made): follow and decide "
                        + "the run in the state directory it uses (`ls -l /proc/" + pid + "/fd | grep swarm.db` shows which)");
        assertThatThrownBy(() -> StalledCoordinatorTakeOver.target("R", ranOut, NOW, alive,
                p -> StalledCoordinatorTakeOver.Holding.UNKNOWN, copy))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("cannot be shown to have this state directory's database (" + copy + ") open: /proc/" + pid
                        + "/fd cannot be read by this user (another user's process, or /proc mounted with hidepid=)")
                .hasMessageContaining("it was not signalled, and nothing was changed");
        // read again right before SIGTERM: one that no longer has it open is not signalled
        StalledCoordinatorTakeOver.Target t = new StalledCoordinatorTakeOver.Target("R", OWNER, pid, false, 20_000);
        long expires = NOW - 20_000;
        assertThat(StalledCoordinatorTakeOver.stillStalled(t, expires, ranOut, NOW, alive,
                p -> StalledCoordinatorTakeOver.holds(p, original))).isTrue();
        assertThat(StalledCoordinatorTakeOver.stillStalled(t, expires, ranOut, NOW, alive,
                p -> StalledCoordinatorTakeOver.holds(p, copy))).isFalse();
        assertThat(StalledCoordinatorTakeOver.stillStalled(t, expires, ranOut, NOW, alive,
                p -> StalledCoordinatorTakeOver.Holding.UNKNOWN)).isFalse();
        // no target (its lease still runs): nothing to refuse, whatever it has open
        assertThat(StalledCoordinatorTakeOver.target("R", Optional.of(new RunLease(OWNER, 3, NOW + 5_000)), NOW, alive,
                p -> StalledCoordinatorTakeOver.Holding.NOT_OPEN, copy)).isEmpty();
    }
}
