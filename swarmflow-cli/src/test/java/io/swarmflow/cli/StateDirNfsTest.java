package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory owned by the kernel's overflow uid (/proc/sys/fs/overflowuid, 65534 {@code nobody}) is how NFS shows files
 * when the server squashes root or the id mapping fails: the refusal says so, and what to do. On NFS that replaces
 * the usual advice ({@code sudo -u nobody} is none); elsewhere it follows it, as "if ... is on NFS", without the advice
 * to run swarm as the owner, which is no one's (root gives a local directory to that uid here, with chown).
 */
class StateDirNfsTest {
    @TempDir
    Path tmp;

    long overflow;
    String hint;

    @BeforeEach
    void overflowUid() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a directory to the overflow uid");
        // one read of a line: Files.readString would read a byte first, and a sysctl gives nothing past offset 0
        overflow = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/overflowuid")).get(0).strip());
        assertThat(overflow).as("the overflow uid is not root").isPositive();
        assertThat(Files.getFileStore(tmp).type()).as("the test's directory is on a local file system").doesNotStartWith("nfs");
        hint = " as its owner is how NFS shows files when the server squashes root (root_squash) or cannot map their "
                + "owner's id between server and client (idmapping): point --state-dir (or SWARM_STATE_DIR) at a directory "
                + "on a local disk (one under /tmp, or under $XDG_STATE_HOME, default ~/.local/state, when your home "
                + "directory is not on NFS), or have the NFS id mapping fixed";
    }

    /** {@code dir}, made and given to the overflow uid and gid, mode {@code mode}. */
    private Path nobodys(Path dir, int mode) throws IOException {
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:mode", mode);
        Files.setAttribute(dir, "unix:uid", (int) overflow);
        Files.setAttribute(dir, "unix:gid", (int) overflow);
        return dir;
    }

    /** {@code uid 65534 (nobody)}. */
    private String owner(Path dir) throws IOException {
        return "uid " + overflow + (name(dir).equals(Long.toString(overflow)) ? "" : " (" + name(dir) + ")");
    }

    private static String name(Path dir) throws IOException {
        return Files.getOwner(dir).getName();
    }

    @Test
    void aParentOwnedByTheOverflowUidIsExplainedAsNfs() throws Exception {
        Path project = nobodys(tmp.resolve("project"), 0755);
        Path state = project.resolve(".swarm");

        String said = StateDirRefusals.refused(tmp, state);

        assertThat(said).contains("swarm: the state directory " + state + " is inside " + project + ", which is owned by "
                + "another user (", "who could rename the state directory and put theirs in its place, with runs swarm "
                + "would run; nothing was changed. Point --state-dir (or SWARM_STATE_DIR) at a directory of yours that only you and root can "
                + "write to, and whose parent directories are the same (one under your home directory). If " + project
                + " is on NFS: " + owner(project) + hint + "\n");
        assertThat(said).as("no one to run swarm as").doesNotContain("sudo -u");
        assertThat(state).doesNotExist();
    }

    @Test
    void aStateDirectoryOwnedByTheOverflowUidIsExplainedAsNfs() throws Exception {
        Path state = nobodys(tmp.resolve("state"), 0700);

        String said = StateDirRefusals.refused(tmp, state);

        assertThat(said).contains("swarm: the state directory " + state + " belongs to another user (", "nothing was "
                + "changed. Point --state-dir (or SWARM_STATE_DIR) at a directory of yours. If " + state + " is on NFS: " + owner(state)
                + hint + "\n");
        assertThat(said).as("no one to run swarm as").doesNotContain("sudo -u");
    }

    @Test
    void onNfsItSaysSoInsteadOfTheUsualAdvice() {
        Path dir = Path.of("/home/ann/project");

        assertThat(Wiring.withNfsHint(dir, 65534, "nobody", "nfs4", "FIX")).isEqualTo("/home/ann/project is on NFS (nfs4) "
                + "and owned by uid 65534 (nobody), which is how NFS shows files when the server squashes root (root_squash) or "
                + "cannot map their owner's id between server and client (idmapping): point --state-dir (or "
                + "SWARM_STATE_DIR) at a directory on a local disk (one under /tmp, or under $XDG_STATE_HOME, default "
                + "~/.local/state, when your home directory is not on NFS), or have the NFS id mapping fixed");
        assertThat(Wiring.withNfsHint(dir, 65534, "65534", null, "FIX")).startsWith("FIX. If /home/ann/project is on NFS: "
                + "uid 65534 as its owner is how NFS shows files");
    }
}
