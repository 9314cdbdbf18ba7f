package io.swarmflow.sandbox;

import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Clears the set-user-id and set-group-id bits of the regular files an attempt could write, once its processes have
 * ended. bubblewrap mounts every directory {@code nosuid}, so inside a sandbox such a bit does nothing; but the directories
 * stay on the host, where a file a ticket made set-uid (a root ticket's {@code chmod 4755}) would run as the ticket's
 * user for anyone who runs it later, from a shell, a hook or another tool. So after every attempt each writable directory
 * ({@link SandboxSpec#workspace()} when writable, {@link SandboxSpec#writableDirs()}) is walked once, and every regular
 * file with {@code S_ISUID} or {@code S_ISGID} gets its mode without them. Directories keep theirs (a set-group-id
 * directory only hands its group to new files).
 *
 * <p>The clearing never changes a file outside those directories:
 * <ul>
 * <li>The walk goes by descriptor: each directory is opened with openat(2) {@code O_DIRECTORY | O_NOFOLLOW} relative to
 * its parent's descriptor and listed through {@code /proc/self/fd/N}, each entry lstat'ed there, and each set-uid file
 * opened {@code O_PATH | O_NOFOLLOW} the same way, its type and mode read from the descriptor and chmod(2) sent to
 * {@code /proc/self/fd/N} (the way glibc's {@code fchmodat(AT_SYMLINK_NOFOLLOW)} works). A symbolic link is never
 * followed, also one another ticket sharing the directory swaps in while the walk runs (refused and named).</li>
 * <li>It does not cross mount points: a directory or file whose device or mount id ({@code /proc/self/fdinfo/N}) differs
 * from the walked root's is not entered nor changed, and is named ("could not be checked").</li>
 * <li>A regular file with more than one hard link is not changed (another name may be a host file, a set-uid tool the
 * link shares its inode with); it is named ("left set-uid: hard link").</li>
 * <li>Where that native path is not available (JNA cannot load, or an architecture other than x86-64 and arm64) nothing
 * is changed: the walk (by path, not crossing devices) only names the set-uid files it finds ("not changed: no safe way
 * to change it on this system").</li>
 * </ul>
 * A directory that cannot be listed (an ordinary user's ticket's {@code chmod 000}) or opened, or that lies more than
 * {@link #MAX_DEPTH} directories deep, is named ("could not be checked"), not skipped silently.
 *
 * <p>File capabilities ({@code security.capability}) are not looked at: setting one needs {@code CAP_SETFCAP}, which
 * a ticket under bubblewrap does not have ({@code --cap-drop ALL}); a root ticket without bubblewrap is unconfined
 * anyway and can write set-uid files anywhere, not only here.
 *
 * <p>Cost: one walk of each writable directory, one lstat(2) per entry (its type and mode at once), the same for every
 * attempt: measured on a loaded 2-core VM, 0.55-0.85 s of CPU (1.4-3 s of wall time) for a tree of 100,000 empty files
 * in 2,000 directories, so about 6-8 µs per file; find(1)'s {@code -perm /6000} walk of the same tree took 0.3 s of CPU.
 */
public final class SetIdBits {
    private SetIdBits() {}

    static final int S_ISUID = 04000;
    static final int S_ISGID = 02000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    /** How many files the warning names; the others are counted. */
    static final int NAMED = 20;

    /**
     * What {@link #clear} did.
     *
     * @param cleared the regular files whose set-uid or set-gid bit it cleared (absolute paths)
     * @param failed  the files it found so but did not change (a hard link, a mount point, no safe way here, an error),
     *                and the directories it could not check, each with the reason in parentheses
     */
    public record Cleared(List<Path> cleared, List<String> failed) {
        /** Copies the lists. */
        public Cleared {
            cleared = List.copyOf(cleared);
            failed = List.copyOf(failed);
        }

        /** Nothing found. */
        static final Cleared NONE = new Cleared(List.of(), List.of());

        /** Whether nothing was found. */
        public boolean isEmpty() {
            return cleared.isEmpty() && failed.isEmpty();
        }
    }

    private static final class LibC {
        private LibC() {}

        static native int openat(int dirFd, String path, int flags, int mode);

        static native int close(int fd);
    }

    private static final int AT_FDCWD = -100;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    /** O_PATH, the same on x86-64 and arm64 (asm-generic/fcntl.h). */
    private static final int O_PATH = 010000000;
    private static final int EINTR = 4;
    /** {O_DIRECTORY, O_NOFOLLOW} for this architecture, or null when unknown. */
    private static final int[] DIR_FLAGS = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> new int[] {0200000, 0400000};
        case "aarch64", "arm64" -> new int[] {040000, 0100000};
        default -> null;
    };
    private static final boolean NATIVE = DIR_FLAGS != null && load();

    private static boolean load() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return false;
        try {
            Native.register(LibC.class, "c");
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Clears the set-uid and set-gid bits of the regular files beneath each of {@code roots} (directories; one that does
     * not exist is skipped, one beneath another listed one is walked once).
     *
     * @return what was cleared, and what could not be; never null
     */
    public static Cleared clear(Collection<Path> roots) {
        return clear(roots, NATIVE);
    }

    /** {@link #clear(Collection)}, changing files only when {@code safe} (false: the walk of the fallback, names only). */
    static Cleared clear(Collection<Path> roots, boolean safe) {
        List<Path> walked = new ArrayList<>();
        for (Path root : roots) {
            Path real;
            try {
                real = root.toRealPath();
            } catch (IOException e) {
                continue; // gone: nothing in it to run
            }
            if (walked.stream().anyMatch(real::startsWith)) continue;
            walked.removeIf(w -> w.startsWith(real));
            walked.add(real);
        }
        List<Path> cleared = new ArrayList<>(0);
        List<String> failed = new ArrayList<>(0);
        for (Path root : walked) {
            if (safe) walkNative(root, cleared, failed);
            else walkJdk(root, failed);
        }
        return cleared.isEmpty() && failed.isEmpty() ? Cleared.NONE : new Cleared(cleared, failed);
    }

    private static final int S_IFDIR = 0040000;

    /** How many directories deep the native walk descends (one descriptor open per level); one deeper is named, not checked. */
    static final int MAX_DEPTH = 256;

    static final String HARD_LINK = "left set-uid: hard link";
    static final String UNCHECKED = "could not be checked";
    static final String NO_SAFE_WAY = "not changed: no safe way to change it on this system";

    /** The identity of an opened directory or file: device, mount and inode. */
    private record Id(long dev, long mount, long ino) {}

    private static Map<String, Object> attributes(Path path) throws IOException {
        return Files.readAttributes(path, "unix:mode,nlink,dev,ino", LinkOption.NOFOLLOW_LINKS);
    }

    private static Path fdPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** The mount id of descriptor {@code fd} ({@code /proc/self/fdinfo/N}), or -1 when the kernel does not show it. */
    private static long mountId(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("mnt_id:")) return Long.parseLong(line.substring(7).trim());
        }
        return -1;
    }

    private static Id id(int fd) throws IOException {
        Map<String, Object> a = Files.readAttributes(fdPath(fd), "unix:dev,ino");
        return new Id((Long) a.get("dev"), mountId(fd), (Long) a.get("ino"));
    }

    /**
     * Walks {@code root} by descriptor: each directory is opened {@code O_DIRECTORY | O_NOFOLLOW} relative to its
     * parent's descriptor, listed and its entries lstat'ed through {@code /proc/self/fd/N} (so neither a swapped link nor
     * the path's length can lead it elsewhere), never beyond the root's mount (device and mount id compared).
     */
    private static void walkNative(Path root, List<Path> cleared, List<String> failed) {
        int fd;
        Id rootId;
        try {
            fd = open(AT_FDCWD, root.toString(), O_RDONLY | O_CLOEXEC | DIR_FLAGS[0] | DIR_FLAGS[1], root);
        } catch (IOException e) {
            failed.add(root + " (" + UNCHECKED + ": " + e.getMessage() + ")");
            return;
        }
        try {
            rootId = id(fd);
            walkDir(fd, root, rootId, 0, cleared, failed);
        } catch (IOException | RuntimeException e) {
            failed.add(root + " (" + UNCHECKED + ": " + e.getMessage() + ")");
        } finally {
            LibC.close(fd);
        }
    }

    private static void walkDir(int dirFd, Path dir, Id rootId, int depth, List<Path> cleared, List<String> failed) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fdPath(dirFd))) {
            for (Path entry : entries) names.add(entry.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            // unreadable (an ordinary user's ticket's chmod 000 of its own directory), or gone meanwhile
            failed.add(dir + " (" + UNCHECKED + ": cannot be listed: " + e.getMessage() + ")");
            return;
        }
        int oDirectory = DIR_FLAGS[0];
        int oNoFollow = DIR_FLAGS[1];
        for (String name : names) {
            Path shown = dir.resolve(name);
            Map<String, Object> a;
            try {
                a = attributes(fdPath(dirFd).resolve(name));
            } catch (IOException | RuntimeException e) {
                continue; // gone meanwhile
            }
            int mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) == S_IFDIR) {
                if (depth + 1 > MAX_DEPTH) {
                    failed.add(shown + " (" + UNCHECKED + ": deeper than " + MAX_DEPTH + " directories)");
                    continue;
                }
                int sub;
                try {
                    sub = open(dirFd, name, O_RDONLY | O_CLOEXEC | oDirectory | oNoFollow, shown);
                } catch (IOException e) {
                    failed.add(shown + " (" + UNCHECKED + ": " + e.getMessage() + ")");
                    continue;
                }
                try {
                    Id subId = id(sub);
                    if (subId.dev() != rootId.dev() || subId.mount() != rootId.mount()) {
                        failed.add(shown + " (" + UNCHECKED + ": a mount point, not descended into)");
                        continue;
                    }
                    walkDir(sub, shown, rootId, depth + 1, cleared, failed);
                } catch (IOException | RuntimeException e) {
                    failed.add(shown + " (" + UNCHECKED + ": " + e.getMessage() + ")");
                } finally {
                    LibC.close(sub);
                }
            } else if ((mode & S_IFMT) == S_IFREG && (mode & (S_ISUID | S_ISGID)) != 0) {
                try {
                    if (clearAt(dirFd, name, shown, rootId)) cleared.add(shown);
                } catch (IOException | RuntimeException e) {
                    failed.add(shown + " (" + e.getMessage() + ")");
                }
            }
        }
    }

    /** Clears the bits of regular file {@code name} in directory {@code dirFd}; false when it no longer has them. */
    private static boolean clearAt(int dirFd, String name, Path shown, Id rootId) throws IOException {
        // O_PATH | O_NOFOLLOW opens a symbolic link itself: its type, read below, refuses it
        int fd = open(dirFd, name, O_PATH | O_CLOEXEC | DIR_FLAGS[1], shown);
        try {
            Path self = fdPath(fd);
            Map<String, Object> a = Files.readAttributes(self, "unix:mode,nlink,dev");
            int mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) != S_IFREG || (mode & (S_ISUID | S_ISGID)) == 0) return false;
            if ((Long) a.get("dev") != rootId.dev() || mountId(fd) != rootId.mount()) {
                throw new IOException(UNCHECKED + ": a mount point, not changed");
            }
            // another name of the file may be outside the writable directories (a host's set-uid tool): not changed
            if ((Integer) a.get("nlink") > 1) throw new IOException(HARD_LINK);
            Files.setAttribute(self, "unix:mode", mode & 07777 & ~(S_ISUID | S_ISGID));
            return true;
        } finally {
            LibC.close(fd);
        }
    }

    /**
     * Where the native walk is not available: walks by path, never beyond the root's device, and changes nothing; the
     * set-uid files found are named ({@link #NO_SAFE_WAY}), a directory that cannot be listed too.
     */
    private static void walkJdk(Path root, List<String> failed) {
        long rootDev;
        try {
            rootDev = (Long) attributes(root).get("dev");
        } catch (IOException | RuntimeException e) {
            failed.add(root + " (" + UNCHECKED + ": " + e.getMessage() + ")");
            return;
        }
        ArrayDeque<Path> dirs = new ArrayDeque<>();
        dirs.push(root);
        while (!dirs.isEmpty()) {
            Path dir = dirs.pop();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    Map<String, Object> a;
                    try {
                        a = attributes(entry);
                    } catch (IOException | RuntimeException e) {
                        if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) failed.add(entry + " (" + UNCHECKED + ": " + e.getMessage() + ")");
                        continue;
                    }
                    int mode = (Integer) a.get("mode");
                    if ((mode & S_IFMT) == S_IFDIR) {
                        if ((Long) a.get("dev") != rootDev) failed.add(entry + " (" + UNCHECKED + ": a mount point, not descended into)");
                        else dirs.push(entry);
                    } else if ((mode & S_IFMT) == S_IFREG && (mode & (S_ISUID | S_ISGID)) != 0) {
                        failed.add(entry + " (" + NO_SAFE_WAY + ")");
                    }
                }
            } catch (IOException | RuntimeException e) {
                failed.add(dir + " (" + UNCHECKED + ": cannot be listed: " + e.getMessage() + ")");
            }
        }
    }

    /** Whether {@link #clear} changes files: JNA loaded on x86-64 or arm64 (otherwise it only names them). */
    static boolean clearBeneathIsSafe() {
        return NATIVE;
    }

    private static int open(int dirFd, String name, int flags, Path shown) throws IOException {
        while (true) {
            int fd = LibC.openat(dirFd, name, flags, 0);
            if (fd >= 0) return fd;
            int errno = Native.getLastError();
            if (errno != EINTR) {
                throw new IOException("cannot open " + shown + " without following links (errno " + errno + "; a symbolic "
                        + "link or a file that changed meanwhile)");
            }
        }
    }

    /**
     * The warning for {@code cleared} after attempt {@code attempt}: names up to {@link #NAMED} files (control characters
     * shown as {@code ?}, {@code masked} values as {@code ***}), counts the others.
     */
    public static String warning(int attempt, Cleared cleared, Collection<String> masked) {
        StringBuilder b = new StringBuilder("attempt ").append(attempt);
        if (!cleared.cleared().isEmpty()) {
            int n = cleared.cleared().size();
            b.append(" left ").append(n == 1 ? "a file" : n + " files").append(" set-user-id or set-group-id in the directories it "
                    + "could write, which would run as the file's owner (or group) for anyone who ran it on the host; Swarmflow "
                    + "cleared those bits (chmod u-s,g-s): ").append(names(cleared.cleared().stream().map(Path::toString).toList(), masked));
        }
        if (!cleared.failed().isEmpty()) {
            b.append(cleared.cleared().isEmpty() ? " left " : "; and ").append("set-user-id or set-group-id files that Swarmflow did "
                    + "not change, or directories it could not check for them: ").append(names(cleared.failed(), masked))
                    .append("; do not run such files, and remove them (rm removes only that name; chmod u-s,g-s would also "
                            + "change the file's other hard links)");
        }
        return b.toString();
    }

    private static String names(List<String> all, Collection<String> masked) {
        List<String> shown = all.stream().limit(NAMED)
                .map(s -> MaskingInputStream.mask(s, masked).replaceAll("\\p{Cntrl}", "?")).toList();
        return String.join(", ", shown) + (all.size() > NAMED ? " and " + (all.size() - NAMED) + " more" : "");
    }
}
