package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmflow.engine.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
        Wiring.refuseReplaceable(state, NOBODY);
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

    private static Path link(Path link, Path target, int uid) throws Exception {
        Files.createSymbolicLink(link, target);
        Files.setAttribute(link, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS); // lchown: the link itself
        return link;
    }

    /**
     * The kernel's walk of {@code /tmp/.../evil/link/.swarm}, link -> ../home/project: the directories looked up in are
     * those above the link, the link's own directory, then those on the way to the target; the end is the real path.
     */
    @Test
    void lookupsListEveryDirectoryPassedThroughAndEachLinkFollowed() throws Exception {
        Path t = tmp.toRealPath();
        Path project = Files.createDirectories(t.resolve("home/project"));
        Path evil = Files.createDirectories(t.resolve("evil"));
        Path link = Files.createSymbolicLink(evil.resolve("link"), Path.of("../home/project"));

        Wiring.Lookups walk = Wiring.lookups(link.resolve(".swarm/runs"));

        assertThat(walk.links()).containsExactly(link);
        assertThat(walk.end()).isEqualTo(project.resolve(".swarm/runs"));
        assertThat(walk.directories()).containsSubsequence(t, evil, t.resolve("home"), project).doesNotContain(link)
                .doesNotHaveDuplicates();
        assertThat(walk.directories().getFirst()).isEqualTo(t.getRoot());
        assertThat(Wiring.realPath(link.resolve(".swarm"))).isEqualTo(project.resolve(".swarm"));
    }

    /**
     * Your project, reached through a symbolic link in a directory another user owns (uid 12345): its real path is all
     * yours, but that user can point the link at a directory of theirs. Refused, naming the link, its owner and the fix.
     */
    @Test
    void aStateDirectoryReachedThroughALinkInAnotherUsersDirectoryIsRefused() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give directories to other users");
        Path home = dir(tmp.resolve("home"), "rwxr-xr-x", (int) NOBODY);
        Path project = dir(home.resolve("project"), "rwx------", (int) NOBODY);
        Path theirs = dir(tmp.resolve("evil"), "rwxr-xr-x", OTHER);
        Path link = link(theirs.resolve("link"), project, OTHER);
        check(project.resolve(".swarm")); // the real path alone is fine

        assertThatThrownBy(() -> check(link.resolve(".swarm"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + link.resolve(".swarm") + " (" + project.resolve(".swarm")
                        + ") is reached through the symbolic link " + link + " -> " + project + " (owned by " + OTHER
                        + "), in " + theirs + ", which is owned by another user (" + OTHER + ":")
                .hasMessageContaining("who could point that link at a directory of theirs")
                .hasMessageContaining("Point --state-dir (or SWARM_STATE_DIR) at its real path, " + project.resolve(".swarm"));

        // the same link in a directory of yours that others can write to: they could replace it
        Path shared = dir(home.resolve("shared"), "rwxrwxrwx", (int) NOBODY);
        Path planted = link(shared.resolve("link"), project, (int) NOBODY);
        assertThatThrownBy(() -> check(planted.resolve(".swarm"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("is reached through the symbolic link " + planted + " -> " + project + " (owned by nobody), in "
                        + shared + ", which is writable by every user");
        // in a directory of yours that only you write to, it is yours to re-point: used
        Path mine = link(home.resolve("mine"), project, (int) NOBODY);
        assertThatCode(() -> check(mine.resolve(".swarm"))).doesNotThrowAnyException();
    }

    /**
     * A symbolic link in a sticky directory (as {@code /tmp}, root's, mode 1777) can be replaced by its owner: one of
     * another user is refused, yours or root's is used (the kernel's fs.protected_symlinks rule).
     */
    @Test
    void aLinkInAStickyDirectoryMustBeYoursOrRoots() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give directories to other users");
        Path home = dir(tmp.resolve("home"), "rwxr-xr-x", (int) NOBODY);
        Path project = dir(home.resolve("project"), "rwx------", (int) NOBODY);
        Path pub = dir(tmp.resolve("pub"), "rwxrwxrwx", 0);
        Files.setAttribute(pub, "unix:mode", 01777);
        Path theirs = link(pub.resolve("theirs"), project, OTHER);

        assertThatThrownBy(() -> check(theirs.resolve(".swarm"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + theirs.resolve(".swarm") + " (" + project.resolve(".swarm")
                        + ") is reached through the symbolic link " + theirs + " -> " + project + ", owned by " + OTHER
                        + " (another user) in the sticky directory " + pub)
                .hasMessageContaining("rm " + theirs);
        assertThatCode(() -> check(link(pub.resolve("mine"), project, (int) NOBODY).resolve(".swarm"))).doesNotThrowAnyException();
        assertThatCode(() -> check(link(pub.resolve("root"), project, 0).resolve(".swarm"))).doesNotThrowAnyException();
    }
}
