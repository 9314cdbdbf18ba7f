package io.swarmflow.sandbox;

import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Clears the set-user-id and set-group-id bits of the regular files an attempt could write, once its processes have
 * ended. bubblewrap mounts every directory {@code nosuid}, so inside a sandbox such a bit does nothing; but the directories
 * stay on the host, where a file a ticket made set-uid (a root ticket's {@code chmod 4755}) would run as the ticket's
 * user for anyone who runs it later, from a shell, a hook or another tool. So after every attempt each writable directory
 * ({@link SandboxSpec#workspace()} when writable, {@link SandboxSpec#writableDirs()}) is walked once, without following
 * symbolic links (a link it finds is never followed; a directory swapped for one while the walk runs can lead the
 * listing elsewhere, where the change below then refuses every file), and every regular file
 * with {@code S_ISUID} or {@code S_ISGID} gets its mode without them. Directories keep theirs (a set-group-id directory
 * only hands its group to new files).
 *
 * <p>The change itself cannot be turned onto another file: the file is opened beneath its directory one component at a
 * time with openat(2), each directory {@code O_DIRECTORY | O_NOFOLLOW}, the file {@code O_PATH | O_NOFOLLOW} (no read
 * permission needed, nothing opened that could block), its type and mode are read from the descriptor, and chmod(2)
 * goes to {@code /proc/self/fd/N}, the opened file itself (the way glibc's {@code fchmodat(AT_SYMLINK_NOFOLLOW)} works).
 * A component swapped for a symbolic link meanwhile (by another ticket sharing the directory) is refused and named.
 * Where JNA cannot load, or on an architecture other than x86-64 and arm64, the JDK's chmod of the path without
 * following its last component ({@code fchmod} of an {@code O_NOFOLLOW} open) is used: a directory above the file
 * swapped for a link between the walk and the change could then turn it onto another set-uid file (clearing its bits).
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
     * @param failed  the files it found so but could not change, each with the reason
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
        for (Path root : walked) walk(root, cleared, failed);
        return cleared.isEmpty() && failed.isEmpty() ? Cleared.NONE : new Cleared(cleared, failed);
    }

    private static final int S_IFDIR = 0040000;

    /** Walks {@code root} depth first, one lstat(2) per entry (its type and mode at once), links never followed. */
    private static void walk(Path root, List<Path> cleared, List<String> failed) {
        java.util.ArrayDeque<Path> dirs = new java.util.ArrayDeque<>();
        dirs.push(root);
        while (!dirs.isEmpty()) {
            Path dir = dirs.pop();
            try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    int mode;
                    try {
                        mode = (Integer) Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException | RuntimeException e) {
                        continue; // gone meanwhile
                    }
                    if ((mode & S_IFMT) == S_IFDIR) {
                        dirs.push(entry);
                    } else if ((mode & S_IFMT) == S_IFREG && (mode & (S_ISUID | S_ISGID)) != 0) {
                        try {
                            if (clearBeneath(root, root.relativize(entry))) cleared.add(entry);
                        } catch (IOException | RuntimeException e) {
                            failed.add(entry + " (" + e.getMessage() + ")");
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile, or unreadable (a ticket's chmod 000 of its own directory): the root itself is named
                if (dir.equals(root)) failed.add(root + " (cannot be listed: " + e.getMessage() + ")");
            }
        }
    }

    /** Whether {@link #clearBeneath} opens each component without following links (JNA loaded on x86-64 or arm64). */
    static boolean clearBeneathIsSafe() {
        return NATIVE;
    }

    /** Clears the bits of the regular file at {@code relative} beneath {@code root}; false when it no longer has them. */
    static boolean clearBeneath(Path root, Path relative) throws IOException {
        return NATIVE ? clearNative(root, relative) : clearWithJdk(root.resolve(relative));
    }

    /** The fallback: the JDK's chmod without following the last component ({@code O_NOFOLLOW} open, then fchmod). */
    static boolean clearWithJdk(Path file) throws IOException {
        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFREG || (mode & (S_ISUID | S_ISGID)) == 0) return false;
        Files.setAttribute(file, "unix:mode", mode & 07777 & ~(S_ISUID | S_ISGID), LinkOption.NOFOLLOW_LINKS);
        return true;
    }

    private static boolean clearNative(Path root, Path relative) throws IOException {
        int oDirectory = DIR_FLAGS[0];
        int oNoFollow = DIR_FLAGS[1];
        int dir = open(AT_FDCWD, root.toString(), O_RDONLY | O_CLOEXEC | oDirectory, root);
        try {
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                int next = open(dir, relative.getName(i).toString(), O_RDONLY | O_CLOEXEC | oDirectory | oNoFollow,
                        relative.subpath(0, i + 1));
                LibC.close(dir);
                dir = next;
            }
            // O_PATH | O_NOFOLLOW opens a symbolic link itself: its type, read below, refuses it
            int fd = open(dir, relative.getFileName().toString(), O_PATH | O_CLOEXEC | oNoFollow, relative);
            try {
                Path self = Path.of("/proc/self/fd/" + fd);
                int mode = (Integer) Files.getAttribute(self, "unix:mode");
                if ((mode & S_IFMT) != S_IFREG || (mode & (S_ISUID | S_ISGID)) == 0) return false;
                Files.setAttribute(self, "unix:mode", mode & 07777 & ~(S_ISUID | S_ISGID));
                return true;
            } finally {
                LibC.close(fd);
            }
        } finally {
            LibC.close(dir);
        }
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
            b.append(cleared.cleared().isEmpty() ? " left " : "; and ").append(cleared.failed().size() == 1 ? "a file" : cleared.failed().size() + " files")
                    .append(" set-user-id or set-group-id that Swarmflow could not change: ").append(names(cleared.failed(), masked))
                    .append("; do not run ").append(cleared.failed().size() == 1 ? "it" : "them").append(", and remove ")
                    .append(cleared.failed().size() == 1 ? "it" : "them").append(" (or chmod u-s,g-s)");
        }
        return b.toString();
    }

    private static String names(List<String> all, Collection<String> masked) {
        List<String> shown = all.stream().limit(NAMED)
                .map(s -> MaskingInputStream.mask(s, masked).replaceAll("\\p{Cntrl}", "?")).toList();
        return String.join(", ", shown) + (all.size() > NAMED ? " and " + (all.size() - NAMED) + " more" : "");
    }
}
