package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bubblewrap mounts nosuid, but the directories a ticket writes stay on the host: a file a (root) ticket made set-uid
 * there would run as its owner for whoever ran it later. The attempt's end clears those bits ({@link SetIdBits}).
 */
class SetIdBitsTest {
    @TempDir
    Path tmp;

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** A ticket's chmod 4755 / 2755 in its workspace and in its scratch directory, with bubblewrap and without. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void filesATicketLeftSetUidOrSetGidAreClearedWhenTheAttemptEnds(boolean bubblewrap) throws Exception {
        Bubblewrap.Status status = bubblewrap ? Bubblewrap.probe() : Bubblewrap.Status.unavailable("off in this test");
        // CI has bubblewrap: this assumption holds there
        org.junit.jupiter.api.Assumptions.assumeTrue(status.usable() || !bubblewrap, () -> "bubblewrap is not usable here: " + status.problem());
        Path workspace = Files.createDirectories(tmp.resolve("worktree"));
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        // a set-uid file outside the writable directories, reached by a symbolic link from inside: left alone
        Path outside = Files.createDirectories(tmp.resolve("outside")).resolve("tool");
        Files.writeString(outside, "#!/bin/sh\n");
        Files.setAttribute(outside, "unix:mode", 04755);
        Files.createSymbolicLink(workspace.resolve("link"), outside);
        try (Sandbox sandbox = new Sandbox(status, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(bubblewrap ? Isolation.REQUIRED : Isolation.OFF)
                    .workspaceWritable(true).writableDir(scratch).build();
            SandboxResult result = sandbox.start(spec, List.of("bash", "-c",
                    "set -e; cp /bin/true own; chmod 4755 own; mkdir -p deep/er; cp /bin/true deep/er/group; chmod 2755 deep/er/group;"
                            + " cp /bin/true plain; chmod 755 plain; cp /bin/true \"$1/both\"; chmod 6711 \"$1/both\"", "x",
                    scratch.toString()), LineListener.NONE).waitFor();

            assertThat(result.exitCode()).isZero();
            Path w = workspace.toRealPath();
            Path s = scratch.toRealPath();
            assertThat(result.setIds().cleared()).containsExactlyInAnyOrder(w.resolve("own"), w.resolve("deep/er/group"), s.resolve("both"));
            assertThat(result.setIds().failed()).isEmpty();
            assertThat(mode(workspace.resolve("own"))).isEqualTo(0755);
            assertThat(mode(workspace.resolve("deep/er/group"))).isEqualTo(0755);
            assertThat(mode(scratch.resolve("both"))).isEqualTo(0711);
            assertThat(mode(workspace.resolve("plain"))).isEqualTo(0755);
            assertThat(mode(outside)).isEqualTo(04755);
        }
    }

    @Test
    void anAttemptThatLeftNoneReportsNone() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxResult result = sandbox.start(SandboxSpec.builder(tmp).isolation(Isolation.OFF).workspaceWritable(true).build(),
                    List.of("bash", "-c", "cp /bin/true t; chmod 755 t"), LineListener.NONE).waitFor();
            assertThat(result.setIds().isEmpty()).isTrue();
        }
    }

    /** A symbolic link (to a directory or to a file) in the tree is never followed: what it points to is left alone. */
    @Test
    void aLinkToADirectoryOrFileElsewhereIsNotFollowed() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path victim = elsewhere.resolve("f");
        Files.writeString(victim, "x");
        Files.setAttribute(victim, "unix:mode", 04755);
        Files.createSymbolicLink(root.resolve("d"), elsewhere);
        Files.createSymbolicLink(root.resolve("l"), victim);

        assertThat(SetIdBits.clear(List.of(root)).isEmpty()).isTrue();
        assertThat(SetIdBits.clear(List.of(root), false).isEmpty()).isTrue();
        assertThat(mode(victim)).isEqualTo(04755);
    }

    /**
     * F1: a name in the tree for a set-uid file elsewhere (a hard link) must not turn the chmod onto that file; R4: that
     * name is replaced by a copy without the bits (SetIdBitsHardLinkTest).
     */
    @Test
    void aHardLinkIsReplacedByACopyTheFileElsewhereNotChanged() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path tool = Files.createDirectories(tmp.resolve("outside")).resolve("tool");
        Files.writeString(tool, "#!/bin/sh\n");
        Files.setAttribute(tool, "unix:mode", 04755);
        Files.createLink(root.resolve("innocent"), tool);
        Path own = root.resolve("own");
        Files.writeString(own, "x");
        Files.setAttribute(own, "unix:mode", 04755);

        SetIdBits.Cleared result = SetIdBits.clear(List.of(root));

        assertThat(mode(tool)).isEqualTo(04755);
        assertThat(result.failed()).isEmpty();
        assertThat(result.replaced()).containsExactly(root.toRealPath().resolve("innocent")
                + " (replaced by a copy without set-uid: it had 2 hard links)");
        assertThat(mode(root.resolve("innocent"))).isEqualTo(0755);
        assertThat(Files.readString(root.resolve("innocent"))).isEqualTo("#!/bin/sh\n");
        assertThat(result.cleared()).containsExactly(root.toRealPath().resolve("own"));
        assertThat(mode(own)).isEqualTo(0755);
    }

    /** F1: a bind mount in the tree (a chroot's /usr left mounted) is not descended into; the host's files stay as they are. */
    @Test
    void aMountPointIsNotDescendedInto() throws Exception {
        // CI's root leg runs this; mount(8) needs root
        org.junit.jupiter.api.Assumptions.assumeTrue(PidsCgroup.realUidIsRoot(), "mount --bind needs root");
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path usr = Files.createDirectories(root.resolve("chroot/usr"));
        Path victim = Files.createDirectories(tmp.resolve("victim")).resolve("hostsudo");
        Files.writeString(victim, "x");
        Files.setAttribute(victim, "unix:mode", 04755);
        Path file = root.resolve("chroot/su");
        Files.writeString(file, "x");
        Files.setAttribute(file, "unix:mode", 0644);
        run("mount", "--bind", victim.getParent().toString(), usr.toString());
        try {
            run("mount", "--bind", victim.toString(), file.toString());
            try {
                SetIdBits.Cleared result = SetIdBits.clear(List.of(root));
                assertThat(mode(victim)).isEqualTo(04755);
                assertThat(result.cleared()).isEmpty();
                assertThat(result.failed()).containsExactlyInAnyOrder(
                        root.toRealPath().resolve("chroot/usr") + " (could not be checked: a mount point, not descended into)",
                        root.toRealPath().resolve("chroot/su") + " (could not be checked: a mount point, not changed)");
            } finally {
                run("umount", file.toString());
            }
        } finally {
            run("umount", usr.toString());
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    /** F4: where the safe path is not available, nothing is changed: the files are only named. */
    @Test
    void withoutTheSafePathNothingIsChangedOnlyNamed() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path own = Files.createDirectories(root.resolve("d")).resolve("own");
        Files.writeString(own, "x");
        Files.setAttribute(own, "unix:mode", 02755);

        SetIdBits.Cleared result = SetIdBits.clear(List.of(root), false);

        assertThat(result.cleared()).isEmpty();
        assertThat(result.failed()).containsExactly(root.toRealPath().resolve("d/own")
                + " (not changed: no safe way to change it on this system)");
        assertThat(mode(own)).isEqualTo(02755);
    }

    /** F2: a set-uid file deeper than PATH_MAX (made with relative mkdir/cd) is cleared, or named: never skipped silently. */
    @Test
    void aFileDeeperThanPathMaxIsNotSkipped() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        String a = "a".repeat(110);
        String deep = "cd " + root + "; for i in $(seq 40); do cd " + a + "; done; ";
        run("bash", "-c", "set -e; cd " + root + "; for i in $(seq 40); do mkdir " + a + "; cd " + a + "; done; "
                + "cp /bin/true suid; chmod 4755 suid");
        try {
            deepIsClearedOrNamed(root, a, deep);
        } finally {
            run("rm", "-rf", root.toString()); // rm(1) walks by descriptor; the JDK's cleanup cannot reach that deep
        }
    }

    private static void deepIsClearedOrNamed(Path root, String a, String deep) throws Exception {
        SetIdBits.Cleared result = SetIdBits.clear(List.of(root));
        if (SetIdBits.clearBeneathIsSafe()) {
            assertThat(result.failed()).isEmpty();
            assertThat(result.cleared()).singleElement().asString().endsWith("/" + a + "/suid");
            Process p = new ProcessBuilder("bash", "-c", deep + "stat -c %a suid").start();
            assertThat(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim()).isEqualTo("755");
            p.waitFor();
        } else {
            assertThat(result.failed()).singleElement().asString().endsWith("/suid (not changed: no safe way to change it on this system)");
        }
    }

    /** F2: a subdirectory that cannot be listed (an ordinary user's chmod 000) is named, not skipped silently. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anUnlistableDirectoryIsNamed(boolean safe) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path closed = Files.createDirectories(root.resolve("closed"));
        Path file = closed.resolve("suid");
        Files.writeString(file, "x");
        Files.setAttribute(file, "unix:mode", 04755);
        Files.setAttribute(closed, "unix:mode", 0);
        try {
            SetIdBits.Cleared result = SetIdBits.clear(List.of(root), safe && SetIdBits.clearBeneathIsSafe());
            if (PidsCgroup.realUidIsRoot()) { // root lists it anyway: the file itself is cleared or named
                assertThat(result.cleared().size() + result.failed().size()).isEqualTo(1);
            } else {
                assertThat(result.cleared()).isEmpty();
                assertThat(result.failed()).containsExactly(root.toRealPath().resolve("closed")
                        + " (could not be checked: cannot be listed: permission denied (EACCES))");
            }
        } finally {
            Files.setAttribute(closed, "unix:mode", 0755);
        }
    }

    @Test
    void theWarningNamesTheFilesMaskedAndCountsThoseBeyondTwenty() {
        List<Path> many = java.util.stream.IntStream.range(0, 23).mapToObj(i -> Path.of("/w/f" + i)).toList();
        String one = SetIdBits.warning(2, new SetIdBits.Cleared(List.of(Path.of("/w/tok-s3cret\nx")), List.of()), Set.of("s3cret"),
                List.of(Path.of("/run/scratch")));
        assertThat(one).isEqualTo("after attempt 2, it left a file set-user-id or set-group-id in the directories it could write, "
                + "which would run as the file's owner (or group) for anyone who ran it on the host; Swarmflow cleared those bits "
                + "(chmod u-s,g-s): /w/tok-***?x");
        assertThat(SetIdBits.warning(1, new SetIdBits.Cleared(many, List.of("/w/g (left set-uid: hard link)")), Set.of(), List.of()))
                .contains("/w/f19 and 3 more; and set-user-id or set-group-id files that Swarmflow did not change, or "
                        + "directories it could not check for them, are in the directories it could write: /w/g (left set-uid: "
                        + "hard link); do not run such files, and remove them (rm removes only that name; chmod u-s,g-s would "
                        + "also change the file's other hard links)")
                .doesNotContain("/w/f20");
    }

    /**
     * The run's scratch directory is written by all its tickets: a file found there is not said to be this attempt's; where
     * the caller does not say which directories are shared, no file is.
     */
    @Test
    void aFileInTheRunsSharedDirectoryIsNotBlamedOnThisAttempt() {
        SetIdBits.Cleared cleared = new SetIdBits.Cleared(List.of(Path.of("/w/own"), Path.of("/run/scratch/t")), List.of());
        assertThat(SetIdBits.warning(3, cleared, Set.of(), List.of(Path.of("/run/scratch")))).isEqualTo("after attempt 3, it left "
                + "a file set-user-id or set-group-id in the directories it could write, which would run as the file's owner (or "
                + "group) for anyone who ran it on the host; Swarmflow cleared those bits (chmod u-s,g-s): /w/own; and a file in "
                + "the run's shared directory (written by this or another ticket) was set-user-id or set-group-id, which would "
                + "run as the file's owner (or group) for anyone who ran it on the host; Swarmflow cleared those bits (chmod "
                + "u-s,g-s): /run/scratch/t");
        assertThat(SetIdBits.warning(3, cleared, Set.of())).startsWith("after attempt 3, 2 files in the directories it could "
                + "write (written by it, or, in the run's shared directory, by this or another ticket) were set-user-id or "
                + "set-group-id, which").doesNotContain("it left");
    }
}
