package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The private {@code HOME} directories of processes that run without bubblewrap (under bubblewrap
 * {@code HOME} is a directory of the sandbox's own {@code /tmp}). Each attempt gets a directory of
 * its own, created with mode 0700 in {@code java.io.tmpdir}. A directory its attempt left empty,
 * still a plain directory of mode 0700, is kept for a later attempt instead of being removed and
 * created again: on ext4 that pair of system calls cost about 0.2 ms of CPU per attempt (B3 in
 * docs/benchmarks.md). Anything else is deleted, and so is the HOME of an attempt whose output pipes a
 * process that escaped its process group still held ({@link #discard}). Without bubblewrap a process is not confined to its
 * {@code HOME} anyway; the directory keeps tools from writing into the user's real home.
 */
final class PrivateHomes implements AutoCloseable {
    /** Directories kept at most; more than the attempts running at once is never needed. */
    static final int MAX_IDLE = 64;
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private final ConcurrentLinkedDeque<Path> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    /**
     * An empty directory of mode 0700 for one process.
     *
     * @throws IOException when a new directory cannot be created
     */
    Path acquire() throws IOException {
        Path dir = idle.pollFirst();
        if (dir != null) {
            idleCount.decrementAndGet();
            return dir;
        }
        return Files.createTempDirectory("swarm-home-");
    }

    /**
     * Takes back a directory from {@link #acquire()} once its process has ended: kept when it is still
     * an empty directory of mode 0700 (and fewer than {@link #MAX_IDLE} are kept), otherwise deleted
     * with everything in it. Never throws; a directory that cannot be deleted is left behind.
     */
    void release(Path dir) {
        if (dir == null) return;
        if (!closed && reusable(dir)) {
            if (idleCount.incrementAndGet() <= MAX_IDLE) {
                idle.addFirst(dir);
                if (closed && idle.remove(dir)) SandboxProcess.deleteTree(dir); // raced with close()
                return;
            }
            idleCount.decrementAndGet(); // enough kept already
        }
        SandboxProcess.deleteTree(dir);
    }

    /** Deletes a directory from {@link #acquire()} without keeping it, whatever it holds. Never throws. */
    void discard(Path dir) {
        if (dir == null) return;
        SandboxProcess.deleteTree(dir);
    }

    /** Number of directories kept for reuse (for tests). */
    int idleCount() {
        return idle.size();
    }

    private static boolean reusable(Path dir) {
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || !a.permissions().equals(OWNER_ONLY)) return false;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                return !entries.iterator().hasNext();
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Deletes the directories kept for reuse; later {@link #release} calls delete theirs. */
    @Override
    public void close() {
        closed = true;
        Path dir;
        while ((dir = idle.pollFirst()) != null) SandboxProcess.deleteTree(dir);
    }
}
