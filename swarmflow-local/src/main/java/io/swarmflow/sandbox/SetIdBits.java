package io.swarmflow.sandbox;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.file.AccessDeniedException;
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
 * its parent's descriptor and read with getdents64(2) a buffer at a time (its names are not all held at once), each
 * entry's type and mode read with statx(2) {@code AT_SYMLINK_NOFOLLOW} relative to that descriptor (one whose directory
 * entry says it is a directory is opened at once), and each set-uid file opened {@code O_PATH | O_NOFOLLOW} the same
 * way, its type and mode read from the descriptor and chmod(2) sent to {@code /proc/self/fd/N} (the way glibc's
 * {@code fchmodat(AT_SYMLINK_NOFOLLOW)} works). A symbolic link is never followed, also one another ticket sharing the
 * directory swaps in while the walk runs (refused and named: "not changed: a symbolic link now", or, for a directory,
 * "no longer a directory ... (ENOTDIR)").</li>
 * <li>Names go as the bytes the directory holds: a name that is not valid in the JVM's encoding of file names
 * ({@code sun.jnu.encoding}: the byte 0xff in a UTF-8 locale, any byte above 0x7f in a C or POSIX one) is opened and
 * cleared like any other. Names are decoded only to be shown (in {@link Cleared}), lossily: a byte sequence not valid
 * there is shown as U+FFFD, or as {@code ?} where that encoding has no U+FFFD; so a shown path may not name the file
 * exactly.</li>
 * <li>It does not cross mount points: a directory or file whose device or mount id ({@code /proc/self/fdinfo/N}) differs
 * from the walked root's is not entered nor changed, and is named ("could not be checked").</li>
 * <li>A regular file with more than one hard link is not changed (another name may be a host file, a set-uid tool the
 * link shares its inode with); instead the name found is replaced by a copy without the bits: the file is opened
 * {@code O_RDONLY | O_NOFOLLOW | O_NONBLOCK} relative to the directory's descriptor and checked to be the inode looked
 * at, still a regular file; the copy is created beside it ({@code O_CREAT | O_EXCL | O_NOFOLLOW}, a new random name),
 * given the file's owner and group (as root; as an ordinary user the copy stays the user's), its permission bits
 * without set-uid, set-gid and sticky, synced, and renamed onto the name with renameat(2), which follows no link. Each
 * such name in the walked directories is handled so (the last may have one link left and is then cleared in place), so
 * the file survives under each of them, without the bits, and a name elsewhere keeps the inode as it was. The copy has
 * new times and no extended attributes. Such a name is listed in {@link Cleared#replaced()} ("replaced by a copy
 * without set-uid: it had N hard links"). A file larger than {@link #MAX_COPY} (64 MiB) is not copied and is named
 * ("left set-uid: a hard link larger than 64 MiB, not copied"); when the copy cannot be made (a read-only directory,
 * a full disk) it is removed, the file is left as it was, and it is named ("left set-uid: a hard link, not replaced by
 * a copy: ...", with the errno's name).</li>
 * <li>Where that native path is not available (JNA cannot load, or an architecture other than x86-64 and arm64) nothing
 * is changed: the walk (by path, not crossing devices) only names the set-uid files it finds ("not changed: no safe way
 * to change it on this system").</li>
 * </ul>
 * A directory that cannot be listed (an ordinary user's ticket's {@code chmod 000}: "cannot be listed: permission denied
 * (EACCES)") or opened, or whose entries cannot be looked at ({@code chmod 444}), or that lies more than
 * {@link #MAX_DEPTH} directories deep, is named ("could not be checked"), not skipped silently; errors are named with
 * the errno's name. A walk looks at no more than {@link #MAX_ENTRIES} entries of one root: beyond that the directory it
 * was listing is named ("could not be checked: more than 1000000 entries") and the rest of that root is not walked,
 * so a ticket that made 10^8 empty files can neither hold the coordinator for long nor fill its memory.
 *
 * <p>File capabilities ({@code security.capability}) are not looked at: setting one needs {@code CAP_SETFCAP}, which
 * a ticket under bubblewrap does not have ({@code --cap-drop ALL}); a root ticket without bubblewrap is unconfined
 * anyway and can write set-uid files anywhere, not only here.
 *
 * <p>Cost: one walk of each writable directory, one getdents64(2) per buffer of entries and one statx(2) per entry that
 * is not a directory (a directory is opened instead), the same for every attempt: measured again for this walk
 * (2026-12-07) on a 2-core VM with a load average of 6.5, six walks in one JVM of a tree of 100,000 empty files in
 * 2,000 directories: 0.24-0.38 s of the walking thread's CPU (ThreadMXBean; 0.26-1.4 s of wall time), so about 2.5-4 µs
 * per file; the former walk (names listed and lstat'ed through {@code /proc/self/fd/N}) took 0.53-0.81 s there, and
 * find(1)'s {@code -perm /6000} walk of the same tree 0.18 s.
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
     * @param failed  the files it found so but did not change (a hard link it could not copy, a mount point, no safe way
     *                here, an error), and the directories it could not check, each with the reason in parentheses
     * @param replaced the names of set-uid or set-gid files with more than one hard link that it replaced by a copy
     *                 without those bits, each as the absolute path followed by
     *                 {@code " (replaced by a copy without set-uid: it had N hard links)"}
     */
    public record Cleared(List<Path> cleared, List<String> failed, List<String> replaced) {
        /** Copies the lists. */
        public Cleared {
            cleared = List.copyOf(cleared);
            failed = List.copyOf(failed);
            replaced = List.copyOf(replaced);
        }

        /** {@code cleared} and {@code failed}, none replaced. */
        public Cleared(List<Path> cleared, List<String> failed) {
            this(cleared, failed, List.of());
        }

        /** Nothing found. */
        static final Cleared NONE = new Cleared(List.of(), List.of(), List.of());

        /** Whether nothing was found. */
        public boolean isEmpty() {
            return cleared.isEmpty() && failed.isEmpty() && replaced.isEmpty();
        }
    }

    private static final class LibC {
        private LibC() {}

        /** openat(2); {@code path} NUL-terminated bytes, as the directory holds them. */
        static native int openat(int dirFd, byte[] path, int flags, int mode);

        /** syscall(2) with three integer or pointer arguments (getdents64); glibc's syscall reads registers, not va_arg. */
        static native long syscall(long number, long a, Pointer b, long c);

        /** statx(2) (glibc 2.28); {@code path} NUL-terminated bytes. */
        static native int statx(int dirFd, byte[] path, int flags, int mask, Pointer buf);

        static native int close(int fd);

        /** read(2) into {@code buf}; size_t/ssize_t are 64 bits on x86-64 and arm64. */
        static native long read(int fd, Pointer buf, long count);

        /** write(2) from {@code buf}. */
        static native long write(int fd, Pointer buf, long count);

        static native int fchmod(int fd, int mode);

        static native int fchown(int fd, int uid, int gid);

        static native int fsync(int fd);

        /** renameat(2); both names NUL-terminated bytes. */
        static native int renameat(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName);

        /** unlinkat(2); {@code name} NUL-terminated bytes. */
        static native int unlinkat(int dirFd, byte[] name, int flags);
    }

    private static final int AT_FDCWD = -100;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    /** O_PATH, the same on x86-64 and arm64 (asm-generic/fcntl.h). */
    private static final int O_PATH = 010000000;
    /** O_WRONLY, O_CREAT, O_EXCL and O_NONBLOCK, the same on x86-64 and arm64 (asm-generic/fcntl.h). */
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NONBLOCK = 04000;
    private static final int EINTR = 4;
    /** {O_DIRECTORY, O_NOFOLLOW, SYS_getdents64} for this architecture, or null when unknown. */
    private static final int[] DIR_FLAGS = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> new int[] {0200000, 0400000, 217};
        case "aarch64", "arm64" -> new int[] {040000, 0100000, 61};
        default -> null;
    };
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_NO_AUTOMOUNT = 0x800;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    /** struct statx: its size and where stx_mode (u16) lies; the same on every architecture (linux/stat.h). */
    private static final int STATX_SIZE = 256;
    private static final int STX_MODE = 28;
    /** linux_dirent64 (the same on x86-64 and arm64): d_reclen (u16), d_type (u8), d_name (NUL-terminated). */
    private static final int D_RECLEN = 16;
    private static final int D_TYPE = 18;
    private static final int D_NAME = 19;
    private static final int DT_UNKNOWN = 0;
    private static final int DT_DIR = 4;
    private static final int DT_REG = 8;
    /** The buffer for one getdents64 call, one per directory open in the walk (at most {@link #MAX_DEPTH} + 1). */
    private static final int DIRENT_BUFFER = 16 * 1024;
    /** The encoding of file names of this JVM (sun.jnu.encoding), used only to show names and to open a root. */
    private static final Charset NAMES = names();

    private static Charset names() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
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
        return clear(roots, safe, MAX_ENTRIES);
    }

    /** {@link #clear(Collection, boolean)} looking at no more than {@code maxEntries} entries per root. */
    static Cleared clear(Collection<Path> roots, boolean safe, int maxEntries) {
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
        List<String> replaced = new ArrayList<>(0);
        for (Path root : walked) {
            Walk walk = new Walk(cleared, failed, replaced, maxEntries);
            if (safe) walkNative(root, walk);
            else walkJdk(root, walk);
        }
        return cleared.isEmpty() && failed.isEmpty() && replaced.isEmpty() ? Cleared.NONE : new Cleared(cleared, failed, replaced);
    }

    private static final int S_IFDIR = 0040000;

    /** How many directories deep the native walk descends (one descriptor open per level); one deeper is named, not checked. */
    static final int MAX_DEPTH = 256;

    /**
     * How many directory entries one walk (of one of {@link #clear}'s roots) looks at, at most: beyond that the directory
     * being listed is named ("could not be checked: more than 1000000 entries") and the rest of that root is not walked,
     * so a ticket that made 10^8 empty files cannot hold the end of its attempt for long.
     */
    static final int MAX_ENTRIES = 1_000_000;

    /**
     * The largest set-uid or set-gid file with more than one hard link that is replaced by a copy (64 MiB); a larger one
     * is left as it is and named ({@link #TOO_LARGE_LINK}), so a ticket cannot make the end of its attempt copy gigabytes.
     */
    static final long MAX_COPY = 64L * 1024 * 1024;
    /** How a name replaced by a copy is named, before its number of hard links and {@code " hard links)"}. */
    static final String REPLACED = "replaced by a copy without set-uid: it had ";
    static final String HARD_LINK = "left set-uid: a hard link, not replaced by a copy";
    static final String TOO_LARGE_LINK = "left set-uid: a hard link larger than 64 MiB, not copied";
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

    /** The state of the walk of one root: what it found, and how many entries it may still look at. */
    private static final class Walk {
        final List<Path> cleared;
        final List<String> failed;
        final List<String> replaced;
        final int maxEntries;
        int entries;
        boolean stopped;
        Id rootId;

        Walk(List<Path> cleared, List<String> failed, List<String> replaced, int maxEntries) {
            this.cleared = cleared;
            this.failed = failed;
            this.replaced = replaced;
            this.maxEntries = maxEntries;
        }

        /** Counts one entry of {@code dir}; false (and {@code dir} named, the walk stopped) beyond the limit. */
        boolean count(Path dir) {
            if (++entries <= maxEntries) return true;
            failed.add(dir + " (" + UNCHECKED + ": more than " + maxEntries + " entries; the rest of this directory and "
                    + "of the walk were not checked)");
            stopped = true;
            return false;
        }
    }

    /** Called before each openat of an entry (tests swap a symbolic link in there); null otherwise. */
    static volatile java.util.function.Consumer<Path> beforeOpen;

    /**
     * Walks {@code root} by descriptor: each directory is opened {@code O_DIRECTORY | O_NOFOLLOW} relative to its
     * parent's descriptor and read with getdents64(2), its entries' names kept as the bytes they are (a name that is
     * not valid in the JVM's encoding is checked like any other) and stat'ed with statx(2) relative to that descriptor,
     * never beyond the root's mount (device and mount id compared).
     */
    private static void walkNative(Path root, Walk walk) {
        int fd;
        try {
            fd = open(AT_FDCWD, nul(root.toString().getBytes(NAMES)), O_RDONLY | O_CLOEXEC | DIR_FLAGS[0] | DIR_FLAGS[1], root);
        } catch (IOException e) {
            walk.failed.add(root + " (" + UNCHECKED + ": " + e.getMessage() + ")");
            return;
        }
        try {
            walk.rootId = id(fd);
            walkDir(fd, root, 0, walk);
        } catch (IOException | RuntimeException e) {
            walk.failed.add(root + " (" + UNCHECKED + ": " + e.getMessage() + ")");
        } finally {
            LibC.close(fd);
        }
    }

    private static void walkDir(int dirFd, Path dir, int depth, Walk walk) {
        try (Memory entries = new Memory(DIRENT_BUFFER); Memory stat = new Memory(STATX_SIZE)) {
            while (true) {
                long n = LibC.syscall(DIR_FLAGS[2], dirFd, entries, DIRENT_BUFFER);
                if (n == 0) return;
                if (n < 0) {
                    int errno = Native.getLastError();
                    if (errno == EINTR) continue;
                    // unreadable (an ordinary user's ticket's chmod 000 of its own directory), or gone meanwhile
                    walk.failed.add(dir + " (" + UNCHECKED + ": cannot be listed: " + reason(errno) + ")");
                    return;
                }
                for (int at = 0, reclen; at < n; at += reclen) {
                    reclen = entries.getShort(at + D_RECLEN) & 0xffff;
                    if (reclen == 0) throw new IllegalStateException("getdents64 returned an entry of length 0");
                    byte[] name = name(entries, at + D_NAME);
                    if (isDotOrDotDot(name)) continue;
                    if (!walk.count(dir)) return;
                    int type = entries.getByte(at + D_TYPE) & 0xff;
                    if (!entry(dirFd, dir, name, type, depth, stat, walk)) return;
                    if (walk.stopped) return;
                }
            }
        }
    }

    /** Checks one entry of {@code dir}; false when the rest of {@code dir} cannot be checked (named then). */
    private static boolean entry(int dirFd, Path dir, byte[] name, int type, int depth, Memory stat, Walk walk) {
        if (type != DT_UNKNOWN && type != DT_DIR && type != DT_REG) return true; // a link, fifo, socket or device
        Path shown = shown(dir, name);
        int mode;
        if (type == DT_DIR) {
            mode = S_IFDIR;
        } else {
            if (LibC.statx(dirFd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_MODE, stat) != 0) {
                int errno = Native.getLastError();
                if (errno == ENOENT) return true; // removed meanwhile: nothing there to run
                if (errno == EACCES) { // readable but not searchable (chmod 444): none of its entries can be checked
                    walk.failed.add(dir + " (" + UNCHECKED + ": its entries cannot be looked at: " + reason(errno) + ")");
                    return false;
                }
                walk.failed.add(shown + " (" + UNCHECKED + ": " + reason(errno) + ")");
                return true;
            }
            mode = stat.getShort(STX_MODE) & 0xffff;
        }
        if ((mode & S_IFMT) == S_IFDIR) {
            if (depth + 1 > MAX_DEPTH) {
                walk.failed.add(shown + " (" + UNCHECKED + ": deeper than " + MAX_DEPTH + " directories)");
                return true;
            }
            int sub;
            try {
                sub = open(dirFd, name, O_RDONLY | O_CLOEXEC | DIR_FLAGS[0] | DIR_FLAGS[1], shown);
            } catch (IOException e) {
                walk.failed.add(shown + " (" + UNCHECKED + ": " + e.getMessage() + ")");
                return true;
            }
            try {
                Id subId = id(sub);
                if (subId.dev() != walk.rootId.dev() || subId.mount() != walk.rootId.mount()) {
                    walk.failed.add(shown + " (" + UNCHECKED + ": a mount point, not descended into)");
                    return true;
                }
                walkDir(sub, shown, depth + 1, walk);
            } catch (IOException | RuntimeException e) {
                walk.failed.add(shown + " (" + UNCHECKED + ": " + e.getMessage() + ")");
            } finally {
                LibC.close(sub);
            }
        } else if ((mode & S_IFMT) == S_IFREG && (mode & (S_ISUID | S_ISGID)) != 0) {
            try {
                clearAt(dirFd, name, shown, walk);
            } catch (IOException | RuntimeException e) {
                walk.failed.add(shown + " (" + e.getMessage() + ")");
            }
        }
        return true;
    }

    /** The NUL-terminated name at {@code offset} of {@code entries}, with its NUL. */
    private static byte[] name(Memory entries, long offset) {
        int length = 0;
        while (entries.getByte(offset + length) != 0) length++;
        return entries.getByteArray(offset, length + 1);
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return name[0] == '.' && (name[1] == 0 || name[1] == '.' && name[2] == 0);
    }

    private static byte[] nul(byte[] bytes) {
        return java.util.Arrays.copyOf(bytes, bytes.length + 1);
    }

    /**
     * How entry {@code name} (NUL-terminated bytes) of {@code dir} is shown: decoded in the JVM's encoding of file names,
     * lossily: a byte sequence not valid there is shown as U+FFFD, or as {@code ?} where that encoding cannot hold U+FFFD
     * (a C or POSIX locale). Only shown: the walk itself goes by the bytes.
     */
    static Path shown(Path dir, byte[] name) {
        String decoded = new String(name, 0, name.length - 1, NAMES);
        CharsetEncoder encoder = NAMES.newEncoder();
        StringBuilder b = new StringBuilder(decoded.length());
        decoded.codePoints().forEach(c -> b.append(encoder.canEncode(Character.toString(c)) ? Character.toString(c) : "?"));
        try {
            return dir.resolve(b.toString());
        } catch (RuntimeException e) {
            return dir.resolve(b.toString().replaceAll("[^\\x20-\\x7e]", "?"));
        }
    }

    /**
     * Clears the bits of regular file {@code name} in directory {@code dirFd}, or, when it has more than one hard link,
     * replaces that name by a copy without them ({@link #replaceByCopy}); adds it to what {@code walk} found, unless it
     * no longer has them.
     */
    private static void clearAt(int dirFd, byte[] name, Path shown, Walk walk) throws IOException {
        // O_PATH | O_NOFOLLOW opens a symbolic link itself: its type, read below, refuses it
        int fd = open(dirFd, name, O_PATH | O_CLOEXEC | DIR_FLAGS[1], shown);
        try {
            Path self = fdPath(fd);
            Map<String, Object> a = Files.readAttributes(self, "unix:mode,nlink,dev,ino,uid,gid");
            int mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) == S_IFLNK) throw new IOException(REPLACED_BY_LINK);
            if ((mode & S_IFMT) != S_IFREG) throw new IOException(UNCHECKED + ": no longer a regular file, replaced meanwhile");
            if ((mode & (S_ISUID | S_ISGID)) == 0) return;
            if ((Long) a.get("dev") != walk.rootId.dev() || mountId(fd) != walk.rootId.mount()) {
                throw new IOException(UNCHECKED + ": a mount point, not changed");
            }
            int nlink = (Integer) a.get("nlink");
            if (nlink > 1) {
                // another name of the file may be outside the writable directories (a host's set-uid tool): the shared
                // inode is not changed; this name gets a copy without the bits instead
                replaceByCopy(dirFd, name, shown, a);
                walk.replaced.add(shown + " (" + REPLACED + nlink + " hard links)");
                return;
            }
            Files.setAttribute(self, "unix:mode", mode & 07777 & ~(S_ISUID | S_ISGID));
            walk.cleared.add(shown);
        } finally {
            LibC.close(fd);
        }
    }

    /** Called before the rename of a copy onto its name (tests fail there, to see the copy removed); null otherwise. */
    static volatile java.util.function.Consumer<Path> beforeRename;

    /**
     * Replaces name {@code name} of directory {@code dirFd} (a regular file with the attributes {@code examined}: mode,
     * dev, ino, uid, gid) by a copy without the set-uid and set-gid bits, never changing the file's inode: the file is
     * opened {@code O_RDONLY | O_NOFOLLOW | O_NONBLOCK} there and checked to be that inode, still a regular file, no
     * larger than {@link #MAX_COPY}; the copy is made beside it under a new name ({@code O_CREAT | O_EXCL | O_NOFOLLOW}),
     * given the file's owner and group (as root; an ordinary user's {@code EPERM} is ignored: the copy is then the
     * user's) and its permission bits without those bits, synced, and renamed onto {@code name} with renameat(2). On any
     * failure the copy is removed and the file is left as it was.
     *
     * @throws IOException saying why nothing was changed
     */
    private static void replaceByCopy(int dirFd, byte[] name, Path shown, Map<String, Object> examined) throws IOException {
        int in;
        try {
            in = open(dirFd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | DIR_FLAGS[1], shown);
        } catch (IOException e) {
            throw new IOException(HARD_LINK + ": " + e.getMessage());
        }
        try {
            Map<String, Object> a = Files.readAttributes(fdPath(in), "unix:mode,dev,ino,size");
            int mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) != S_IFREG || !a.get("dev").equals(examined.get("dev")) || !a.get("ino").equals(examined.get("ino"))) {
                throw new IOException(UNCHECKED + ": replaced meanwhile, not changed");
            }
            if ((Long) a.get("size") > MAX_COPY) throw new IOException(TOO_LARGE_LINK);
            byte[] tmp = null;
            int out = -1;
            java.security.SecureRandom random = new java.security.SecureRandom();
            for (int tries = 0; out < 0; ) {
                tmp = nul((".swarm-setid-copy-" + Long.toUnsignedString(random.nextLong(), 36)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out = LibC.openat(dirFd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | DIR_FLAGS[1], mode & 0700);
                if (out < 0) {
                    int errno = Native.getLastError();
                    if (errno == EINTR || errno == EEXIST && ++tries < 10) continue;
                    throw new IOException(HARD_LINK + ": the copy cannot be created: " + reason(errno));
                }
            }
            boolean renamed = false;
            try {
                copy(in, out);
                if (LibC.fchown(out, (Integer) examined.get("uid"), (Integer) examined.get("gid")) != 0) {
                    int errno = Native.getLastError();
                    if (errno != EPERM) throw new IOException(HARD_LINK + ": the copy's owner cannot be set: " + reason(errno));
                }
                check(LibC.fchmod(out, mode & 0777), "the copy's mode cannot be set");
                check(LibC.fsync(out), "the copy cannot be synced");
                java.util.function.Consumer<Path> hook = beforeRename;
                if (hook != null) hook.accept(shown);
                check(LibC.renameat(dirFd, tmp, dirFd, name), "the copy cannot be renamed onto it");
                renamed = true;
            } finally {
                LibC.close(out);
                if (!renamed) LibC.unlinkat(dirFd, tmp, 0);
            }
        } finally {
            LibC.close(in);
        }
    }

    private static void check(int result, String what) throws IOException {
        if (result != 0) throw new IOException(HARD_LINK + ": " + what + ": " + reason(Native.getLastError()));
    }

    /** Copies {@code in} to {@code out} until the end of {@code in}; more than {@link #MAX_COPY} bytes (grown meanwhile) fails. */
    private static void copy(int in, int out) throws IOException {
        try (Memory buffer = new Memory(COPY_BUFFER)) {
            long total = 0;
            while (true) {
                long n = LibC.read(in, buffer, COPY_BUFFER);
                if (n == 0) return;
                if (n < 0) {
                    int errno = Native.getLastError();
                    if (errno == EINTR) continue;
                    throw new IOException(HARD_LINK + ": it cannot be read: " + reason(errno));
                }
                total += n;
                if (total > MAX_COPY) throw new IOException(TOO_LARGE_LINK);
                for (long done = 0; done < n; ) {
                    long w = LibC.write(out, buffer.share(done), n - done);
                    if (w < 0) {
                        int errno = Native.getLastError();
                        if (errno == EINTR) continue;
                        throw new IOException(HARD_LINK + ": the copy cannot be written: " + reason(errno));
                    }
                    done += w;
                }
            }
        }
    }

    private static final int COPY_BUFFER = 64 * 1024;

    /**
     * Where the native walk is not available: walks by path, never beyond the root's device, and changes nothing; the
     * set-uid files found are named ({@link #NO_SAFE_WAY}), a directory that cannot be listed too.
     */
    private static void walkJdk(Path root, Walk walk) {
        long rootDev;
        try {
            rootDev = (Long) attributes(root).get("dev");
        } catch (IOException | RuntimeException e) {
            walk.failed.add(root + " (" + UNCHECKED + ": " + e.getMessage() + ")");
            return;
        }
        ArrayDeque<Path> dirs = new ArrayDeque<>();
        dirs.push(root);
        while (!dirs.isEmpty() && !walk.stopped) {
            Path dir = dirs.pop();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    if (!walk.count(dir)) break;
                    Map<String, Object> a;
                    try {
                        a = attributes(entry);
                    } catch (AccessDeniedException e) {
                        walk.failed.add(entry + " (" + UNCHECKED + ": permission denied (EACCES))");
                        continue;
                    } catch (IOException | RuntimeException e) {
                        if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) walk.failed.add(entry + " (" + UNCHECKED + ": " + e.getMessage() + ")");
                        continue;
                    }
                    int mode = (Integer) a.get("mode");
                    if ((mode & S_IFMT) == S_IFDIR) {
                        if ((Long) a.get("dev") != rootDev) walk.failed.add(entry + " (" + UNCHECKED + ": a mount point, not descended into)");
                        else dirs.push(entry);
                    } else if ((mode & S_IFMT) == S_IFREG && (mode & (S_ISUID | S_ISGID)) != 0) {
                        walk.failed.add(entry + " (" + NO_SAFE_WAY + ")");
                    }
                }
            } catch (AccessDeniedException e) {
                walk.failed.add(dir + " (" + UNCHECKED + ": cannot be listed: permission denied (EACCES))");
            } catch (IOException | RuntimeException e) {
                walk.failed.add(dir + " (" + UNCHECKED + ": cannot be listed: " + e.getMessage() + ")");
            }
        }
    }

    /** Whether {@link #clear} changes files: JNA loaded on x86-64 or arm64 (otherwise it only names them). */
    static boolean clearBeneathIsSafe() {
        return NATIVE;
    }

    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EEXIST = 17;
    private static final int EACCES = 13;
    private static final int S_IFLNK = 0120000;
    static final String REPLACED_BY_LINK = "not changed: a symbolic link now (replaced meanwhile), not followed";

    /** What errno {@code errno} (the same numbers on x86-64 and arm64) means here, with its name. */
    static String reason(int errno) {
        return switch (errno) {
            case 1 -> "operation not permitted (EPERM)";
            case ENOENT -> "removed meanwhile (ENOENT)";
            case 5 -> "input/output error (EIO)";
            case 12 -> "out of memory (ENOMEM)";
            case EACCES -> "permission denied (EACCES)";
            case EEXIST -> "exists (EEXIST)";
            case 20 -> "no longer a directory: a symbolic link or a file replaced it meanwhile, not followed (ENOTDIR)";
            case 23 -> "too many open files in the system (ENFILE)";
            case 24 -> "too many open files (EMFILE)";
            case 27 -> "file too large (EFBIG)";
            case 28 -> "no space left on device (ENOSPC)";
            case 30 -> "read-only file system (EROFS)";
            case 36 -> "name too long (ENAMETOOLONG)";
            case 40 -> "a symbolic link now (replaced meanwhile), not followed (ELOOP)";
            default -> "errno " + errno;
        };
    }

    /** openat(2) of NUL-terminated {@code name} in {@code dirFd}; the error says what errno meant for {@code shown}. */
    private static int open(int dirFd, byte[] name, int flags, Path shown) throws IOException {
        if (dirFd != AT_FDCWD) {
            java.util.function.Consumer<Path> hook = beforeOpen;
            if (hook != null) hook.accept(shown);
        }
        while (true) {
            int fd = LibC.openat(dirFd, name, flags, 0);
            if (fd >= 0) return fd;
            int errno = Native.getLastError();
            if (errno != EINTR) {
                String what = (flags & DIR_FLAGS[0]) != 0 && errno == EACCES ? "cannot be listed: " : "cannot be opened: ";
                throw new IOException(what + reason(errno));
            }
        }
    }
    /**
     * The warning for {@code cleared} after attempt {@code attempt}, when it is not known which of the directories are
     * shared with the run's other tickets: says the files were written by this attempt or, in the run's shared directory,
     * by this or another ticket. See {@link #warning(int, Cleared, Collection, Collection)}.
     */
    public static String warning(int attempt, Cleared cleared, Collection<String> masked) {
        return warning(attempt, cleared, masked, null);
    }

    /**
     * The warning for {@code cleared} after attempt {@code attempt}: names up to {@link #NAMED} files of each kind
     * (control characters shown as {@code ?}, {@code masked} values as {@code ***}), counts the others. A file beneath
     * one of {@code shared} (the run's {@code $SWARM_SCRATCH}, which all its tickets write) is not said to be this
     * attempt's: "in the run's shared directory (written by this or another ticket)".
     *
     * @param shared the directories the run's tickets share (absolute; resolved with {@link Path#toRealPath} when they
     *               exist), or null when not known: then no file is said to be this attempt's alone
     * @return one line, never null
     */
    public static String warning(int attempt, Cleared cleared, Collection<String> masked, Collection<Path> shared) {
        List<Path> sharedDirs = shared == null ? null : shared.stream().map(SetIdBits::real).toList();
        List<String> own = new ArrayList<>();
        List<String> inShared = new ArrayList<>();
        for (Path file : cleared.cleared()) {
            if (sharedDirs != null && sharedDirs.stream().noneMatch(file::startsWith)) own.add(file.toString());
            else inShared.add(file.toString());
        }
        List<String> parts = new ArrayList<>();
        String runs = ", which would run as the file's owner (or group) for anyone who ran it on the host; Swarmflow cleared "
                + "those bits (chmod u-s,g-s): ";
        if (!own.isEmpty()) {
            parts.add("it left " + files(own.size()) + " set-user-id or set-group-id in the directories it could write" + runs
                    + names(own, masked));
        }
        if (!inShared.isEmpty()) {
            String where = sharedDirs == null
                    ? " in the directories it could write (written by it, or, in the run's shared directory, by this or "
                            + "another ticket)"
                    : " in the run's shared directory (written by this or another ticket)";
            parts.add(files(inShared.size()) + where + (inShared.size() == 1 ? " was" : " were") + " set-user-id or set-group-id"
                    + runs + names(inShared, masked));
        }
        if (!cleared.replaced().isEmpty()) {
            parts.add(files(cleared.replaced().size()) + " set-user-id or set-group-id with more than one hard link "
                    + (cleared.replaced().size() == 1 ? "was" : "were") + " in the directories it could write; Swarmflow "
                    + "replaced each such name by a copy without those bits, leaving the file's other names as they were: "
                    + names(cleared.replaced(), masked));
        }
        if (!cleared.failed().isEmpty()) {
            parts.add("set-user-id or set-group-id files that Swarmflow did not change, or directories it could not check for "
                    + "them, are in the directories it could write: " + names(cleared.failed(), masked) + "; do not run such "
                    + "files, and remove them (rm removes only that name; chmod u-s,g-s would also change the file's other "
                    + "hard links)");
        }
        return "after attempt " + attempt + ", " + String.join("; and ", parts);
    }

    private static String files(int n) {
        return n == 1 ? "a file" : n + " files";
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException | RuntimeException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    private static String names(List<String> all, Collection<String> masked) {
        List<String> shown = all.stream().limit(NAMED)
                .map(s -> MaskingInputStream.mask(s, masked).replaceAll("\\p{Cntrl}", "?")).toList();
        return String.join(", ", shown) + (all.size() > NAMED ? " and " + (all.size() - NAMED) + " more" : "");
    }
}
