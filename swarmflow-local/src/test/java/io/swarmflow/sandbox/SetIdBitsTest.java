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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /**
     * A directory swapped for a symbolic link between the walk and the change (another ticket sharing the directory) must
     * not turn the chmod onto a file elsewhere.
     */
    @Test
    void aDirectorySwappedForALinkIsNotFollowedByTheChange() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path victim = elsewhere.resolve("f");
        Files.writeString(victim, "x");
        Files.setAttribute(victim, "unix:mode", 04755);
        Files.createSymbolicLink(root.resolve("d"), elsewhere);
        Files.createSymbolicLink(root.resolve("l"), victim);

        if (SetIdBits.clearBeneathIsSafe()) {
            assertThatThrownBy(() -> SetIdBits.clearBeneath(root.toRealPath(), Path.of("d/f"))).hasMessageContaining("d");
        }
        assertThat(SetIdBits.clearBeneath(root.toRealPath(), Path.of("l"))).isFalse();
        assertThat(SetIdBits.clear(List.of(root)).isEmpty()).isTrue();
        assertThat(mode(victim)).isEqualTo(04755);
    }

    @Test
    void theWarningNamesTheFilesMaskedAndCountsThoseBeyondTwenty() {
        List<Path> many = java.util.stream.IntStream.range(0, 23).mapToObj(i -> Path.of("/w/f" + i)).toList();
        String one = SetIdBits.warning(2, new SetIdBits.Cleared(List.of(Path.of("/w/tok-s3cret\nx")), List.of()), Set.of("s3cret"));
        assertThat(one).isEqualTo("attempt 2 left a file set-user-id or set-group-id in the directories it could write, which "
                + "would run as the file's owner (or group) for anyone who ran it on the host; Swarmflow cleared those bits "
                + "(chmod u-s,g-s): /w/tok-***?x");
        assertThat(SetIdBits.warning(1, new SetIdBits.Cleared(many, List.of("/w/g (errno 13)")), Set.of()))
                .contains("/w/f19 and 3 more; and a file set-user-id or set-group-id that Swarmflow could not change: "
                        + "/w/g (errno 13); do not run it, and remove it (or chmod u-s,g-s)")
                .doesNotContain("/w/f20");
    }
}
