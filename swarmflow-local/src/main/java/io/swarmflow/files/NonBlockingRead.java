package io.swarmflow.files;

import com.sun.jna.Native;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Reads a small regular file that another process may replace at any moment (a worktree's {@code .git}, a record of
 * git's that a ticket can write), without ever blocking: opened with {@code open(2)} and {@code O_RDONLY | O_NONBLOCK |
 * O_NOFOLLOW | O_NOCTTY | O_CLOEXEC} through JNA, so a FIFO swapped in opens without waiting for a writer, a read lease
 * does not delay it (it is not an open for writing), and a symbolic link is not followed; the opened descriptor's type
 * is then read from {@code /proc/self/fd/N}, and only a regular file is read (a FIFO, a socket, a device, a directory
 * is refused). Where JNA's native library cannot be loaded, or on an architecture other than x86-64 and arm64 (whose
 * {@code O_NOFOLLOW} this class knows), nothing is opened: {@link #read} throws {@link UnavailableException} rather
 * than fall back to an open that could block. Set JNA's {@code jna.tmpdir} first ({@code JnaTempDir.ownerOnly()}).
 */
public final class NonBlockingRead {
    private NonBlockingRead() {}

    /** The file is not a regular file: a symbolic link, a directory, a FIFO, a socket or a device. */
    public static final class NotRegularException extends IOException {
        private static final long serialVersionUID = 1L;

        NotRegularException(String message) {
            super(message);
        }
    }

    /** The file holds more bytes than the limit given to {@link #read}. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** This JVM cannot open a file without blocking (JNA's native library not loaded, or an unknown architecture). */
    public static final class UnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param message why no file can be read here without the risk of blocking */
        public UnavailableException(String message) {
            super(message);
        }
    }

    private static final class LibC {
        private LibC() {}

        static native int open(byte[] path, int flags, int mode);

        static native long read(int fd, byte[] buffer, long count);

        static native int close(int fd);
    }

    private static final int O_RDONLY = 0;
    private static final int O_NOCTTY = 0400;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;
    private static final int ENXIO = 6;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int EISDIR = 21;
    private static final int ELOOP = 40;

    /** O_NOFOLLOW for this architecture (arm64 differs from x86-64), or 0 when unknown. */
    private static final int O_NOFOLLOW = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> 0400000;
        case "aarch64", "arm64" -> 0100000;
        default -> 0;
    };
    /** Null when the native open can be used, else why not. */
    private static final String UNAVAILABLE = load();

    private static String load() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return "not Linux (" + System.getProperty("os.name") + ")";
        if (O_NOFOLLOW == 0) return "an architecture whose O_NOFOLLOW is not known (" + System.getProperty("os.arch") + ")";
        try {
            Native.register(LibC.class, "c");
            return null;
        } catch (LinkageError | RuntimeException e) {
            return "JNA's native library could not be loaded (" + e.getMessage() + ")";
        }
    }

    /** Why {@link #read} cannot open files here (for a message), or empty when it can. */
    public static java.util.Optional<String> whyUnavailable() {
        return java.util.Optional.ofNullable(UNAVAILABLE);
    }

    /** Whether {@link #read} can open files here; when false it always throws {@link UnavailableException}. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /**
     * The bytes of the regular file {@code file}, opened without following a final symbolic link and without blocking.
     *
     * @param file     an absolute or relative path of the default file system, opened by its bytes ({@link #pathBytes}):
     *                 a name the JVM cannot decode is the file's own, not {@code ?}; its directories may be links, the
     *                 file itself not
     * @param maxBytes the most bytes it may hold, at least 0
     * @return the whole file, at most {@code maxBytes} long
     * @throws NoSuchFileException   when it does not exist
     * @throws AccessDeniedException when this user may not open it for reading (its mode, {@code chmod 000})
     * @throws NotRegularException   when it is a symbolic link, a directory, a FIFO, a socket or a device (the message says which)
     * @throws TooLargeException     when it holds more than {@code maxBytes} bytes
     * @throws UnavailableException  when this JVM cannot open a file without blocking (the message says why): nothing is opened
     * @throws IOException           when it cannot be opened or read otherwise (for example a lease for writing held on it)
     * @throws IllegalArgumentException when {@code maxBytes} is negative, or {@code file} is not of the default file system
     */
    public static byte[] read(Path file, int maxBytes) throws IOException {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must be 0 or more, not " + maxBytes);
        if (UNAVAILABLE != null) {
            throw new UnavailableException("cannot read " + file + " without the risk of blocking on a FIFO: " + UNAVAILABLE);
        }
        byte[] name = pathBytes(file);
        int fd;
        while (true) {
            fd = LibC.open(name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0);
            if (fd >= 0) break;
            int errno = Native.getLastError();
            switch (errno) {
                case EINTR -> { /* again */ }
                case ENOENT -> throw new NoSuchFileException(file.toString());
                case EACCES, EPERM -> throw new AccessDeniedException(file.toString(), null, "permission denied (errno " + errno + ")");
                case ELOOP -> throw new NotRegularException(file + " is a symbolic link");
                case EISDIR -> throw new NotRegularException(file + " is a directory");
                case ENXIO -> throw new NotRegularException(file + " is a socket (or a device without its driver)");
                case ENOTDIR -> throw new NoSuchFileException(file.toString(), null, "a directory on its path is not a directory");
                case EAGAIN -> throw new IOException("cannot read " + file + ": another process holds a lease for writing on it (errno " + errno + ")");
                default -> throw new IOException("cannot open " + file + ": errno " + errno);
            }
        }
        try {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class);
            } catch (IOException e) {
                throw new UnavailableException("cannot read " + file + ": the type of the opened file cannot be read from /proc/self/fd ("
                        + e + "); is /proc mounted?");
            }
            if (!a.isRegularFile()) {
                throw new NotRegularException(file + (a.isDirectory() ? " is a directory" : a.isOther() ? " is a FIFO, a socket or a device"
                        : " is not a regular file"));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[(int) Math.min(64 * 1024, (long) maxBytes + 1)];
            while (true) {
                long n = LibC.read(fd, buffer, buffer.length);
                if (n < 0) {
                    int errno = Native.getLastError();
                    if (errno == EINTR) continue;
                    throw new IOException("cannot read " + file + ": errno " + errno);
                }
                if (n == 0) return out.toByteArray();
                if (out.size() + n > maxBytes) throw new TooLargeException(file + " holds more than " + maxBytes + " bytes");
                out.write(buffer, 0, (int) n);
            }
        } finally {
            LibC.close(fd);
        }
    }

    /**
     * A directory name that makes any path under it {@code PATH_MAX} (4096) bytes long or longer: the kernel refuses such
     * a path with {@code ENAMETOOLONG} while copying it in, before it looks at any file system (getname).
     */
    private static final String NO_SUCH_PREFIX = "/" + "x".repeat(4096);

    /**
     * The bytes of {@code file}, absolute ({@link Path#toAbsolutePath}), as the kernel names it, NUL-terminated for
     * open(2). Touches nothing on disk: no file, no link, no directory of the path is looked up. Not {@link
     * Path#toString}: a name not valid in the JVM's encoding of file names ({@code sun.jnu.encoding}; a byte {@code 0xff},
     * or {@code é} where it is ASCII) reads {@code ?} or U+FFFD there, which names another file or none (review D5 #9).
     * The bytes come from {@link Path#toUri}, which percent-encodes every byte of the path (the default file system's
     * promise that {@code Path.of(p.toUri())} is {@code p.toAbsolutePath()} holds for such names too), of the path moved
     * under {@link #NO_SUCH_PREFIX}: {@code toUri} stats its path, following a final symbolic link, to append {@code /} to
     * a directory's, and that stat of what a replaced file points to could block (a FUSE mount that never answers, a hung
     * NFS or autofs path) in the read that must never block (review DPROC F2); a path that long is refused before any
     * lookup.
     *
     * @throws IllegalArgumentException when {@code file} is not of the default file system
     */
    static byte[] pathBytes(Path file) {
        if (file.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            throw new IllegalArgumentException(file + " is not a path of the default file system");
        }
        Path absolute = file.toAbsolutePath(); // user.dir for a relative one: no I/O
        Path unreachable = Path.of(NO_SUCH_PREFIX).resolve(absolute.getRoot().relativize(absolute));
        String raw = unreachable.toUri().getRawPath().substring(NO_SUCH_PREFIX.length()); // "" for the root, else "/..."
        if (raw.isEmpty() || raw.equals("/")) raw = "/";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length() + 1);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.write(c); // a URI's raw path is ASCII: every other byte is percent-encoded
            }
        }
        bytes.write(0);
        return bytes.toByteArray();
    }
}
