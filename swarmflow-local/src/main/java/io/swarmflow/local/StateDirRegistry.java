package io.swarmflow.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The user's list of Swarmflow state directories, so that a run's sandboxed tickets do not see the state of other
 * runs kept elsewhere ({@code --state-dir} outside the repository and the home directory): their databases hold other
 * runs' variables, granted environment and outputs, their {@code runs/} logs and scratch files.
 *
 * <p>The list is the file {@code $XDG_STATE_HOME/swarmflow/state-dirs} ({@code ~/.local/state/swarmflow/state-dirs}
 * when {@code XDG_STATE_HOME} is unset or not absolute, as the XDG Base Directory Specification 0.8 says), mode 0600
 * in a directory of mode 0700: the real paths of the state directories, each ended by a NUL byte, so any file name
 * fits. Read and rewritten under an exclusive lock ({@link FileChannel#tryLock()}, waited for at most
 * {@link #LOCK_WAIT}, from the call: callers of one JVM, which take the lock one at a time, wait together) on
 * {@code state-dirs.lock} beside it, so that concurrent runs do not lose an entry; rewritten by
 * renaming a new file over it, so that a crash leaves the old list whole and a reader never sees half of one (so it can
 * also be {@link #read} without the lock). Directories that no longer exist are dropped when the list is rewritten, and
 * so is {@code /}, which is never added either: the sandbox cannot hide the root, so {@code swarm} refuses it as a state
 * directory, and an older version may have listed it.
 */
final class StateDirRegistry {
    private StateDirRegistry() {
    }

    /**
     * The list's place when neither {@code XDG_STATE_HOME} nor {@code user.home} is an absolute directory (a user with no
     * entry in the password database and no HOME: the JVM's {@code user.home} is then {@code ?}): never opened,
     * {@link #register} refuses it, and it names in the run's warning the variable to set.
     */
    static final Path NO_PLACE = Path.of("$XDG_STATE_HOME", "swarmflow", "state-dirs");

    /**
     * The list's default place, from {@code XDG_STATE_HOME} and {@code user.home}; {@link #NO_PLACE} when neither gives
     * an absolute directory.
     */
    static Path defaultFile() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base;
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else {
            String home = System.getProperty("user.home");
            if (home == null || home.isBlank() || !Path.of(home).isAbsolute()) return NO_PLACE;
            base = Path.of(home, ".local", "state");
        }
        return base.resolve("swarmflow").resolve("state-dirs");
    }

    /**
     * Adds {@code own} to the end of the list in {@code file}, or moves it there (creating both the file and its
     * directory when missing), drops the entries that are no longer directories, and returns the others.
     *
     * @param file the list; its parent directory is created with mode 0700 when missing
     * @param own  this run's state directory; it is stored by its real path and left out of the result
     * @return the real paths of the other state directories that exist, from the least to the most recently registered
     * @throws IOException when the list cannot be read or written (a home directory that is not writable, a full disk)
     */
    static List<Path> registerAndList(Path file, Path own) throws IOException {
        return register(file, own).others();
    }

    /**
     * What {@link #registerAndList} read, and the list's {@link #stamp} as it was written then (taken under the lock).
     *
     * @param others the other state directories
     * @param stamp  the list's stamp after the call
     */
    record Listing(List<Path> others, Object stamp) {
    }

    /**
     * The list's modification time, size and file key: unchanged, the list was not rewritten, and {@code others} read
     * before still holds. Every rewrite renames a new file over the list, and the new file exists beside the old one
     * until then, so its file key (device and inode) differs from the one it replaces. Null when it cannot be read.
     */
    static Object stamp(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return a.isRegularFile() ? List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The longest {@link #register} waits for another process to release the list's lock. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(5);

    /** Time between two tries of a lock another process holds. */
    private static final long LOCK_POLL_MILLIS = 10;

    /**
     * The list's lock was held by another process for longer than {@link #register} waited: a run stopped while it held
     * it (Ctrl-Z, a debugger), or a hung file system. Its message names the lock file, how long was waited and how to
     * find the holder.
     */
    static final class LockedException extends IOException {
        LockedException(String message) {
            super(message);
        }
    }

    /** {@link #registerAndList}, with the list's stamp, waiting at most {@link #LOCK_WAIT} for its lock. */
    static Listing register(Path file, Path own) throws IOException {
        return register(file, own, LOCK_WAIT);
    }

    /**
     * {@link #registerAndList}, with the list's stamp.
     *
     * @param wait how long to wait for another process to release the list's lock; zero tries once
     * @throws LockedException when another process held the lock all that time: the list was not changed
     * @throws java.io.InterruptedIOException when interrupted while waiting (the thread's interrupt flag is set again)
     */
    static Listing register(Path file, Path own, Duration wait) throws IOException {
        return register(file, own, wait, true);
    }

    /**
     * {@link #registerAndList}, with the list's stamp; {@code own} moved to the end only when {@code toEnd} (a run that
     * starts or resumes), else left where it is listed and added at the end only when missing (a run that looks at the
     * list again for an attempt: two runs that moved their own to the end at each attempt rewrote the list in turn at
     * every attempt, each rewrite making the other read it again under the lock) or listed before the
     * {@link #RECENT} last entries: the other runs' tickets hide only the state directories registered last
     * ({@link LocalExecutor#MAX_HIDDEN_STATE_DIRS}), so a long run that many runs started after would otherwise become
     * readable to theirs.
     *
     * @param wait  how long to wait for another process to release the list's lock; zero tries once
     * @param toEnd whether {@code own} goes to the end of the list when it is listed elsewhere
     * @throws LockedException when another process held the lock all that time: the list was not changed
     * @throws java.io.InterruptedIOException when interrupted while waiting (the thread's interrupt flag is set again)
     */
    static Listing register(Path file, Path own, Duration wait, boolean toEnd) throws IOException {
        // one caller at a time in this JVM: a FileLock is held for the whole JVM, so a second thread's tryLock() would
        // throw OverlappingFileLockException, not wait. Each caller's wait runs from its own call, also while it waits
        // for the callers before it, so callers held up together by another process's lock time out together after
        // one wait, not one after the other (a server's executors, each waiting LOCK_WAIT in turn)
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            // a caller that does not wait for other processes (zero) still waits a moment for one of this JVM, which
            // holds the lock for well under a millisecond unless another process keeps the FileLock from it
            if (!IN_THIS_JVM.tryAcquire(Math.max(IN_THIS_JVM_WAIT_NANOS, deadline - System.nanoTime()),
                    java.util.concurrent.TimeUnit.NANOSECONDS)) {
                throw locked(file.resolveSibling(file.getFileName() + ".lock"), wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the lock on "
                    + file.resolveSibling(file.getFileName() + ".lock"));
        }
        try {
            return registerHoldingJvmLock(file, own, wait, deadline, toEnd);
        } finally {
            IN_THIS_JVM.release();
        }
    }

    /**
     * Held by the one caller of {@link #register} in this JVM that may take the list's {@link FileLock}: not reentrant
     * (a thread never holds it twice), fair (callers go in turn).
     */
    private static final java.util.concurrent.Semaphore IN_THIS_JVM = new java.util.concurrent.Semaphore(1, true);

    /** The least a caller of {@link #register} waits for another caller in this JVM. */
    private static final long IN_THIS_JVM_WAIT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);

    private static Listing registerHoldingJvmLock(Path file, Path own, Duration wait, long deadline, boolean toEnd)
            throws IOException {
        if (!file.isAbsolute()) {
            throw new IOException("neither XDG_STATE_HOME nor your home directory (user.home: " + System.getProperty("user.home")
                    + ") is an absolute path");
        }
        Path ownReal = own.toRealPath();
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE),
                OWNER_ONLY);
             FileLock ignored = lock(lockChannel, lockFile, wait, deadline)) {
            List<String> listed = new ArrayList<>();
            LinkedHashSet<Path> kept = new LinkedHashSet<>();
            // entries this JVM cannot name (another run's letters outside the C locale's ASCII), kept as they are for
            // the runs that can
            Set<String> unnamed = new LinkedHashSet<>();
            parse(file, listed, kept, unnamed);
            // the list runs from the least to the most recently registered: this run's own goes (or moves) to the end
            // "/" is never listed (nor read from the list): the sandbox cannot hide it (see parse)
            boolean inPlace = ownReal.getNameCount() == 0
                    || (toEnd ? !kept.isEmpty() && ownReal.equals(kept.getLast()) : amongLast(kept, ownReal, RECENT));
            if (!inPlace) {
                kept.remove(ownReal);
                kept.add(ownReal);
            }
            if (!inPlace || kept.size() + unnamed.size() != listed.stream().filter(e -> !e.isEmpty()).count()) {
                StringBuilder b = new StringBuilder();
                for (String entry : unnamed) b.append(entry).append('\0');
                for (Path p : kept) b.append(p).append('\0');
                replace(file, b.toString().getBytes(StandardCharsets.UTF_8));
            }
            List<Path> others = new ArrayList<>(kept);
            others.remove(ownReal);
            return new Listing(List.copyOf(others), stamp(file));
        }
    }

    /**
     * How many of the entries registered last an attempt's own state directory may be among and stay in place
     * ({@link #register} with {@code toEnd} false): {@link LocalExecutor#MAX_HIDDEN_STATE_DIRS}, the most another run's
     * tickets hide. Counted over every existing listed directory, also those the others do not count (under a home, in
     * /tmp, no longer a state directory), so a directory among them is always among those another run hides.
     */
    static final int RECENT = LocalExecutor.MAX_HIDDEN_STATE_DIRS;

    /** Whether {@code own} is one of the {@code last} entries at the end of {@code kept}. */
    private static boolean amongLast(LinkedHashSet<Path> kept, Path own, int last) {
        java.util.Iterator<Path> it = kept.reversed().iterator();
        for (int i = 0; i < last && it.hasNext(); i++) if (it.next().equals(own)) return true;
        return false;
    }

    /**
     * The other state directories {@code file} lists, read without its lock and left as it is: for a run that could
     * not take the lock ({@link LockedException}). A rewrite renames a whole new list over the old one, so what is read
     * is one list or the other, never half of one.
     *
     * @param own this run's state directory, left out of the result
     * @return the real paths of the other listed directories that exist, from the least to the most recently registered;
     *         empty when there is no list
     * @throws IOException when the list cannot be read
     */
    static List<Path> read(Path file, Path own) throws IOException {
        LinkedHashSet<Path> kept = new LinkedHashSet<>();
        parse(file, new ArrayList<>(), kept, new LinkedHashSet<>());
        if (Files.exists(own)) kept.remove(own.toRealPath()); // one not made yet (swarm validate, a run's checks) is not listed
        return List.copyOf(kept);
    }

    /**
     * Reads the list in {@code file} (none when it does not exist): every entry into {@code listed}, the absolute paths
     * of existing directories into {@code kept}, the entries this JVM cannot make a path of into {@code unnamed}.
     */
    private static void parse(Path file, List<String> listed, Set<Path> kept, Set<String> unnamed) throws IOException {
        byte[] bytes = new byte[0];
        if (Files.exists(file)) {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException(file + " is larger than " + MAX_BYTES + " bytes, so it is not a list Swarmflow wrote; "
                        + "delete it (it is made again by the next run)");
            }
            bytes = Files.readAllBytes(file);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        listed.addAll(List.of(text.split("\0", -1)));
        listed.removeLast(); // after the last NUL: empty, or an entry a crash cut short
        for (String entry : listed) {
            if (entry.isEmpty()) continue;
            Path p;
            try {
                p = Path.of(entry);
            } catch (InvalidPathException e) {
                unnamed.add(entry);
                continue;
            }
            // "/", which an older swarm listed for a run with --state-dir /, is left out (and dropped at the next
            // rewrite): the sandbox never hides the root, which it shows every ticket, so it is no state directory to
            // hide, nor one to warn about as left readable
            if (p.isAbsolute() && p.getNameCount() > 0 && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                kept.add(p);
            }
        }
    }

    /**
     * Takes the lock on {@code channel}, trying every {@link #LOCK_POLL_MILLIS} ms until {@code deadline} (of
     * {@link System#nanoTime}, {@code wait} after the call began): a run must not hang on a lock another process keeps
     * (stopped with Ctrl-Z while it held it, or on a hung file system). Tried once at least.
     */
    private static FileLock lock(FileChannel channel, Path lockFile, Duration wait, long deadline) throws IOException {
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) return lock;
            long left = deadline - System.nanoTime();
            if (left <= 0) throw locked(lockFile, wait);
            try {
                Thread.sleep(Math.min(LOCK_POLL_MILLIS, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the lock on " + lockFile);
            }
        }
    }

    /** The lock on {@code lockFile} was not had within {@code wait}. */
    private static LockedException locked(Path lockFile, Duration wait) {
        return new LockedException("another process has held " + lockFile + " for more than "
                + (wait.toMillis() % 1000 == 0 ? wait.toSeconds() + " s" : wait.toMillis() + " ms")
                + " (fuser -v " + lockFile + " names it)");
    }

    /**
     * Writes {@code bytes} to a new file beside {@code file} and renames it over {@code file}: the list is replaced
     * whole (rename(2) is atomic), so a crash while it is written leaves the old list, never an empty or cut one.
     */
    private static void replace(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp", OWNER_ONLY);
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final java.nio.file.attribute.FileAttribute<Set<java.nio.file.attribute.PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** Bytes of the list at most: thousands of paths, far more than the directories that exist at once. */
    static final int MAX_BYTES = 1 << 20;
}
