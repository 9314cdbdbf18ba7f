package io.swarmflow.sandbox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a kernel without statx(2) (older than 4.11: ENOSYS) or under a seccomp filter without it (old Docker's default
 * profile: EPERM), both forced here by a test hook, the walk still clears, through the JDK.
 */
class SetIdBitsNoStatxTest {
    @TempDir
    Path tmp;

    @AfterEach
    void statxAgain() {
        SetIdBits.forcedStatxErrno = 0;
        SetIdBits.statxMissing = false;
        SetIdBits.afterOpen = null;
        SetIdBits.afterStatx = null;
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** ENOSYS (38): a kernel older than 4.11; EPERM (1): a seccomp filter that does not allow statx. */
    @ParameterizedTest
    @ValueSource(ints = {38, 1})
    void withoutStatxASetUidFileIsStillClearedAndAHardLinkReplaced(int errno) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path sub = Files.createDirectories(ws.resolve("sub"));
        Path a = Files.writeString(sub.resolve("a"), "x");
        Files.setAttribute(a, "unix:mode", 04755);
        Path tool = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("tool"), "y");
        Files.setAttribute(tool, "unix:mode", 04755);
        Files.createLink(ws.resolve("b"), tool);
        Files.createSymbolicLink(ws.resolve("link"), tool);
        SetIdBits.forcedStatxErrno = errno;

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).isEmpty();
        assertThat(result.cleared()).containsExactly(sub.toRealPath().resolve("a"));
        assertThat(result.replaced()).containsExactly(ws.toRealPath().resolve("b")
                + " (replaced by a copy without set-uid: it had 2 hard links)");
        assertThat(mode(a)).isEqualTo(0755);
        assertThat(mode(ws.resolve("b"))).isEqualTo(0755);
        assertThat(mode(tool)).isEqualTo(04755);
        assertThat(SetIdBits.statxMissing).isTrue();
    }

    /** Another error of statx (EACCES: a directory that cannot be searched) is that file's error, not a missing statx. */
    @Test
    void anotherStatxErrorIsNamedAndDoesNotSwitchToTheJdk() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path a = Files.writeString(ws.resolve("a"), "x");
        Files.setAttribute(a, "unix:mode", 04755);
        SetIdBits.forcedStatxErrno = 13; // EACCES

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).containsExactly(ws.toRealPath()
                + " (could not be checked: its entries cannot be looked at: permission denied (EACCES))");
        assertThat(result.cleared()).isEmpty();
        assertThat(mode(a)).isEqualTo(04755);
        assertThat(SetIdBits.statxMissing).isFalse();
    }

    /**
     * The look again at a set-uid file's name under its lock fails with EACCES; a JNA call made before the errno is
     * read (here one that leaves ENOENT, as a virtual thread resumed on another carrier would see that carrier's) must
     * not turn it into "removed meanwhile" (not named): the errno is taken at the failing call, and the file named.
     */
    @Test
    void theErrnoOfAFailedLookIsTakenAtOnceNotAfterOtherCalls() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path a = Files.writeString(ws.resolve("a"), "x");
        Files.setAttribute(a, "unix:mode", 04755);
        SetIdBits.afterOpen = shown -> SetIdBits.forcedStatxErrno = 13; // EACCES from the next statx on: the re-check
        SetIdBits.afterStatx = () -> com.sun.jna.Native.setLastError(2); // ENOENT

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).containsExactly(ws.toRealPath().resolve("a")
                + " (could not be checked: permission denied (EACCES))");
        assertThat(result.cleared()).isEmpty();
        assertThat(mode(a)).isEqualTo(04755);
        assertThat(SetIdBits.statxMissing).isFalse();
    }
}
