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
        SetIdBits.statxErrnoOf = null;
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

    /**
     * One file whose statx(2) fails with EPERM (a FUSE server's getattr, an LSM such as TOMOYO) while a statx of
     * {@code /} succeeds: that file is named with EPERM, the rest of the walk (and every later one) still uses statx.
     */
    @Test
    void anEpermOfOneFileIsThatFilesErrorAndDoesNotSwitchAwayFromStatx() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path a = Files.writeString(ws.resolve("a"), "x");
        Path b = Files.writeString(ws.resolve("b"), "y");
        Files.setAttribute(a, "unix:mode", 04755);
        Files.setAttribute(b, "unix:mode", 04755);
        SetIdBits.statxErrnoOf = name -> name.equals("a") ? 1 : 0; // EPERM for "a" only

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).containsExactly(ws.toRealPath().resolve("a")
                + " (could not be checked: operation not permitted (EPERM))");
        assertThat(result.cleared()).containsExactly(ws.toRealPath().resolve("b"));
        assertThat(mode(a)).isEqualTo(04755);
        assertThat(mode(b)).isEqualTo(0755);
        assertThat(SetIdBits.statxMissing).isFalse();
    }

    /**
     * Under a real seccomp filter that fails statx(2) with EPERM (old Docker's default profile; installed here on the
     * walking thread only, which ends with the walk), the walk still clears and replaces, also on JDK 22 and later,
     * whose own file attributes are read with glibc's statx and so fail there too.
     */
    @Test
    void underASeccompFilterWithoutStatxTheWalkStillClears() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path sub = Files.createDirectories(ws.resolve("sub"));
        Path a = Files.writeString(sub.resolve("a"), "x");
        Files.setAttribute(a, "unix:mode", 04755);
        Path tool = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("tool"), "y");
        Files.setAttribute(tool, "unix:mode", 04755);
        Files.createLink(ws.resolve("b"), tool);
        Path real = ws.toRealPath();
        Path realSub = sub.toRealPath();

        java.util.concurrent.FutureTask<SetIdBits.Cleared> walk = new java.util.concurrent.FutureTask<>(() -> {
            denyStatxOnThisThread();
            return SetIdBits.clear(List.of(real));
        });
        Thread thread = new Thread(walk, "walk without statx");
        thread.start();
        SetIdBits.Cleared result = walk.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(result.failed()).isEmpty();
        assertThat(result.cleared()).containsExactly(realSub.resolve("a"));
        assertThat(result.replaced()).containsExactly(real.resolve("b") + " (replaced by a copy without set-uid: it had 2 hard links)");
        assertThat(mode(a)).isEqualTo(0755);
        assertThat(mode(ws.resolve("b"))).isEqualTo(0755);
        assertThat(mode(tool)).isEqualTo(04755);
        assertThat(SetIdBits.statxMissing).isTrue();
    }

    /**
     * Installs, on the calling thread only (no TSYNC), a seccomp filter that fails statx(2) with EPERM and allows
     * every other system call; prctl(PR_SET_NO_NEW_PRIVS) first, as an ordinary user needs it.
     */
    private static void denyStatxOnThisThread() {
        int statx = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 332;
            case "aarch64", "arm64" -> 291;
            default -> throw new IllegalStateException("no statx number for " + System.getProperty("os.arch"));
        };
        com.sun.jna.Function prctl = com.sun.jna.Function.getFunction("c", "prctl", com.sun.jna.Function.THROW_LAST_ERROR);
        prctl.invokeInt(new Object[] {38, 1L, 0L, 0L, 0L}); // PR_SET_NO_NEW_PRIVS
        com.sun.jna.Memory filter = new com.sun.jna.Memory(4 * 8);
        int[][] program = {
                {0x20, 0, 0, 0}, // BPF_LD | BPF_W | BPF_ABS: seccomp_data.nr
                {0x15, 0, 1, statx}, // BPF_JMP | BPF_JEQ | BPF_K: statx? next : skip one
                {0x06, 0, 0, 0x00050000 | 1}, // BPF_RET: SECCOMP_RET_ERRNO | EPERM
                {0x06, 0, 0, 0x7fff0000}, // BPF_RET: SECCOMP_RET_ALLOW
        };
        for (int i = 0; i < program.length; i++) {
            filter.setShort(i * 8L, (short) program[i][0]);
            filter.setByte(i * 8L + 2, (byte) program[i][1]);
            filter.setByte(i * 8L + 3, (byte) program[i][2]);
            filter.setInt(i * 8L + 4, program[i][3]);
        }
        com.sun.jna.Memory fprog = new com.sun.jna.Memory(16);
        fprog.clear();
        fprog.setShort(0, (short) program.length);
        fprog.setPointer(8, filter);
        prctl.invokeInt(new Object[] {22, 2L, fprog, 0L, 0L}); // PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    }
}
