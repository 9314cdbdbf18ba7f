package io.swarmflow.sandbox;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.swarmflow.sandbox.SetIdBits.*;

/**
 * The copy part of {@link SetIdBits}: a set-uid or set-gid file with more than one hard link is never changed in place;
 * the name a walk found is replaced by a copy without the bits ({@code O_TMPFILE}, within the walk's copy budget), or,
 * when the file is too large or the budget used up, removed (see {@link SetIdBits}'s class comment for the whole
 * contract). Its members are called only by {@link SetIdBits}'s walk, which holds the file's lock; the test hooks
 * ({@link SetIdBits#beforeRename}, {@link SetIdBits#copyErrno}, {@link SetIdBits#afterCopy},
 * {@link SetIdBits#beforeUnlink}, {@link SetIdBits#beforeUnlinkAt}) stay in {@link SetIdBits}.
 */
final class SetIdCopies {
    private SetIdCopies() {}

    /** O_WRONLY, O_CREAT and O_EXCL, the same on x86-64 and arm64 (asm-generic/fcntl.h). */
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    /** __O_TMPFILE (the same on x86-64 and arm64); O_TMPFILE is it with O_DIRECTORY. */
    private static final int O_TMPFILE = 020000000;
    private static final int AT_SYMLINK_FOLLOW = 0x400;
    private static final byte[] DOT = {'.', 0};

    /**
     * Replaces name {@code name} of {@code dirFd} (a set-uid or set-gid regular file with more than one hard link,
     * opened as {@code self}, {@code /proc/self/fd/N}, with the attributes {@code a}: mode, nlink, dev, ino, uid, gid)
     * by a copy without the bits ({@link #replaceByCopy}), or, when the file is too large or the walk's budget is used up,
     * removes it ({@link #unlinkIfSame}; a name that became the file's only one is cleared in place instead); adds what
     * it did to {@code walk}: {@link SetIdBits.Walk#replaced}, {@link SetIdBits.Walk#cleared}, or, when it changed
     * nothing, {@link SetIdBits.Walk#failed} with why.
     *
     * @throws IOException saying why nothing was changed (the caller names the file with it)
     */
    static void replaceOrRemove(int dirFd, byte[] name, Path shown, Path self, Map<String, Object> a, Walk walk)
            throws IOException {
        int mode = (Integer) a.get("mode");
        int nlink = (Integer) a.get("nlink");
        try {
            // false: another walk (of a shared scratch) already replaced it, as clearAt drops a file without the bits
            if (replaceByCopy(dirFd, name, shown, a, walk.copyLeft)) walk.replaced.add(shown + " (" + REPLACED + nlink + " hard links)");
        } catch (NotCopied e) {
            String why = e.getMessage();
            if (!e.removable) { // the coordinator's own error: the name is left as it was, and named
                walk.failed.add(shown + " (" + HARD_LINK + ": " + why + ")");
                return;
            }
            String notRemoved = unlinkIfSame(dirFd, name, shown, a);
            if (notRemoved == LAST_NAME) {
                // its other names went meanwhile (not by a walk of this process, which waits for the file's
                // lock: by a ticket of the run still running, or another coordinator's walk): this is the only
                // name left, so it is cleared in place rather than removed
                Files.setAttribute(self, "unix:mode", mode & 07777 & ~(S_ISUID | S_ISGID));
                walk.cleared.add(shown);
            } else if (notRemoved == null) walk.replaced.add(shown + " (" + REMOVED + nlink + " hard links that could not be copied (" + why + "))");
            else walk.failed.add(shown + " (" + HARD_LINK + ": " + why + "; nor removed: " + notRemoved + ")");
        }
    }

    /**
     * Replaces name {@code name} of directory {@code dirFd} (a regular file with the attributes {@code examined}: mode,
     * dev, ino, uid, gid) by a copy without the set-uid and set-gid bits, never changing the file's inode: the file is
     * opened {@code O_RDONLY | O_NOFOLLOW | O_NONBLOCK} there and checked to be that inode, still a regular file, no
     * larger than {@link SetIdBits#MAX_COPY} nor than what is left of {@code copyLeft} (this {@link SetIdBits#clear}
     * call's budget, which its size is taken from before copying); the copy is made in that directory without a name
     * ({@code O_TMPFILE}; on a file system without it, under a new name, {@code O_CREAT | O_EXCL | O_NOFOLLOW}), given
     * the file's owner and group (as root; an ordinary user's {@code EPERM} is ignored: the copy is then the user's) and
     * its permission bits without those bits, synced, given a new random name (linkat(2) of {@code /proc/self/fd/N}), renamed onto
     * {@code name} with renameat(2), and checked to be what {@code name} now is. On any failure before the rename the
     * copy is removed and the file is left as it was.
     *
     * @return true when replaced; false when {@code name} was no longer that file but a regular file without the bits
     *         (another walk of the same directory replaced it meanwhile)
     * @throws NotCopied saying why no copy could be made (the caller removes the name then only when
     *                   {@link NotCopied#removable}: too large, or over the budget)
     * @throws IOException saying why nothing was changed, or, after the rename, that the name is not the copy
     */
    private static boolean replaceByCopy(int dirFd, byte[] name, Path shown, Map<String, Object> examined, long[] copyLeft)
            throws IOException {
        int in;
        try {
            in = open(dirFd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | DIR_FLAGS[1], shown);
        } catch (IOException e) {
            if (OpenFailed.is(e, ENOENT)) throw new IOException(UNCHECKED + ": removed meanwhile (ENOENT)");
            throw new NotCopied(e.getMessage());
        }
        try {
            Map<String, Object> a = attributes(in);
            int mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) != S_IFREG || !a.get("dev").equals(examined.get("dev")) || !a.get("ino").equals(examined.get("ino"))) {
                // another walk of the same directory (a shared scratch) may have replaced it already
                if (clearedMeanwhile(dirFd, name)) return false;
                throw new IOException(UNCHECKED + ": replaced meanwhile, not changed");
            }
            long size = (Long) a.get("size");
            if (size > MAX_COPY) throw new NotCopied(TOO_LARGE_LINK, true);
            if (size > copyLeft[0]) throw new NotCopied(OVER_BUDGET, true);
            copyLeft[0] -= size; // counted before copying: also a copy that fails, or a file grown meanwhile, uses it up
            Tmp created = tmpFile(dirFd, mode);
            int out = created.fd();
            byte[] tmp = created.name();
            boolean renamed = false;
            try {
                java.util.function.ToIntFunction<Path> failing = copyErrno;
                int failed = failing == null ? 0 : failing.applyAsInt(shown);
                if (failed != 0) throw new NotCopied("the copy cannot be written: " + reason(failed));
                long copied = copy(in, out, size);
                java.util.function.LongConsumer counted = afterCopy;
                if (counted != null) counted.accept(copied);
                if (LibC.fchown(out, (Integer) examined.get("uid"), (Integer) examined.get("gid")) != 0) {
                    int errno = Native.getLastError();
                    if (errno != EPERM) throw new NotCopied("the copy's owner cannot be set: " + reason(errno));
                }
                check(LibC.fchmod(out, mode & 0777), "the copy's mode cannot be set");
                check(LibC.fsync(out), "the copy cannot be synced");
                if (tmp == null) tmp = linkTmp(dirFd, out);
                java.util.function.Consumer<Path> hook = beforeRename;
                if (hook != null) hook.accept(shown);
                check(LibC.renameat(dirFd, tmp, dirFd, name), "the copy cannot be renamed onto it");
                renamed = true;
                // another ticket sharing the directory may have swapped the temporary name before the rename
                At now = idAt(dirFd, name);
                Map<String, Object> copy = attributes(out);
                if (!now.is(copy)) {
                    throw new IOException(UNCHECKED + ": its name was replaced meanwhile by another file while the copy was "
                            + "renamed onto it; that file was not checked");
                }
                return true;
            } finally {
                LibC.close(out);
                if (!renamed && tmp != null) LibC.unlinkat(dirFd, tmp, 0);
            }
        } finally {
            LibC.close(in);
        }
    }

    /** Why a name with several hard links could not be replaced by a copy: the name is then removed instead. */
    private static final class NotCopied extends IOException {
        /**
         * Whether the name may be removed instead: only for the ticket's own doing, a file larger than
         * {@link SetIdBits#MAX_COPY} or the walk's copy budget used up; never for the coordinator's errors (it cannot read the
         * file, EMFILE, ENOMEM, ENOSPC, EDQUOT, EAGAIN, ...), after which the name is left and named.
         */
        final boolean removable;

        NotCopied(String why) {
            this(why, false);
        }

        NotCopied(String why, boolean removable) {
            super(why);
            this.removable = removable;
        }
    }

    /**
     * A new file for the copy in {@code dirFd}, with permission bits {@code mode & 0700}: without a name
     * ({@code O_TMPFILE}, so a coordinator that dies while copying leaves nothing behind), or, on a file system without
     * {@code O_TMPFILE}, under a new random name ({@code O_CREAT | O_EXCL | O_NOFOLLOW}) that {@link #linkTmp} keeps.
     */
    private static Tmp tmpFile(int dirFd, int mode) throws IOException {
        while (true) {
            int out = LibC.openat(dirFd, DOT, O_TMPFILE | DIR_FLAGS[0] | O_WRONLY | O_CLOEXEC, mode & 0700);
            if (out >= 0) return new Tmp(out, null);
            int errno = Native.getLastError();
            if (errno == EINTR) continue;
            if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
                throw new NotCopied("the copy cannot be created: " + reason(errno));
            }
            break;
        }
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int tries = 0; ; ) {
            byte[] tmp = tmpName(random);
            int out = LibC.openat(dirFd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | DIR_FLAGS[1], mode & 0700);
            if (out >= 0) return new Tmp(out, tmp);
            int errno = Native.getLastError();
            if (errno == EINTR || errno == EEXIST && ++tries < 10) continue;
            throw new NotCopied("the copy cannot be created: " + reason(errno));
        }
    }

    /** A copy's descriptor, and its name (NUL-terminated) when it was created with one, else null ({@code O_TMPFILE}). */
    private record Tmp(int fd, byte[] name) {}

    private static byte[] tmpName(java.security.SecureRandom random) {
        return nul((".swarm-setid-copy-" + Long.toUnsignedString(random.nextLong(), 36)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * Gives copy {@code out} (from {@link #tmpFile}) a new random name in {@code dirFd}, linkat(2) of
     * {@code /proc/self/fd/N} with {@code AT_SYMLINK_FOLLOW}, and returns it (NUL-terminated).
     */
    private static byte[] linkTmp(int dirFd, int out) throws IOException {
        byte[] proc = nul(fdPath(out).toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int tries = 0; ; ) {
            byte[] tmp = tmpName(random);
            if (LibC.linkat(AT_FDCWD, proc, dirFd, tmp, AT_SYMLINK_FOLLOW) == 0) return tmp;
            int errno = Native.getLastError();
            if (errno == EINTR || errno == EEXIST && ++tries < 10) continue;
            throw new NotCopied("the copy cannot be given a name: " + reason(errno));
        }
    }
    /** What {@link #unlinkIfSame} returns when the name is now the file's only one (compared by identity). */
    private static final String LAST_NAME = new String("its only name now");

    /**
     * Removes name {@code name} of {@code dirFd} when it is still the file {@code examined} (dev, ino) looked at and that
     * file still has more than one hard link (re-read just before; the caller holds the file's lock, so two walks of
     * this process cannot both find another name left and remove both): unlinkat(2) by descriptor; the file survives
     * under its other names.
     *
     * @return null when removed, {@link #LAST_NAME} when the file has only this name left (not removed), else why not
     */
    private static String unlinkIfSame(int dirFd, byte[] name, Path shown, Map<String, Object> examined) {
        java.util.function.Consumer<Path> hook = beforeUnlink;
        if (hook != null) hook.accept(shown);
        At now = idAt(dirFd, name);
        if (!now.is(examined)) return "replaced meanwhile";
        if (now.nlink() <= 1) return LAST_NAME;
        java.util.function.Consumer<Path> checked = beforeUnlinkAt;
        if (checked != null) checked.accept(shown);
        while (true) {
            if (LibC.unlinkat(dirFd, name, 0) == 0) return null;
            int errno = Native.getLastError();
            if (errno != EINTR) return reason(errno);
        }
    }

    private static void check(int result, String what) throws IOException {
        if (result != 0) throw new NotCopied(what + ": " + reason(Native.getLastError()));
    }

    /**
     * Copies {@code in} to {@code out} until the end of {@code in}; more than {@code size} bytes (grown meanwhile: beyond
     * what the budget counted) fails.
     *
     * @return the bytes written
     */
    private static long copy(int in, int out, long size) throws IOException {
        try (Memory buffer = new Memory(COPY_BUFFER)) {
            long total = 0;
            while (true) {
                long n = LibC.read(in, buffer, COPY_BUFFER);
                if (n == 0) return total;
                if (n < 0) {
                    int errno = Native.getLastError();
                    if (errno == EINTR) continue;
                    throw new NotCopied("it cannot be read: " + reason(errno));
                }
                total += n;
                if (total > size) throw new NotCopied("it grew while it was copied");
                for (long done = 0; done < n; ) {
                    long w = LibC.write(out, buffer.share(done), n - done);
                    if (w < 0) {
                        int errno = Native.getLastError();
                        if (errno == EINTR) continue;
                        throw new NotCopied("the copy cannot be written: " + reason(errno));
                    }
                    done += w;
                }
            }
        }
    }

    private static final int COPY_BUFFER = 64 * 1024;
}
