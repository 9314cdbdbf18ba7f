package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmflow.engine.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's parents as an ordinary user meets them (the e2e tests run as root, CI's user): the check of
 * {@code Wiring.refuseReplaceable} for the uid of nobody (65534), on real directories given to nobody and to a third
 * user with chown. It reads owners and modes only, so who runs it does not change what it decides.
 */
class StateDirParentsTest {
    static final long NOBODY = 65534;
    static final int OTHER = 12345;

    @TempDir
    Path tmp;

    private static Path dir(Path p, String mode, int uid) throws Exception {
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        Files.setAttribute(p, "unix:uid", uid);
        return p;
    }

    private static void check(Path state) {
        Wiring.refuseReplaceable(state, Wiring.realPath(state), NOBODY);
    }

    /** Your home directory (yours, 0755 or 0700) below root's directories: a state directory there, made or not, is used. */
    @Test
    void aStateDirectoryUnderYourHomeIsAccepted() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give directories to other users");
        Path home = dir(tmp.resolve("home"), "rwxr-xr-x", (int) NOBODY);
        Path project = dir(home.resolve("project"), "rwx------", (int) NOBODY);

        check(project.resolve(".swarm")); // to be made
        check(dir(project.resolve(".swarm"), "rwx------", (int) NOBODY).resolve("deeper")); // made, and below it
    }

    /** The same tree with your project in a directory of another user (uid 12345, mode 0755): refused, named. */
    @Test
    void aStateDirectoryUnderAnotherUsersDirectoryIsRefused() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give directories to other users");
        Path theirs = dir(tmp.resolve("srv"), "rwxr-xr-x", OTHER);
        Path project = dir(theirs.resolve("project"), "rwx------", (int) NOBODY);

        assertThatThrownBy(() -> check(project.resolve(".swarm"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + project.resolve(".swarm") + " is inside " + theirs
                        + ", which is owned by another user (" + OTHER + ":")
                .hasMessageContaining("Point --state-dir (or SWARM_STATE_DIR) at a directory of yours")
                .hasMessageNotContaining("sudo"); // said to root only
    }
}
