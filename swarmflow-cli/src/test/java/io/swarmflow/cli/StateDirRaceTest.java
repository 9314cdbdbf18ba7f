package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Wiring.create} checks the state directory's path, then makes it: another user making a directory on the path
 * in between (in a sticky directory such as {@code /tmp}, where there was nothing to refuse at the check) could rename
 * the state directory and put theirs in its place. The test enters that window through {@code Wiring.racing} and makes
 * the directory there as the user nobody (setpriv, util-linux); the command must refuse with nothing written.
 */
class StateDirRaceTest {
    @TempDir
    Path tmp;

    @AfterEach
    void noRace() {
        Wiring.racing = stateDir -> {
        };
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    @Test
    void aDirectoryAnotherUserMakesOnThePathBetweenTheCheckAndTheMakingIsRefusedWithNothingWritten() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to act as another user");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody may reach pub
        Path pub = Files.createDirectory(tmp.resolve("pub"));
        run("chmod", "1777", pub.toString()); // as /tmp
        Path theirs = pub.resolve("shared");
        Path state = theirs.resolve("state");
        Wiring.racing = dir -> {
            if (!dir.equals(state)) return; // another test's command
            try {
                run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "mkdir", "-m", "0777", theirs.toString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        String said = StateDirRefusals.refused(tmp, state);
        assertThat(said).startsWith("swarm: the state directory " + state + " is inside " + theirs + ", which is owned by "
                + "another user (nobody:nogroup, mode rwxrwxrwx), who could rename the state directory").contains(
                "nothing was changed");
        assertThat(Files.getAttribute(theirs, "unix:uid")).as("the race happened").isEqualTo(65534);
        try (var left = Files.list(theirs)) {
            assertThat(left).as("nothing written: the state directory made is removed").isEmpty();
        }
    }

    /**
     * The refusal after the making takes back every directory swarm made on the way, not the state directory alone:
     * {@code base/a/b/state}, base there before, made writable by every user in the window. a, b and state are removed;
     * base, which was there, stays.
     */
    @Test
    void aRefusalAfterTheMakingRemovesEveryDirectoryMadeOnTheWay() throws Exception {
        Path base = Files.createDirectory(tmp.resolve("base"));
        Path state = base.resolve("a/b/state");
        Wiring.racing = dir -> {
            if (!dir.equals(state)) return; // another test's command
            try {
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        };
        String said = StateDirRefusals.refused(tmp, state);
        assertThat(said).contains(base + ", which is writable by every user", "nothing was changed");
        assertThat(base).isDirectory();
        try (var left = Files.list(base)) {
            assertThat(left).as("the directories made on the way are removed").isEmpty();
        }
    }
}
