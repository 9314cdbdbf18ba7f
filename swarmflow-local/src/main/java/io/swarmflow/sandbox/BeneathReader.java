package io.swarmflow.sandbox;

import com.sun.jna.Native;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.Locale;

/**
 * Reads a file named by a relative path beneath a directory that sandboxed agents can change while it is
 * read (a workspace), without following any symbolic link and without blocking on a FIFO. A check of the
 * path followed by an ordinary open leaves a window (time of check to time of use) in which another
 * ticket sharing the workspace can swap the file or one of its directories for a symbolic link to a file
 * the sandbox hides, such as {@code ~/.gitconfig}, or for a FIFO that blocks the open forever.
 *
 * <p>So the path is opened one component at a time with openat(2), each directory with
 * {@code O_DIRECTORY | O_NOFOLLOW} relative to the descriptor of its parent and the file with
 * {@code O_NOFOLLOW | O_NONBLOCK | O_NOCTTY} (the same walk as Go's {@code os.Root}); the opened file's
 * type is then read from the descriptor itself ({@code /proc/self/fd/N}), and only a regular file is read.
 * openat(2) is called through JNA; where JNA cannot load, or on an architecture other than x86-64 and
 * arm64 (whose {@code O_*} values this class knows), the same walk is done with the JDK's
 * {@link SecureDirectoryStream} (also openat(2) with {@code O_NOFOLLOW}), which cannot open without
 * blocking: each component's type is checked before it is opened, but a FIFO swapped in between that
 * check and the open may then block.
 */
public final class BeneathReader {
    private BeneathReader() {}

    /** Why a file that is not a regular one is refused: {@code " is a directory, not a file"}, else {@code " is not a regular file"}. */
    private static String notRegular(BasicFileAttributes attributes) {
        return attributes.isDirectory() ? " is a directory, not a file" : " is not a regular file";
    }

    /** Why a path beneath the directory was refused: a symbolic link, or not a regular file or directory. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /** The file is larger than the limit given to {@link #read}. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private static final class LibC {
        private LibC() {}

        static native int openat(int dirFd, String path, int flags, int mode);

        static native long read(int fd, byte[] buffer, long count);

        static native int close(int fd);
    }

    /** AT_FDCWD (fcntl.h). */
    private static final int AT_FDCWD = -100;
    /** O_* values shared by x86-64 and arm64 (asm-generic/fcntl.h). */
    private static final int O_RDONLY = 0;
    private static final int O_NOCTTY = 0400;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    /** errno values (asm-generic/errno-base.h, errno.h). */
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int EISDIR = 21;
    private static final int ELOOP = 40;

    /** {O_DIRECTORY, O_NOFOLLOW} for this architecture, or null when unknown (arm64 differs from asm-generic). */
    private static final int[] DIR_FLAGS = flags(System.getProperty("os.arch", ""));
    private static final boolean NATIVE = DIR_FLAGS != null && load();

    private static int[] flags(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> new int[] {0200000, 0400000};
            case "aarch64", "arm64" -> new int[] {040000, 0100000};
            default -> null;
        };
    }

    private static boolean load() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return false;
        try {
            Native.register(LibC.class, "c");
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Whether the walk is done with openat(2) through JNA, so that a FIFO never blocks it. */
    public static boolean nonBlocking() {
        return NATIVE;
    }

    /**
     * The bytes of the regular file at {@code relative} beneath {@code root}.
     *
     * @param root     the directory; it may itself be reached through symbolic links
     * @param relative a relative path without {@code ..} components (as {@link Path#normalize()} leaves one
     *                 that stays beneath {@code root}), at least one name long
     * @param maxBytes the most bytes to read; a longer file is refused
     * @return the whole file, at most {@code maxBytes} long
     * @throws NoSuchFileException      when a component does not exist
     * @throws RefusedException         when a component is a symbolic link, a directory component is not a
     *                                  directory, or the file is not a regular file
     * @throws TooLargeException        when the file holds more than {@code maxBytes}
     * @throws IllegalArgumentException when {@code relative} is absolute, empty or has a {@code ..} or
     *                                  {@code .} component
     * @throws IOException              when reading fails otherwise
     */
    public static byte[] read(Path root, Path relative, int maxBytes) throws IOException {
        check(relative);
        return NATIVE ? readNative(root, relative, maxBytes) : readSecureStream(root, relative, maxBytes);
    }

    private static void check(Path relative) {
        if (relative.isAbsolute() || relative.getNameCount() == 0 || relative.toString().isEmpty()) {
            throw new IllegalArgumentException("not a relative path beneath the directory: " + relative);
        }
        for (Path name : relative) {
            String s = name.toString();
            if (s.equals("..") || s.equals(".")) throw new IllegalArgumentException("'" + s + "' component in " + relative);
        }
    }

    /** The fallback walk with {@link SecureDirectoryStream}; package-private for its tests. */
    static byte[] readWithJdk(Path root, Path relative, int maxBytes) throws IOException {
        check(relative);
        return readSecureStream(root, relative, maxBytes);
    }

    private static byte[] readNative(Path root, Path relative, int maxBytes) throws IOException {
        int oDirectory = DIR_FLAGS[0];
        int oNoFollow = DIR_FLAGS[1];
        int dir = open(AT_FDCWD, root.toString(), O_RDONLY | O_CLOEXEC | oDirectory, root, relative);
        try {
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                int next = open(dir, relative.getName(i).toString(), O_RDONLY | O_CLOEXEC | oDirectory | oNoFollow, root, relative.subpath(0, i + 1));
                LibC.close(dir);
                dir = next;
            }
            int fd = open(dir, relative.getFileName().toString(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | oNoFollow, root, relative);
            try {
                BasicFileAttributes attributes = Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class);
                if (!attributes.isRegularFile()) throw new RefusedException(relative + notRegular(attributes));
                return readAll(fd, relative, maxBytes);
            } finally {
                LibC.close(fd);
            }
        } finally {
            LibC.close(dir);
        }
    }

    private static int open(int dirFd, String name, int flags, Path root, Path shown) throws IOException {
        while (true) {
            int fd = LibC.openat(dirFd, name, flags, 0);
            if (fd >= 0) return fd;
            int errno = Native.getLastError();
            switch (errno) {
                case EINTR -> { /* retry */ }
                case ENOENT -> throw new NoSuchFileException(dirFd == AT_FDCWD ? root.toString() : shown.toString());
                case ELOOP, ENOTDIR -> {
                    if (dirFd == AT_FDCWD) throw new RefusedException(root + " is not a directory");
                    // O_DIRECTORY | O_NOFOLLOW answers ENOTDIR for a link too: look again, for the message only
                    boolean link = Files.isSymbolicLink(root.resolve(shown));
                    throw new RefusedException(shown + (errno == ELOOP || link ? " is a symbolic link" : " is not a directory"));
                }
                default -> throw new IOException("cannot open " + (dirFd == AT_FDCWD ? root : shown) + ": " + describe(errno));
            }
        }
    }

    /** errno in words for the errors a ticket can cause (its own modes), else its number. */
    private static String describe(int errno) {
        return switch (errno) {
            case EPERM, EACCES -> "permission denied (errno " + errno + "); the ticket must leave the file and its directories readable";
            case EISDIR -> "is a directory (errno " + errno + ")";
            default -> "errno " + errno;
        };
    }

    private static byte[] readAll(int fd, Path relative, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            long n = LibC.read(fd, buffer, buffer.length);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == EINTR) continue;
                throw new IOException("cannot read " + relative + ": " + describe(errno));
            }
            if (n == 0) return out.toByteArray();
            if (out.size() + n > maxBytes) throw tooLarge(relative, maxBytes);
            out.write(buffer, 0, (int) n);
        }
    }

    private static TooLargeException tooLarge(Path relative, int maxBytes) {
        return new TooLargeException(relative + " holds more than " + maxBytes + " bytes");
    }

    private static byte[] readSecureStream(Path root, Path relative, int maxBytes) throws IOException {
        DirectoryStream<Path> top = Files.newDirectoryStream(root);
        if (!(top instanceof SecureDirectoryStream<Path> dir)) {
            top.close();
            throw new IOException("this platform cannot open files beneath a directory without following links");
        }
        try {
            SecureDirectoryStream<Path> current = dir;
            try {
                for (int i = 0; i < relative.getNameCount() - 1; i++) {
                    Path name = relative.getName(i);
                    SecureDirectoryStream<Path> next;
                    // looked at first: opening a FIFO here would block (the JDK opens it without O_NONBLOCK)
                    BasicFileAttributes a;
                    try {
                        a = current.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
                    } catch (NoSuchFileException e) {
                        throw new NoSuchFileException(relative.subpath(0, i + 1).toString());
                    }
                    if (a.isSymbolicLink()) throw new RefusedException(relative.subpath(0, i + 1) + " is a symbolic link");
                    if (!a.isDirectory()) throw new RefusedException(relative.subpath(0, i + 1) + " is not a directory");
                    try {
                        next = current.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                    } catch (java.nio.file.FileSystemException e) {
                        throw refusal(current, name, relative.subpath(0, i + 1), e);
                    }
                    if (current != dir) current.close();
                    current = next;
                }
                Path name = relative.getFileName();
                BasicFileAttributes attributes;
                try {
                    attributes = current.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
                } catch (NoSuchFileException e) {
                    throw new NoSuchFileException(relative.toString());
                }
                if (attributes.isSymbolicLink()) throw new RefusedException(relative + " is a symbolic link");
                if (!attributes.isRegularFile()) throw new RefusedException(relative + notRegular(attributes));
                try (SeekableByteChannel channel = current.newByteChannel(name, java.util.Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
                     InputStream in = Channels.newInputStream(channel)) {
                    byte[] bytes = in.readNBytes(maxBytes + 1);
                    if (bytes.length > maxBytes) throw tooLarge(relative, maxBytes);
                    return bytes;
                }
            } finally {
                if (current != dir) current.close();
            }
        } finally {
            dir.close();
        }
    }

    private static IOException refusal(SecureDirectoryStream<Path> parent, Path name, Path shown, java.nio.file.FileSystemException e) {
        if (e instanceof NoSuchFileException) return new NoSuchFileException(shown.toString());
        try {
            BasicFileAttributes a = parent.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            if (a.isSymbolicLink()) return new RefusedException(shown + " is a symbolic link");
            if (!a.isDirectory()) return new RefusedException(shown + " is not a directory");
        } catch (IOException ignored) {
            // fall through to the original error
        }
        return e;
    }
}
