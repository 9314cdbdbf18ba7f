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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two attempts ending at once walk the run's shared scratch (or two directories that each hold a name of one file) at
 * the same time. Their handling of one set-uid file's hard links must not add up to harm: both removing their name of
 * a file too large to copy (the file lost), or one clearing in place a file whose name in the walked directory the
 * other just replaced by a copy (the file's name left outside, a host's set-uid tool, changed). The walks are
 * interleaved deterministically through the class's test hooks and latches. Runs as root and as an ordinary user.
 */
class SetIdBitsConcurrentWalksTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @AfterEach
    void noHook() {
        SetIdBits.afterOpen = null;
        SetIdBits.beforeUnlinkAt = null;
        SetIdBits.afterRecheck = null;
        SetIdBits.beforeLock = null;
    }

    private static Object attribute(Path file, String name) throws Exception {
        return Files.getAttribute(file, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path file) throws Exception {
        return (Integer) attribute(file, "mode") & 07777;
    }

    /** {@link SetIdBits#clear} of {@code root} on a thread of its own, started. */
    private static FutureTask<SetIdBits.Cleared> walk(Path root, Thread[] thread) {
        return walk(root, thread, false);
    }

    /** {@link SetIdBits#clear} of {@code root} on a thread of its own, virtual (as the walks run) or not, started. */
    private static FutureTask<SetIdBits.Cleared> walk(Path root, Thread[] thread, boolean virtual) {
        FutureTask<SetIdBits.Cleared> task = new FutureTask<>(() -> SetIdBits.clear(List.of(root)));
        thread[0] = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).name("walk of " + root.getFileName()).unstarted(task);
        thread[0].start();
        return task;
    }

    private static void awaitOrFail(CountDownLatch latch, String what) {
        try {
            if (!latch.await(LONG.toSeconds(), TimeUnit.SECONDS)) throw new IllegalStateException("timed out: " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first walk has opened its name of the file (a link of a host's set-uid tool) and is about to read its
     * attributes when the second walk replaces that name by a copy: the file looked at now has one link left, the
     * host's. The first walk must not clear it in place.
     */
    @Test
    void aWalkDoesNotClearInPlaceAFileWhoseNameAnotherWalkJustReplaced() throws Exception {
        Path tool = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("tool"), "a set-uid tool");
        Files.setAttribute(tool, "unix:mode", 04755);
        Object inode = attribute(tool, "ino");
        Path ws = Files.createDirectories(tmp.resolve("scratch"));
        Files.createLink(ws.resolve("a"), tool);
        CountDownLatch firstOpened = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        Thread[] first = new Thread[1];
        SetIdBits.afterOpen = shown -> {
            if (Thread.currentThread() != first[0]) return;
            firstOpened.countDown();
            awaitOrFail(secondDone, "the second walk");
        };

        FutureTask<SetIdBits.Cleared> firstWalk = walk(ws, first);
        awaitOrFail(firstOpened, "the first walk's open");
        SetIdBits.Cleared second = SetIdBits.clear(List.of(ws));
        secondDone.countDown();
        SetIdBits.Cleared firstResult = firstWalk.get(LONG.toSeconds(), TimeUnit.SECONDS);

        Path a = ws.toRealPath().resolve("a");
        assertThat(mode(tool)).as("the host's name of the file").isEqualTo(04755);
        assertThat(second.failed()).isEmpty();
        assertThat(second.replaced()).containsExactly(a + " (replaced by a copy without set-uid: it had 2 hard links)");
        // the name was replaced by the other walk and is no longer set-uid: not listed
        assertThat(firstResult.isEmpty()).as(firstResult.toString()).isTrue();
        assertThat(attribute(tool, "ino")).isEqualTo(inode);
        assertThat(attribute(tool, "nlink")).isEqualTo(1);
        assertThat(mode(a)).isEqualTo(0755);
        assertThat(Files.readString(a)).isEqualTo("a set-uid tool");
        assertThat(SetIdBits.inodeLocksHeld()).as("file locks left behind").isZero();
    }

    /**
     * A file too large to copy has one name in each of two walked directories (two attempts' writable directories),
     * walked at once. The first walk has found that its name is the file and another name is left, and is about to
     * remove its name, when the second walk looks at its own: it must not also find another name left and remove it
     * (the file would be lost); it waits for the first walk, then finds its name the only one and clears it in place.
     * Both walks on platform threads, and on virtual threads as in the coordinator (the waiting one parks).
     */
    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void twoWalksDoNotBothRemoveTheirNameOfAFileTooLargeToCopy(boolean virtual) throws Exception {
        Path one = Files.createDirectories(tmp.resolve("scratch/one"));
        Path two = Files.createDirectories(tmp.resolve("scratch/two"));
        Path a = one.resolve("a");
        Files.writeString(a, "x");
        try (RandomAccessFile file = new RandomAccessFile(a.toFile(), "rw")) {
            file.setLength(SetIdBits.MAX_COPY + 1); // sparse: nothing written
        }
        Files.setAttribute(a, "unix:mode", 04755);
        Path b = Files.createLink(two.resolve("b"), a);
        CountDownLatch firstChecked = new CountDownLatch(1);
        CountDownLatch secondChecked = new CountDownLatch(1);
        SetIdBits.beforeUnlinkAt = shown -> {
            if (shown.getFileName().toString().equals("b")) {
                secondChecked.countDown(); // only without the lock: the second walk found another name left too
                return;
            }
            firstChecked.countDown();
            // the second walk either waits for the file's lock, or (without it) has checked its own name too
            await().atMost(LONG).until(() -> secondChecked.getCount() == 0 || SetIdBits.inodeLockWaited());
        };

        FutureTask<SetIdBits.Cleared> firstWalk = walk(one, new Thread[1], virtual);
        awaitOrFail(firstChecked, "the first walk's check");
        SetIdBits.Cleared second = walk(two, new Thread[1], virtual).get(LONG.toSeconds(), TimeUnit.SECONDS);
        SetIdBits.Cleared first = firstWalk.get(LONG.toSeconds(), TimeUnit.SECONDS);

        assertThat(first.failed()).isEmpty();
        assertThat(first.replaced()).containsExactly(one.toRealPath().resolve("a")
                + " (removed: a set-uid file with 2 hard links that could not be copied (larger than 64 MiB))");
        assertThat(Files.exists(a, LinkOption.NOFOLLOW_LINKS)).isFalse();
        // the file survives under its other name, now its only one, cleared in place
        assertThat(Files.exists(b, LinkOption.NOFOLLOW_LINKS)).as("the file's other name").isTrue();
        assertThat(second.failed()).isEmpty();
        assertThat(second.replaced()).isEmpty();
        assertThat(second.cleared()).containsExactly(two.toRealPath().resolve("b"));
        assertThat(mode(b)).isEqualTo(0755);
        assertThat(attribute(b, "nlink")).isEqualTo(1);
        assertThat(attribute(b, "size")).isEqualTo(SetIdBits.MAX_COPY + 1);
        assertThat(secondChecked.getCount()).isEqualTo(1); // the second walk never found another name left
        assertThat(SetIdBits.inodeLocksHeld()).as("file locks left behind").isZero();
    }

    /**
     * A process still running (another ticket in the shared scratch) removes the walk's name of a host's set-uid tool
     * just after the walk found, under the file's lock, that the name is still the file: the file now has one link
     * left, the host's. The walk decides by the number of links it saw with that name, so it never clears the file in
     * place.
     */
    @Test
    void aNameRemovedByAProcessJustAfterTheRecheckDoesNotMakeTheWalkClearTheFileInPlace() throws Exception {
        Path tool = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("tool"), "a set-uid tool");
        Files.setAttribute(tool, "unix:mode", 04755);
        Path ws = Files.createDirectories(tmp.resolve("scratch"));
        Path a = Files.createLink(ws.resolve("a"), tool);
        SetIdBits.afterRecheck = shown -> {
            try {
                Files.delete(a);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(mode(tool)).as("the host's name of the file").isEqualTo(04755);
        assertThat(result.cleared()).isEmpty();
        assertThat(result.replaced()).isEmpty();
        assertThat(Files.exists(a, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(attribute(tool, "nlink")).isEqualTo(1);
        assertThat(SetIdBits.inodeLocksHeld()).as("file locks left behind").isZero();
    }

    /**
     * Taking a file's lock fails (lock() can throw, an OutOfMemoryError queueing the wait): the file is named, and its
     * entry in the map of locks does not stay behind.
     */
    @Test
    void aLockThatCannotBeTakenLeavesNoEntryBehind() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("scratch"));
        Path a = Files.writeString(ws.resolve("a"), "x");
        Files.setAttribute(a, "unix:mode", 04755);
        SetIdBits.beforeLock = () -> {
            throw new IllegalStateException("no memory to wait for the lock");
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).containsExactly(ws.toRealPath().resolve("a") + " (no memory to wait for the lock)");
        assertThat(mode(a)).isEqualTo(04755);
        assertThat(SetIdBits.inodeLocksHeld()).as("file locks left behind").isZero();
    }

    /**
     * A process still running swaps the walk's name of a set-uid file for another set-uid file between the walk's open
     * and its look again under the lock: neither file is changed (the one opened may now have its names elsewhere, the
     * one now there was not looked at), and the name is named.
     */
    @Test
    void aNameSwappedForAnotherSetUidFileBeforeTheRecheckIsNamedNotChanged() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("scratch"));
        Path a = Files.writeString(ws.resolve("a"), "opened");
        Files.setAttribute(a, "unix:mode", 04755);
        Path moved = ws.resolve("moved");
        SetIdBits.afterOpen = shown -> {
            try {
                Files.move(a, moved);
                Files.writeString(a, "swapped in");
                Files.setAttribute(a, "unix:mode", 04755);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).contains(ws.toRealPath().resolve("a") + " (could not be checked: replaced meanwhile, not changed)");
        assertThat(mode(a)).isEqualTo(04755);
        assertThat(Files.readString(a)).isEqualTo("swapped in");
        assertThat(SetIdBits.inodeLocksHeld()).as("file locks left behind").isZero();
    }
}
