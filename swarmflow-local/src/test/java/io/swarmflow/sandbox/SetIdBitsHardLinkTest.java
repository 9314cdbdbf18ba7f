package io.swarmflow.sandbox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * R4: a ticket's {@code cp /bin/sh a; chmod 4755 a; ln a b} must not keep a set-uid file on the host. A set-uid file with
 * more than one hard link is never changed in place (another name may be a host's set-uid tool); each of its names in
 * the walked directories is replaced by a copy without the bits, and a name elsewhere keeps the inode as it was. Runs as
 * root and as an ordinary user (CI runs both).
 */
class SetIdBitsHardLinkTest {
    /** Under target/, not /tmp: the files here are 64 MiB long (UnderTarget, review D5 #8). */
    @TempDir(factory = UnderTarget.class)
    Path tmp;

    @AfterEach
    void noHook() {
        SetIdBits.beforeRename = null;
        SetIdBits.copyErrno = null;
        SetIdBits.beforeUnlink = null;
    }

    private static Object attribute(Path file, String name) throws Exception {
        return Files.getAttribute(file, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path file) throws Exception {
        return (Integer) attribute(file, "mode") & 07777;
    }

    private static byte[] content() {
        byte[] bytes = new byte[200_000]; // more than one buffer of the copy
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31 + i / 7);
        return bytes;
    }

    /** A set-uid file {@code outside/tool} (a sibling of the walked directory, same file system) and its links in {@code ws}. */
    private Path tool(String... links) throws Exception {
        Path tool = Files.createDirectories(tmp.resolve("outside")).resolve("tool");
        Files.write(tool, content());
        if (PidsCgroup.realUidIsRoot()) { // the copy gets the file's owner and group
            Files.setAttribute(tool, "unix:uid", 12345);
            Files.setAttribute(tool, "unix:gid", 12346);
        }
        Files.setAttribute(tool, "unix:mode", 06755);
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        for (String link : links) Files.createLink(ws.resolve(link), tool);
        return tool;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachNameInTheWalkedDirectoryBecomesACopyWithoutTheBitsTheNameOutsideKeepsTheFile() throws Exception {
        Path tool = tool("a", "b");
        Object inode = attribute(tool, "ino");
        Path ws = tmp.resolve("ws");

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        Path real = ws.toRealPath();
        assertThat(result.failed()).isEmpty();
        assertThat(result.cleared()).isEmpty();
        // the first name found had 3 links (a, b, tool), the second 2 (itself and tool)
        assertThat(result.replaced()).containsExactlyInAnyOrder(
                real.resolve("a") + " (replaced by a copy without set-uid: it had " + (result.replaced().get(0).startsWith(real + "/a ") ? 3 : 2) + " hard links)",
                real.resolve("b") + " (replaced by a copy without set-uid: it had " + (result.replaced().get(0).startsWith(real + "/b ") ? 3 : 2) + " hard links)");
        for (String name : List.of("a", "b")) {
            Path copy = ws.resolve(name);
            assertThat(mode(copy)).as(name).isEqualTo(0755);
            assertThat(Files.readAllBytes(copy)).as(name).isEqualTo(content());
            assertThat(attribute(copy, "ino")).as(name).isNotEqualTo(inode);
            assertThat(attribute(copy, "nlink")).as(name).isEqualTo(1);
            assertThat(attribute(copy, "uid")).as(name).isEqualTo(attribute(tool, "uid"));
            assertThat(attribute(copy, "gid")).as(name).isEqualTo(attribute(tool, "gid"));
        }
        assertThat(attribute(ws.resolve("a"), "ino")).isNotEqualTo(attribute(ws.resolve("b"), "ino"));
        assertThat(mode(tool)).isEqualTo(06755);
        assertThat(attribute(tool, "ino")).isEqualTo(inode);
        assertThat(Files.readAllBytes(tool)).isEqualTo(content());
        assertThat(names(ws)).containsExactly("a", "b"); // no copy left behind
        assertThat(SetIdBits.warning(1, result, Set.of(), List.of())).contains("2 files set-user-id or set-group-id with "
                + "more than one hard link were in the directories it could write; Swarmflow replaced each such name by a "
                + "copy without those bits, or removed it where no copy could be made, leaving the file's other names as "
                + "they were: " + real);
    }

    /** R4 as a ticket does it: {@code cp /bin/true a; chmod 4755 a; ln a b}, with bubblewrap and without: neither stays set-uid. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTicketsLnDoesNotKeepASetUidFile(boolean bubblewrap) throws Exception {
        Bubblewrap.Status status = bubblewrap ? Bubblewrap.probe() : Bubblewrap.Status.unavailable("off in this test");
        // CI has bubblewrap: this assumption holds there
        org.junit.jupiter.api.Assumptions.assumeTrue(status.usable() || !bubblewrap, () -> "bubblewrap is not usable here: " + status.problem());
        Path workspace = Files.createDirectories(tmp.resolve("worktree"));
        try (Sandbox sandbox = new Sandbox(status, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(bubblewrap ? Isolation.REQUIRED : Isolation.OFF)
                    .workspaceWritable(true).build();
            SandboxResult result = sandbox.start(spec, List.of("bash", "-c", "set -e; cp /bin/true a; chmod 4755 a; ln a b"),
                    LineListener.NONE).waitFor();

            assertThat(result.exitCode()).isZero();
            assertThat(result.setIds().failed()).isEmpty();
            assertThat(result.setIds().replaced().size() + result.setIds().cleared().size()).isEqualTo(2);
            assertThat(result.setIds().replaced()).isNotEmpty();
            byte[] content = Files.readAllBytes(Path.of("/bin/true"));
            for (String name : List.of("a", "b")) {
                assertThat(mode(workspace.resolve(name))).as(name).isEqualTo(0755);
                assertThat(Files.readAllBytes(workspace.resolve(name))).as(name).isEqualTo(content);
            }
        }
    }

    /** Two names both in the walked directory: the file survives under both, without the bits. */
    @Test
    void twoNamesBothInTheWalkedDirectoryBothEndWithoutTheBits() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.write(ws.resolve("a"), content());
        Files.setAttribute(ws.resolve("a"), "unix:mode", 04755);
        Files.createLink(ws.resolve("b"), ws.resolve("a"));

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).isEmpty();
        // the first name found is replaced by a copy; the second then has one link left and is cleared in place
        assertThat(result.replaced()).hasSize(1);
        assertThat(result.cleared()).hasSize(1);
        for (String name : List.of("a", "b")) {
            assertThat(mode(ws.resolve(name))).as(name).isEqualTo(0755);
            assertThat(Files.readAllBytes(ws.resolve(name))).as(name).isEqualTo(content());
        }
        assertThat(names(ws)).containsExactly("a", "b");
    }

    /**
     * The copy cannot be made (a read-only directory: a read-only bind mount as root, which writes a chmod 555 directory
     * anyway; chmod 555 as an ordinary user), and the name cannot be removed either: the file is left as it was, and named.
     */
    @Test
    void whenTheCopyCannotBeMadeTheFileIsLeftAsItWasAndNamed() throws Exception {
        Path tool = tool("a");
        Object inode = attribute(tool, "ino");
        Path ws = tmp.resolve("ws");
        boolean root = PidsCgroup.realUidIsRoot();
        Path walked = root ? Files.createDirectories(tmp.resolve("ro")) : ws;
        if (root) {
            run("mount", "--bind", ws.toString(), walked.toString());
            run("mount", "-o", "remount,ro,bind", walked.toString());
        } else {
            Files.setAttribute(ws, "unix:mode", 0555);
        }
        try {
            SetIdBits.Cleared result = SetIdBits.clear(List.of(walked));

            assertThat(result.cleared()).isEmpty();
            assertThat(result.replaced()).isEmpty();
            String why = root ? "read-only file system (EROFS)" : "permission denied (EACCES)";
            assertThat(result.failed()).containsExactly(walked.toRealPath().resolve("a")
                    + " (left set-uid: a hard link, not replaced by a copy: the copy cannot be created: " + why + ")");
        } finally {
            if (root) run("umount", walked.toString());
            else Files.setAttribute(ws, "unix:mode", 0755);
        }
        assertThat(mode(ws.resolve("a"))).isEqualTo(06755);
        assertThat(attribute(ws.resolve("a"), "ino")).isEqualTo(inode);
        assertThat(mode(tool)).isEqualTo(06755);
        assertThat(names(ws)).containsExactly("a");
    }

    /**
     * A copy that fails for a reason other than size (the coordinator's full disk, here made by a test hook) in a
     * writable directory: the name is not removed, but left as it was and named.
     */
    @Test
    void aCopyThatFailsForAReasonOtherThanSizeLeavesTheNameAndNamesIt() throws Exception {
        Path tool = tool("a");
        Object inode = attribute(tool, "ino");
        Path ws = tmp.resolve("ws");
        SetIdBits.copyErrno = shown -> 28; // ENOSPC

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.replaced()).isEmpty();
        assertThat(result.failed()).containsExactly(ws.toRealPath().resolve("a")
                + " (left set-uid: a hard link, not replaced by a copy: the copy cannot be written: no space left on device (ENOSPC))");
        assertThat(names(ws)).containsExactly("a");
        assertThat(mode(ws.resolve("a"))).isEqualTo(06755);
        assertThat(attribute(ws.resolve("a"), "ino")).isEqualTo(inode);
        assertThat(attribute(tool, "nlink")).isEqualTo(2);
    }

    /** A failure after the copy was written (here: just before its rename) removes the copy; the file stays as it was. */
    @Test
    void aFailureBeforeTheRenameRemovesTheCopy() throws Exception {
        Path tool = tool("a");
        Object inode = attribute(tool, "ino");
        Path ws = tmp.resolve("ws");
        SetIdBits.beforeRename = shown -> {
            try {
                assertThat(names(ws)).hasSize(2).contains("a"); // the copy is there, beside it
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("failed for the test");
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).containsExactly(ws.toRealPath().resolve("a") + " (failed for the test)");
        assertThat(result.replaced()).isEmpty();
        assertThat(names(ws)).containsExactly("a");
        assertThat(mode(ws.resolve("a"))).isEqualTo(06755);
        assertThat(attribute(ws.resolve("a"), "ino")).isEqualTo(inode);
        assertThat(attribute(tool, "nlink")).isEqualTo(2);
    }

    /**
     * A hard link larger than 64 MiB is not copied (a ticket cannot make the end of its attempt copy gigabytes): that name
     * is removed instead; the name outside keeps the file as it was.
     */
    @Test
    void aHardLinkLargerThanTheBoundIsNotCopiedButRemoved() throws Exception {
        Path tool = tool("a");
        try (RandomAccessFile file = new RandomAccessFile(tool.toFile(), "rw")) {
            file.setLength(SetIdBits.MAX_COPY + 1); // sparse: nothing written
        }
        Files.setAttribute(tool, "unix:mode", 04755); // a write as root may have cleared the bits
        Path ws = tmp.resolve("ws");

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).isEmpty();
        assertThat(result.replaced()).containsExactly(ws.toRealPath().resolve("a")
                + " (removed: a set-uid file with 2 hard links that could not be copied (larger than 64 MiB))");
        assertThat(names(ws)).isEmpty();
        assertThat(mode(tool)).isEqualTo(04755);
        assertThat(attribute(tool, "nlink")).isEqualTo(1);
    }

    /**
     * Two walks at once (a shared scratch), simulated in sequence: just before this walk removes its name of a file too
     * large to copy, the file's other name is removed (as the other walk would). This name is now the only one, so it is
     * not removed but cleared in place: the file survives.
     */
    @Test
    void aNameThatBecameTheLastOneIsClearedInPlaceNotRemoved() throws Exception {
        Path tool = tool("a");
        try (RandomAccessFile file = new RandomAccessFile(tool.toFile(), "rw")) {
            file.setLength(SetIdBits.MAX_COPY + 1); // sparse: nothing written
        }
        Files.setAttribute(tool, "unix:mode", 04755);
        Path ws = tmp.resolve("ws");
        SetIdBits.beforeUnlink = shown -> {
            try {
                Files.delete(tool);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).isEmpty();
        assertThat(result.replaced()).isEmpty();
        assertThat(result.cleared()).containsExactly(ws.toRealPath().resolve("a"));
        assertThat(names(ws)).containsExactly("a");
        assertThat(mode(ws.resolve("a"))).isEqualTo(0755);
        assertThat(attribute(ws.resolve("a"), "nlink")).isEqualTo(1);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
