package io.swarmflow.sandbox;

import com.sun.jna.Memory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review D1 of the copies of set-uid hard links: a total copy budget per walk (F1), a name that cannot be copied is
 * removed, not left set-uid (F2), statx through syscall(2) (F5), errno names (F4), no named copy while copying (F3), and
 * what is said when the name changes meanwhile (F6, F7). Runs as root and as an ordinary user (CI runs both).
 */
class SetIdBitsCopyBudgetTest {
    /** Under target/, not /tmp: the files here are 64 MiB long (UnderTarget, review D5 #8). */
    @TempDir(factory = UnderTarget.class)
    Path tmp;

    @AfterEach
    void noHooks() {
        SetIdBits.beforeRename = null;
        SetIdBits.beforeOpen = null;
        SetIdBits.afterCopy = null;
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** A sparse set-uid file {@code ws/a} of {@code size} bytes, with {@code links} more names in {@code ws}. */
    private Path sparse(long size, int links) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path a = ws.resolve("a");
        try (RandomAccessFile file = new RandomAccessFile(a.toFile(), "rw")) {
            file.write(new byte[] {0x7f, 'E', 'L', 'F'});
            file.setLength(size); // sparse: almost nothing on disk
        }
        Files.setAttribute(a, "unix:mode", 04755);
        for (int i = 1; i <= links; i++) Files.createLink(ws.resolve("l" + i), a);
        return ws;
    }

    private static void noSetUidName(Path ws) throws Exception {
        for (String name : names(ws)) assertThat(mode(ws.resolve(name)) & 06000).as(name).isZero();
    }

    /** Review D5 #8: the 64 MiB files of these tests are made under the module's target/, not in /tmp. */
    @Test
    void itsFilesAreMadeUnderTarget() throws Exception {
        assertThat(tmp.toRealPath()).startsWith(Files.createDirectories(UnderTarget.base()).toRealPath());
    }

    /** F1: 8 more links of a sparse 64 MiB file: the walk copies at most 64 MiB in all, and leaves no set-uid name. */
    @Test
    void manyLinksOfASparseFileCopyNoMoreThanTheBudget() throws Exception {
        Path ws = sparse(SetIdBits.MAX_COPY, 8);
        AtomicLong copied = new AtomicLong();
        SetIdBits.afterCopy = copied::addAndGet;

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(copied.get()).isLessThanOrEqualTo(64L * 1024 * 1024); // not 8 x 64 MiB
        assertThat(result.failed()).isEmpty();
        assertThat(result.replaced()).anyMatch(r -> r.contains("(removed: a set-uid file with ")
                && r.endsWith(" hard links that could not be copied (the copies of this walk already took 64 MiB))"));
        noSetUidName(ws);
    }

    /** F2: a file padded past 64 MiB with two names, both in the walked directory: no set-uid name is left. */
    @Test
    void aTooLargeFileWithTwoNamesKeepsNoSetUidName() throws Exception {
        Path ws = sparse(65L * 1024 * 1024, 1);

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).isEmpty();
        assertThat(result.replaced()).hasSize(1).allMatch(r ->
                r.endsWith(" (removed: a set-uid file with 2 hard links that could not be copied (larger than 64 MiB))"));
        assertThat(result.cleared()).hasSize(1); // the other name, with one link left, cleared in place
        assertThat(names(ws)).hasSize(1);
        noSetUidName(ws);
    }

    /** F5: statx goes through syscall(2) (glibc has a statx function only since 2.28), and gives the mode Files gives. */
    @Test
    void statxIsCalledThroughSyscallNotGlibcsSymbol() throws Exception {
        Class<?> libc = Arrays.stream(SetIdBits.class.getDeclaredClasses())
                .filter(c -> c.getSimpleName().equals("LibC")).findFirst().orElseThrow();
        assertThat(Arrays.stream(libc.getDeclaredMethods()).map(Method::getName)).doesNotContain("statx");

        Path file = Files.createFile(tmp.resolve("f"));
        Files.setAttribute(file, "unix:mode", 04751);
        byte[] path = (file.toString() + "\0").getBytes(StandardCharsets.UTF_8);
        try (Memory stat = new Memory(256)) {
            assertThat(SetIdBits.statx(-100, path, 0x100, 0x2, stat)).isZero();
            assertThat(stat.getShort(28) & 0xffff).isEqualTo((Integer) Files.getAttribute(file, "unix:mode"));
        }
    }

    /** F4: every errno the walk's calls can return is named. */
    @Test
    void errnosHaveNames() {
        for (int errno : new int[] {1, 2, 4, 5, 9, 11, 12, 13, 16, 17, 18, 20, 21, 22, 23, 24, 26, 27, 28, 30, 31, 36, 38,
                40, 95, 116, 122}) {
            assertThat(SetIdBits.reason(errno)).as("errno " + errno).matches(".*\\(E[A-Z0-9]+\\)");
        }
        assertThat(SetIdBits.reason(122)).isEqualTo("disk quota exceeded (EDQUOT)");
        assertThat(SetIdBits.reason(21)).endsWith("(EISDIR)");
    }

    /** F3: while the copy is written it has no name, so a coordinator dying then leaves nothing in the directory. */
    @Test
    void theCopyHasNoNameWhileItIsWritten() throws Exception {
        Path ws = sparse(100_000, 1);
        List<String> before = names(ws);
        AtomicInteger copies = new AtomicInteger();
        SetIdBits.afterCopy = bytes -> {
            copies.incrementAndGet();
            try {
                assertThat(names(ws)).isEqualTo(before);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(copies.get()).isEqualTo(1);
        assertThat(result.failed()).isEmpty();
        assertThat(names(ws)).isEqualTo(before);
        noSetUidName(ws);
    }

    /** F6: another ticket swaps the copy's temporary name before the rename: the name is not said to be replaced. */
    @Test
    void aSwappedCopyIsNotReportedAsReplaced() throws Exception {
        Path ws = sparse(1000, 0);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createLink(outside.resolve("tool"), ws.resolve("a"));
        SetIdBits.beforeRename = shown -> {
            SetIdBits.beforeRename = null;
            try {
                Path copy;
                try (Stream<Path> files = Files.list(ws)) {
                    copy = files.filter(f -> f.getFileName().toString().startsWith(".swarm-setid-copy-")).findFirst().orElseThrow();
                }
                Files.move(copy, outside.resolve("stolen"), StandardCopyOption.ATOMIC_MOVE);
                Files.writeString(copy, "evil");
                Files.setAttribute(copy, "unix:mode", 04755);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        String a = ws.toRealPath().resolve("a").toString();
        assertThat(result.replaced()).noneMatch(r -> r.startsWith(a + " "));
        assertThat(result.failed()).contains(a + " (could not be checked: its name was replaced meanwhile by another file "
                + "while the copy was renamed onto it; that file was not checked)");
    }

    /** F7: another walk of the same directory replaced the name meanwhile: not named as "not changed". */
    @Test
    void aNameAnotherWalkAlreadyClearedIsNotNamed() throws Exception {
        Path ws = sparse(1000, 0);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createLink(outside.resolve("tool"), ws.resolve("a"));
        AtomicInteger opens = new AtomicInteger();
        List<SetIdBits.Cleared> other = new java.util.ArrayList<>();
        SetIdBits.beforeOpen = shown -> {
            if (opens.incrementAndGet() == 2) { // the O_RDONLY open for the copy: another attempt's walk runs now
                SetIdBits.beforeOpen = null;
                other.add(SetIdBits.clear(List.of(ws)));
            }
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(other).hasSize(1);
        assertThat(other.get(0).replaced()).hasSize(1);
        assertThat(result.failed()).isEmpty();
        assertThat(result.replaced()).isEmpty();
        noSetUidName(ws);
        assertThat(mode(outside.resolve("tool"))).isEqualTo(04755);
    }
}
