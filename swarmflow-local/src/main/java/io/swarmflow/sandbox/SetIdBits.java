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
 * entry's type and mode read with statx(2) {@code AT_SYMLINK_NOFOLLOW} relative to that descriptor (called through
 * syscall(2), so a glibc older than 2.28, which has no statx function, clears too; where statx gives ENOSYS (a kernel
 * older than 4.11) or EPERM also for {@code /} (a seccomp filter without statx, as old Docker's default profile), read
 * for the rest of the process with newfstatat(2), also through syscall(2), not through the JDK, whose attributes come
 * from glibc's statx since JDK 22; one whose directory
 * entry says it is a directory is opened at once), and each set-uid file opened {@code O_PATH | O_NOFOLLOW} the same
 * way, its type and mode read from the descriptor (statx {@code AT_EMPTY_PATH}) and chmod(2) sent to
 * {@code /proc/self/fd/N} (the way glibc's
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
 * at, still a regular file; the copy is created in that directory without a name ({@code O_TMPFILE}, so a coordinator
 * that dies while copying leaves nothing behind; where the file system has no {@code O_TMPFILE}, under a new random
 * name, {@code O_CREAT | O_EXCL | O_NOFOLLOW}), given the file's owner and group (as root; as an ordinary user the copy
 * stays the user's), its permission bits without set-uid, set-gid and sticky, synced, linked in under a new random name
 * (linkat(2) of {@code /proc/self/fd/N}) and renamed onto the name with renameat(2), which follows no link; then the
 * name is checked to be the copy (another ticket sharing the directory could have swapped the temporary name: then it
 * is named, "could not be checked: its name was replaced meanwhile ..."). Each such name in the walked directories is
 * handled so (the last may have one link left and is then cleared in place), so the file survives under each of them,
 * without the bits, and a name elsewhere keeps the inode as it was. The copy has new times and no extended attributes.
 * Such a name is listed in {@link Cleared#replaced()} ("replaced by a copy without set-uid: it had N hard links"). One
 * {@link #clear} call copies at most {@link #MAX_COPIED} (64 MiB) in all, counted as the files' apparent sizes before
 * copying (a sparse file counts fully), so however many hard links a ticket makes, the end of its attempt writes at
 * most 64 MiB of copies. Only a name that is not copied on purpose (a file larger than {@link #MAX_COPY}, 64 MiB, or
 * the walk's copy budget used up) is removed instead (unlinkat(2) by the directory's descriptor, after checking it is
 * still the same inode and still has more than one hard link: one that became the only name is cleared in place; the
 * file survives under its other names), and listed in {@link Cleared#replaced()} ("removed:
 * a set-uid file with N hard links that could not be copied (why)"); when that name cannot be removed either (a
 * read-only directory) it is left set-uid and named ("left set-uid: a hard link, not replaced by a copy: ...; nor
 * removed: ...", with the errnos' names). When the copy fails for any other reason (the coordinator cannot read the
 * file; a copy that cannot be created or written: a read-only directory, EMFILE, ENOMEM, ENOSPC, EDQUOT, EAGAIN, ...)
 * the name is not removed: it is left set-uid and named ("left set-uid: a hard link, not replaced by a copy: why"). When another walk of the same directory (a shared scratch) replaced the name
 * meanwhile and it is no longer set-uid, it is not listed. Two walks of this process ending at once (two attempts'
 * walks of the run's shared scratch) act on one file's names one after the other: each holds a lock of the file (its
 * device and inode) while it looks again whether the name is still that file and how many links it has left, and
 * replaces, removes or clears it; so they cannot both remove their name of one file, nor clear in place a file whose
 * name here the other just replaced by a copy (its names left may be a host's set-uid tool). A walk of another process
 * is not held back.</li>
 * <li>Where that native path is not available (JNA cannot load, or an architecture other than x86-64 and arm64) nothing
 * is changed: the walk (by path, not crossing devices) only names the set-uid files it finds ("not changed: no safe way
 * to change it on this system").</li>
 * </ul>
 * A directory that cannot be listed (an ordinary user's ticket's {@code chmod 000}: "cannot be listed: permission denied
 * (EACCES)") or opened, or whose entries cannot be looked at ({@code chmod 444}), or that lies more than
 * {@link #MAX_DEPTH} directories deep, is named ("could not be checked"), not skipped silently; errors are named with
 * the errno's name. A file or directory removed between the listing and its look is not named (nothing is left to run). A walk looks at no more than {@link #MAX_ENTRIES} entries of one root: beyond that the directory it
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
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;

    /** How many files the warning names; the others are counted. */
    static final int NAMED = 20;

    /**
     * What {@link #clear} did.
     *
     * @param cleared the regular files whose set-uid or set-gid bit it cleared (absolute paths)
     * @param failed  the files it found so but did not change (a hard link it could not copy, a mount
     *                point, no safe way here, an error), and the directories it could not check, each with the reason in
     *                parentheses
     * @param replaced the names of set-uid or set-gid files with more than one hard link that it replaced by a copy
     *                 without those bits, each as the absolute path followed by
     *                 {@code " (replaced by a copy without set-uid: it had N hard links)"}, or, when no copy could be
     *                 made because the file is larger than 64 MiB or the copy budget was used up, that it removed,
     *                 followed by
     *                 {@code " (removed: a set-uid file with N hard links that could not be copied (why))"}
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

    static final class LibC {
        private LibC() {}

        /** openat(2); {@code path} NUL-terminated bytes, as the directory holds them. */
        static native int openat(int dirFd, byte[] path, int flags, int mode);

        /** syscall(2) with three integer or pointer arguments (getdents64); glibc's syscall reads registers, not va_arg. */
        static native long syscall(long number, long a, Pointer b, long c);

        /**
         * syscall(2) with five arguments (statx: dirfd, path, flags, mask, buffer); glibc has a statx function only since
         * 2.28, and one missing symbol would make the whole registration fail.
         */
        static native long syscall(long number, long dirFd, byte[] path, long flags, long mask, Pointer buf);

        /** syscall(2) with four arguments (newfstatat: dirfd, path, buffer, flags). */
        static native long syscall(long number, long dirFd, byte[] path, Pointer buf, long flags);

        /** linkat(2); both names NUL-terminated bytes. */
        static native int linkat(int oldDirFd, byte[] oldName, int newDirFd, byte[] newName, int flags);

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

    static final int AT_FDCWD = -100;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 02000000;
    /** O_PATH, the same on x86-64 and arm64 (asm-generic/fcntl.h). */
    private static final int O_PATH = 010000000;
    /** O_NONBLOCK, the same on x86-64 and arm64 (asm-generic/fcntl.h). */
    static final int O_NONBLOCK = 04000;
    static final int EINTR = 4;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EOPNOTSUPP = 95;
    /**
     * {O_DIRECTORY, O_NOFOLLOW, SYS_getdents64, SYS_statx, SYS_newfstatat, and where struct stat (of newfstatat) holds
     * st_mode, st_nlink and st_uid (st_gid follows it)} for this architecture (x86-64: arch/x86/include/uapi/asm/stat.h;
     * arm64: asm-generic/stat.h), or null when unknown.
     */
    static final int[] DIR_FLAGS = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> new int[] {0200000, 0400000, 217, 332, 262, 24, 16, 28};
        case "aarch64", "arm64" -> new int[] {040000, 0100000, 61, 291, 79, 16, 20, 24};
        default -> null;
    };
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_NO_AUTOMOUNT = 0x800;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    /** struct statx: its size and where stx_mode (u16) lies; the same on every architecture (linux/stat.h). */
    private static final int STATX_SIZE = 256;
    private static final int STX_MODE = 28;
    private static final int STATX_INO = 0x100;
    private static final int STATX_NLINK = 0x4;
    /** stx_nlink (u32). */
    private static final int STX_NLINK = 16;
    /** stx_ino (u64), stx_dev_major and stx_dev_minor (u32). */
    private static final int STX_INO = 32;
    private static final int STX_DEV_MAJOR = 136;
    private static final int STX_DEV_MINOR = 140;
    /** stx_uid and stx_gid (u32), stx_size (u64). */
    private static final int STX_UID = 20;
    private static final int STX_GID = 24;
    private static final int STX_SIZE = 40;
    /** struct stat's st_dev and st_ino (u64) and st_size (s64), the same on x86-64 and arm64. */
    private static final int ST_DEV = 0;
    private static final int ST_INO = 8;
    private static final int ST_SIZE = 48;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final byte[] EMPTY = {0};
    private static final byte[] ROOT = {'/', 0};
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
        long[] copyLeft = {MAX_COPIED};
        for (Path root : walked) {
            Walk walk = new Walk(cleared, failed, replaced, maxEntries, copyLeft);
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
     * The largest set-uid or set-gid file with more than one hard link that is replaced by a copy (64 MiB); a name of a
     * larger one is removed instead ({@link #REMOVED}); all the copies of one walk together are bounded by
     * {@link #MAX_COPIED}.
     */
    static final long MAX_COPY = 64L * 1024 * 1024;

    /**
     * How many bytes all the copies of one {@link #clear} call may take together (64 MiB, counted as the files' apparent
     * sizes before copying, so a sparse file counts fully): a name whose copy would go beyond it is removed instead
     * ({@link #REMOVED}), so however many hard links a ticket makes, the end of its attempt writes at most this much.
     */
    static final long MAX_COPIED = 64L * 1024 * 1024;
    /** How a name that could not be replaced by a copy, and was removed instead, is named, before its number of links. */
    static final String REMOVED = "removed: a set-uid file with ";
    /** How a name replaced by a copy is named, before its number of hard links and {@code " hard links)"}. */
    static final String REPLACED = "replaced by a copy without set-uid: it had ";
    static final String HARD_LINK = "left set-uid: a hard link, not replaced by a copy";
    static final String TOO_LARGE_LINK = "larger than 64 MiB";
    static final String OVER_BUDGET = "the copies of this walk already took 64 MiB";
    static final String UNCHECKED = "could not be checked";
    static final String NO_SAFE_WAY = "not changed: no safe way to change it on this system";

    /** The identity of an opened directory or file: device, mount and inode. */
    private record Id(long dev, long mount, long ino) {}

    private static Map<String, Object> attributes(Path path) throws IOException {
        return Files.readAttributes(path, "unix:mode,nlink,dev,ino", LinkOption.NOFOLLOW_LINKS);
    }

    static Path fdPath(int fd) {
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
        Map<String, Object> a = attributes(fd);
        return new Id((Long) a.get("dev"), mountId(fd), (Long) a.get("ino"));
    }

    /** The state of the walk of one root: what it found, and how many entries it may still look at. */
    static final class Walk {
        final List<Path> cleared;
        final List<String> failed;
        final List<String> replaced;
        final int maxEntries;
        int entries;
        boolean stopped;
        Id rootId;
        /** How many bytes (apparent size) the copies of this {@link #clear} call may still take, shared by its walks. */
        final long[] copyLeft;

        Walk(List<Path> cleared, List<String> failed, List<String> replaced, int maxEntries, long[] copyLeft) {
            this.cleared = cleared;
            this.failed = failed;
            this.replaced = replaced;
            this.maxEntries = maxEntries;
            this.copyLeft = copyLeft;
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
                    if (errno == ENOENT) return; // removed meanwhile (another ticket cleaning up the shared scratch): empty
                    // unreadable (an ordinary user's ticket's chmod 000 of its own directory)
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
            int errno = statx(dirFd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_MODE, stat);
            if (errno != 0) {
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
                // removed meanwhile (another ticket of the run cleaning its own directory in the shared scratch): nothing
                // there to run, as for a file
                if (OpenFailed.is(e, ENOENT)) return true;
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
                if (OpenFailed.is(e, ENOENT)) {
                    return true; // removed meanwhile: nothing there to run
                }
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

    static byte[] nul(byte[] bytes) {
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
     * replaces that name by a copy without them or removes it ({@link SetIdCopies#replaceOrRemove}); adds it to what
     * {@code walk} found, unless it no longer has them.
     */
    private static void clearAt(int dirFd, byte[] name, Path shown, Walk walk) throws IOException {
        // O_PATH | O_NOFOLLOW opens a symbolic link itself: its type, read below, refuses it
        int fd = open(dirFd, name, O_PATH | O_CLOEXEC | DIR_FLAGS[1], shown);
        try {
            java.util.function.Consumer<Path> hook = afterOpen;
            if (hook != null) hook.accept(shown);
            Path self = fdPath(fd);
            Map<String, Object> a = attributes(fd);
            int mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) == S_IFLNK) throw new IOException(REPLACED_BY_LINK);
            if ((mode & S_IFMT) != S_IFREG) throw new IOException(UNCHECKED + ": no longer a regular file, replaced meanwhile");
            if ((mode & (S_ISUID | S_ISGID)) == 0) return;
            if ((Long) a.get("dev") != walk.rootId.dev() || mountId(fd) != walk.rootId.mount()) {
                throw new IOException(UNCHECKED + ": a mount point, not changed");
            }
            InodeLock lock = InodeLock.acquire((Long) a.get("dev"), (Long) a.get("ino"));
            try {
                clearLocked(dirFd, fd, name, shown, a, walk);
            } finally {
                lock.release();
            }
        } finally {
            LibC.close(fd);
        }
    }

    /**
     * {@link #clearAt} of the set-uid or set-gid file {@code fd} (opened by {@code name} in {@code dirFd}; {@code a}
     * its attributes as first read), holding its {@link InodeLock}: first checks that {@code name} is still that file
     * and takes its mode and number of links from that same look, as another walk of this process (of a shared scratch)
     * may have replaced or removed one of its names between the first look and the lock, and a process still running
     * may remove this name at any time.
     */
    private static void clearLocked(int dirFd, int fd, byte[] name, Path shown, Map<String, Object> a, Walk walk)
            throws IOException {
        Path self = fdPath(fd);
        At now = idAt(dirFd, name);
        if (now.errno() != 0) {
            if (now.errno() == ENOENT) return; // removed meanwhile: nothing there to run
            throw new IOException(UNCHECKED + ": " + reason(now.errno()));
        }
        if (!now.is(a)) {
            // another walk replaced this name by a copy meanwhile: the file looked at may now have only names elsewhere
            // (a host's set-uid tool), so it is not changed in place
            if (clearedMeanwhile(dirFd, name)) return;
            throw new IOException(UNCHECKED + ": replaced meanwhile, not changed");
        }
        java.util.function.Consumer<Path> rechecked = afterRecheck;
        if (rechecked != null) rechecked.accept(shown);
        // the mode and number of links from the same statx that found the name to be the file, not read again: a
        // process still running (a ticket in the shared scratch) may remove this name at any time; a file this name
        // was the only name of then can get no name outside the walked directories, but one read later through the
        // descriptor could show one link left, the host's, and the file would be changed in place
        int mode = now.mode();
        if ((mode & (S_ISUID | S_ISGID)) == 0) return; // another walk cleared it in place meanwhile
        int nlink = (int) now.nlink();
        if (nlink > 1) {
            a = new java.util.HashMap<>(a);
            a.put("mode", mode);
            a.put("nlink", nlink);
            // another name of the file may be outside the writable directories (a host's set-uid tool): the shared
            // inode is not changed; this name gets a copy without the bits instead, or, when no copy can be made,
            // is removed (the file survives under its other names)
            SetIdCopies.replaceOrRemove(dirFd, name, shown, self, a, walk);
            return;
        }
        Files.setAttribute(self, "unix:mode", mode & 07777 & ~(S_ISUID | S_ISGID));
        walk.cleared.add(shown);
    }

    /** Called in {@link #clearAt} after a set-uid file's {@code O_PATH} open, before its attributes are read (tests let another walk run there); null otherwise. */
    static volatile java.util.function.Consumer<Path> afterOpen;

    /**
     * Called in {@link #clearLocked} once the name was found to be still the file, holding its lock (tests remove the
     * name there, as a ticket process still running could); null otherwise.
     */
    static volatile java.util.function.Consumer<Path> afterRecheck;

    /**
     * A lock per file (device and inode) that a walk of this process holds while it examines and replaces, removes or
     * clears one of the file's names ({@link #clearLocked}): two walks ending at once (two attempts' walks of the run's
     * shared scratch, or of two directories that each hold a name of the file) act on one file's names one after the
     * other, each seeing the links the other left, so they cannot both remove their name of a file too large to copy,
     * nor clear in place a file whose last name in the walked directories the other just replaced by a copy (its
     * other names may be a host's set-uid tool). A {@link java.util.concurrent.locks.ReentrantLock}, not {@code synchronized}: the walks run on
     * virtual threads. Only within this process: another coordinator's walk of the same directory is not held back.
     */
    private static final class InodeLock {
        /** The locks held or waited for, by device and inode; guarded by itself. */
        private static final Map<List<Long>, InodeLock> HELD = new java.util.HashMap<>();

        private final List<Long> key;
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        /** How many walks hold or wait for it; guarded by {@link #HELD}. */
        private int users;

        private InodeLock(List<Long> key) {
            this.key = key;
        }

        /** Waits for the lock of the file with device {@code dev} and inode {@code ino}, and holds it. */
        static InodeLock acquire(long dev, long ino) {
            InodeLock l;
            synchronized (HELD) {
                l = HELD.computeIfAbsent(List.of(dev, ino), InodeLock::new);
                l.users++;
            }
            boolean locked = false;
            try {
                Runnable hook = beforeLock;
                if (hook != null) hook.run();
                l.lock.lock();
                locked = true;
            } finally {
                if (!locked) { // lock() threw (an OutOfMemoryError queueing the wait): no longer waited for
                    synchronized (HELD) {
                        if (--l.users == 0) HELD.remove(l.key);
                    }
                }
            }
            return l;
        }

        /** Releases the lock (by the thread that {@link #acquire}d it). */
        void release() {
            lock.unlock();
            synchronized (HELD) {
                if (--users == 0) HELD.remove(key);
            }
        }

        /** Whether a walk waits for a lock another holds (tests wait for it). */
        static boolean waited() {
            synchronized (HELD) {
                return HELD.values().stream().anyMatch(l -> l.lock.hasQueuedThreads());
            }
        }
    }

    /** How many files' locks are held or waited for now (tests check none is left behind). */
    static int inodeLocksHeld() {
        synchronized (InodeLock.HELD) {
            return InodeLock.HELD.size();
        }
    }

    /**
     * Called in {@link InodeLock#acquire} once the lock is counted as waited for, before it is taken (tests throw there,
     * as lock() could with an OutOfMemoryError); null otherwise.
     */
    static volatile Runnable beforeLock;

    /** Whether a walk waits for the lock of a file another walk is acting on (tests wait for it). */
    static boolean inodeLockWaited() {
        return InodeLock.waited();
    }

    /** Called before the rename of a copy onto its name (tests fail there, to see the copy removed); null otherwise. */
    static volatile java.util.function.Consumer<Path> beforeRename;

    /**
     * Called before each copy is written with the name shown; a non-zero result is taken as the errno of a failed write
     * (tests make the copy fail so, for a reason other than size); null otherwise.
     */
    static volatile java.util.function.ToIntFunction<Path> copyErrno;

    /** Called with the bytes each copy wrote (tests count them); null otherwise. */
    static volatile java.util.function.LongConsumer afterCopy;


    /** Whether {@code name} in {@code dirFd} is now a regular file without set-uid and set-gid (another walk's copy). */
    static boolean clearedMeanwhile(int dirFd, byte[] name) {
        try (Memory stat = new Memory(STATX_SIZE)) {
            if (statx(dirFd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_MODE, stat) != 0) return false;
            int mode = stat.getShort(STX_MODE) & 0xffff;
            return (mode & S_IFMT) == S_IFREG && (mode & (S_ISUID | S_ISGID)) == 0;
        }
    }

    /**
     * The device, inode, number of hard links and mode (type and permission bits) of {@code name} in {@code dirFd}, from
     * one statx(2), not following a link, as {@link Files#readAttributes} gives them ({@code unix:dev}, {@code unix:ino},
     * {@code unix:nlink}, {@code unix:mode}), or, when it cannot be looked at, the errno why.
     */
    static At idAt(int dirFd, byte[] name) {
        try (Memory stat = new Memory(STATX_SIZE)) {
            int errno = statx(dirFd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_MODE | STATX_INO | STATX_NLINK, stat);
            if (errno != 0) return new At(errno, 0, 0, 0, 0);
            return new At(0, dev(stat), stat.getLong(STX_INO), stat.getInt(STX_NLINK) & 0xffffffffL, stat.getShort(STX_MODE) & 0xffff);
        }
    }

    /**
     * What {@link #idAt} found: {@code errno} 0 and the name's device, inode, number of links and mode, all from one
     * statx(2); or the errno it failed with (then the rest 0).
     */
    record At(int errno, long dev, long ino, long nlink, int mode) {
        /** Whether the name was looked at and is the file with attributes {@code a} ({@code unix:dev}, {@code unix:ino}). */
        boolean is(Map<String, Object> a) {
            return errno == 0 && dev == (Long) a.get("dev") && ino == (Long) a.get("ino");
        }
    }

    /**
     * Called before {@link SetIdCopies#unlinkIfSame} re-checks the name (tests remove the file's other name there); null
     * otherwise.
     */
    static volatile java.util.function.Consumer<Path> beforeUnlink;

    /**
     * Called in {@link SetIdCopies#unlinkIfSame} after the name was found to be the same file with another name left,
     * just before unlinkat(2) (tests let another walk check its own name of the file there); null otherwise.
     */
    static volatile java.util.function.Consumer<Path> beforeUnlinkAt;


    /**
     * Set once statx(2) returned ENOSYS (a kernel older than 4.11), or EPERM also for {@code /} (a seccomp filter that
     * does not allow it, as old versions of Docker's default seccomp profile): from then on, for the rest of the
     * process, {@link #statx} reads the attributes with newfstatat(2) instead.
     */
    static volatile boolean statxMissing;

    /**
     * Tests set it to an errno that every statx(2) of a name (also the probe of {@code /}; not of a descriptor,
     * {@code AT_EMPTY_PATH}) then fails with (ENOSYS as on a kernel older than 4.11, EPERM as under a seccomp filter
     * without statx); 0 otherwise.
     */
    static volatile int forcedStatxErrno;

    /**
     * Tests set it to give the errno a statx(2) of a name (as the directory holds it, without its NUL; {@code "/"} for
     * the probe) fails with, 0 for none (a FUSE file system or an LSM refusing one file with EPERM); null otherwise.
     */
    static volatile java.util.function.ToIntFunction<String> statxErrnoOf;

    private static final int ENOSYS = 38;

    /**
     * statx(2) through syscall(2) (glibc has a statx function only since 2.28); {@code path} NUL-terminated bytes (empty
     * with {@code AT_EMPTY_PATH}: {@code dirFd} itself). Where the kernel has no statx (ENOSYS: older than 4.11; glibc's
     * own statx would fall back the same way) or a seccomp filter refuses it (EPERM, which statx itself is not
     * documented to give: old versions of Docker's default seccomp profile; told from one file refusing it, a FUSE file
     * system's or an LSM's EPERM, by a statx of {@code /}, which then succeeds and the file's EPERM is returned), fills
     * {@code buf}'s type and mode, number of links, owner, group, inode, size and device from newfstatat(2) with the same
     * {@code flags}, also through syscall(2), for this call and every later one. Not the JDK's attributes: since JDK 22
     * (JDK-8316304) they are read with glibc's statx, which fails with the same EPERM.
     *
     * @return 0, or the errno it failed with (taken at the failing call, not through {@link Native#getLastError} later:
     *         a virtual thread may resume on another carrier, whose errno that would give)
     */
    static int statx(int dirFd, byte[] path, int flags, int mask, Pointer buf) {
        int result = statx0(dirFd, path, flags, mask, buf);
        Runnable hook = afterStatx;
        if (hook != null) hook.run();
        return result;
    }

    /**
     * Called at the end of each {@link #statx} (tests make a JNA call there that sets another errno, as a virtual thread
     * resumed on another carrier would see); null otherwise.
     */
    static volatile Runnable afterStatx;

    private static int statx0(int dirFd, byte[] path, int flags, int mask, Pointer buf) {
        if (!statxMissing) {
            int errno = statxSyscall(dirFd, path, flags, mask, buf);
            if (errno == 0 || errno != ENOSYS && errno != EPERM) return errno;
            // EPERM: a seccomp filter refuses every statx, or only this file refuses it (FUSE, an LSM): look at "/"
            if (errno == EPERM && statxSyscall(AT_FDCWD, ROOT, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, buf) != EPERM) {
                return EPERM;
            }
            statxMissing = true;
        }
        return statxByFstatat(dirFd, path, flags, buf);
    }

    /** statx(2) itself, or the errno a test hook forces for {@code path}. */
    private static int statxSyscall(int dirFd, byte[] path, int flags, int mask, Pointer buf) {
        if (path[0] != 0) {
            int forced = forcedStatxErrno;
            java.util.function.ToIntFunction<String> of = statxErrnoOf;
            if (forced == 0 && of != null) {
                forced = of.applyAsInt(new String(path, 0, path.length - 1, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            if (forced != 0) return forced;
        }
        if (LibC.syscall(DIR_FLAGS[3], dirFd, path, flags, mask, buf) == 0) return 0;
        return Native.getLastError(); // at once: a virtual thread may resume on another carrier later
    }

    /** {@link #statx} where the kernel has none or a seccomp filter refuses it: see there. */
    private static int statxByFstatat(int dirFd, byte[] path, int flags, Pointer buf) {
        while (LibC.syscall(DIR_FLAGS[4], dirFd, path, buf, flags) != 0) {
            int errno = Native.getLastError();
            if (errno != EINTR) return errno;
        }
        long dev = buf.getLong(ST_DEV);
        long ino = buf.getLong(ST_INO);
        int mode = buf.getInt(DIR_FLAGS[5]);
        int nlink = buf.getInt(DIR_FLAGS[6]); // x86-64's is 64 bits: its low half, little-endian
        int uid = buf.getInt(DIR_FLAGS[7]);
        int gid = buf.getInt(DIR_FLAGS[7] + 4);
        long size = buf.getLong(ST_SIZE);
        // the kernel's new_encode_dev; glibc's gnu_dev_major and gnu_dev_minor, the inverse of the makedev in idAt
        long major = ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
        long minor = ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
        buf.setInt(STX_NLINK, nlink);
        buf.setInt(STX_UID, uid);
        buf.setInt(STX_GID, gid);
        buf.setShort(STX_MODE, (short) mode);
        buf.setLong(STX_INO, ino);
        buf.setLong(STX_SIZE, size);
        buf.setInt(STX_DEV_MAJOR, (int) major);
        buf.setInt(STX_DEV_MINOR, (int) minor);
        return 0;
    }

    /**
     * The attributes of descriptor {@code fd} (an {@code O_PATH} one too, not following a link) as
     * {@link Files#readAttributes} gives them, from {@link #statx} with {@code AT_EMPTY_PATH} (not the JDK's: see
     * there): {@code mode}, {@code nlink}, {@code uid}, {@code gid} (Integer), {@code dev}, {@code ino}, {@code size}
     * (Long).
     *
     * @throws IOException saying why it cannot be looked at, with the errno's name
     */
    static Map<String, Object> attributes(int fd) throws IOException {
        try (Memory stat = new Memory(STATX_SIZE)) {
            int errno = statx(fd, EMPTY, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, stat);
            if (errno != 0) throw new IOException("cannot be looked at: " + reason(errno));
            return Map.of("mode", stat.getShort(STX_MODE) & 0xffff, "nlink", stat.getInt(STX_NLINK),
                    "uid", stat.getInt(STX_UID), "gid", stat.getInt(STX_GID), "dev", dev(stat),
                    "ino", stat.getLong(STX_INO), "size", stat.getLong(STX_SIZE));
        }
    }

    /** The dev_t that stat(2) gives (glibc's makedev) of statx {@code stat}'s stx_dev_major and stx_dev_minor. */
    private static long dev(Memory stat) {
        long major = stat.getInt(STX_DEV_MAJOR) & 0xffffffffL;
        long minor = stat.getInt(STX_DEV_MINOR) & 0xffffffffL;
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

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

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EEXIST = 17;
    private static final int EACCES = 13;
    private static final int S_IFLNK = 0120000;
    static final String REPLACED_BY_LINK = "not changed: a symbolic link now (replaced meanwhile), not followed";

    /**
     * What errno {@code errno} (the same numbers on x86-64 and arm64, asm-generic/errno-base.h and errno.h) means here,
     * with its name; "errno N" only for a number not in the table.
     */
    static String reason(int errno) {
        return switch (errno) {
            case 1 -> "operation not permitted (EPERM)";
            case ENOENT -> "removed meanwhile (ENOENT)";
            case 3 -> "no such process (ESRCH)";
            case 4 -> "interrupted (EINTR)";
            case 5 -> "input/output error (EIO)";
            case 6 -> "no such device or address (ENXIO)";
            case 7 -> "argument list too long (E2BIG)";
            case 9 -> "bad file descriptor (EBADF)";
            case 11 -> "busy: leased or locked by another process, try again (EAGAIN)";
            case 12 -> "out of memory (ENOMEM)";
            case EACCES -> "permission denied (EACCES)";
            case 14 -> "bad address (EFAULT)";
            case 16 -> "busy: a mount point or in use (EBUSY)";
            case EEXIST -> "exists (EEXIST)";
            case 18 -> "on another file system (EXDEV)";
            case 19 -> "no such device (ENODEV)";
            case 20 -> "no longer a directory: a symbolic link or a file replaced it meanwhile, not followed (ENOTDIR)";
            case EISDIR -> "a directory now (replaced meanwhile) (EISDIR)";
            case EINVAL -> "invalid argument, for example an owner not mapped in this user namespace (EINVAL)";
            case 23 -> "too many open files in the system (ENFILE)";
            case 24 -> "too many open files (EMFILE)";
            case 26 -> "text file busy (ETXTBSY)";
            case 27 -> "file too large (EFBIG)";
            case 28 -> "no space left on device (ENOSPC)";
            case 30 -> "read-only file system (EROFS)";
            case 31 -> "too many links (EMLINK)";
            case 36 -> "name too long (ENAMETOOLONG)";
            case 38 -> "not supported by this kernel (ENOSYS)";
            case 39 -> "directory not empty (ENOTEMPTY)";
            case 40 -> "a symbolic link now (replaced meanwhile), not followed (ELOOP)";
            case 61 -> "no data (ENODATA)";
            case 75 -> "value too large (EOVERFLOW)";
            case EOPNOTSUPP -> "not supported by this file system (EOPNOTSUPP)";
            case 110 -> "timed out (ETIMEDOUT)";
            case 116 -> "stale file handle (ESTALE)";
            case 122 -> "disk quota exceeded (EDQUOT)";
            default -> "errno " + errno;
        };
    }

    /** An openat(2) that failed, with its errno: callers tell "removed meanwhile" by the number, not the message. */
    static final class OpenFailed extends IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        OpenFailed(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        /** Whether {@code e} is an openat(2) that failed with {@code errno}. */
        static boolean is(Throwable e, int errno) {
            return e instanceof OpenFailed o && o.errno == errno;
        }
    }

    /** openat(2) of NUL-terminated {@code name} in {@code dirFd}; the error says what errno meant for {@code shown}. */
    static int open(int dirFd, byte[] name, int flags, Path shown) throws IOException {
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
                throw new OpenFailed(what + reason(errno), errno);
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
                    + "replaced each such name by a copy without those bits, or removed it where no copy could be made, "
                    + "leaving the file's other names as they were: "
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
