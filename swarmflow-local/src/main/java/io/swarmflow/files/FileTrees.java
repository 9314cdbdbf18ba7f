package io.swarmflow.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

/** Deleting directory trees an attempt wrote, whatever modes it left on them. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes {@code dir} and everything in it, symbolic links not followed; nothing when it does not exist. A ticket
     * may leave directories its owner cannot write or enter ({@code chmod 500 d}, {@code chmod 000 d}): as root that
     * changes nothing, as an ordinary user the delete would fail, so such directories get their owner's rwx back first.
     *
     * <p>A tree deeper than {@code PATH_MAX} (4096 bytes on Linux: a ticket's {@code mkdir} loop, a runaway
     * {@code node_modules}) cannot be named by {@code java.nio}, which works with whole paths ({@code File name too
     * long}); such a tree is deleted by {@code chmod -R u+rwx} and {@code rm -rf --one-file-system}, which walk it
     * relative to each directory ({@code openat}).
     *
     * @param dir the tree's root
     * @throws IOException when something in it still cannot be deleted (another user's file, an immutable file, a mount
     *                     point); its message is at most about {@value #MAX_MESSAGE} characters, a long path cut in the
     *                     middle
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            deleteAll(dir);
            return;
        } catch (IOException first) {
            makeOwnerAccessible(dir);
        }
        try {
            deleteAll(dir);
        } catch (IOException second) {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
            String rm = deleteWithCoreutils(dir);
            if (rm != null) throw new IOException(shorten(rm.isEmpty() ? String.valueOf(second.getMessage()) : rm), second);
        }
    }

    /** The longest exception message {@link #delete} gives. */
    static final int MAX_MESSAGE = 600;

    /** {@code s}, or its beginning and end joined by an ellipsis when longer than {@link #MAX_MESSAGE}. */
    static String shorten(String s) {
        return shorten(s, MAX_MESSAGE);
    }

    /**
     * {@code s}, or its beginning and end joined by {@code " … "} when longer than {@code max} characters (at least 10),
     * for a message that may hold a path of up to 4096 bytes.
     */
    public static String shorten(String s, int max) {
        if (s.length() <= max) return s;
        int half = (Math.max(max, 10) - 3) / 2;
        return s.substring(0, half) + " … " + s.substring(s.length() - half);
    }

    /**
     * Deletes {@code dir} with {@code chmod} and {@code rm}; null when it is gone, else what {@code rm} said (its
     * first line; empty when it could not be run).
     */
    private static String deleteWithCoreutils(Path dir) throws IOException {
        String path = dir.toAbsolutePath().toString();
        // a directory the owner cannot enter; its failure shows in rm's. Never on a link: chmod changes the mode of
        // what a link named on its command line points to (it skips the links it meets inside the tree)
        if (!Files.isSymbolicLink(dir)) run("chmod", "-R", "u+rwx", "--", path);
        String said = run("rm", "-rf", "--one-file-system", "--", path);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return null;
        return said == null ? "" : said.lines().findFirst().orElse("rm failed");
    }

    /** Runs a command with {@code LC_ALL=C}; its stderr, or null when it could not be started. */
    private static String run(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException notFound) {
            return null;
        }
        try (var err = p.getErrorStream()) {
            String text = new String(err.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8);
            err.transferTo(java.io.OutputStream.nullOutputStream()); // the rest, so that the command never blocks on a full pipe
            p.waitFor();
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while deleting " + command[command.length - 1]);
        }
    }

    /**
     * The directories under {@code dir} (itself included) that cannot be opened, symbolic links not followed, in the
     * order met: what is in them is unknown (git status and git add skip them with only a warning). That includes the
     * first path of a branch deeper than {@code PATH_MAX} ({@value #PATH_MAX} bytes), which neither {@code java.nio} nor
     * git can open (git says only {@code could not open directory}).
     *
     * @param dir the tree's root
     * @return their paths, empty when every directory could be opened
     * @throws IOException when the walk itself fails
     */
    public static List<Path> unreadableDirectories(Path dir) throws IOException {
        List<Path> found = new java.util.ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) || tooLong(f)) found.add(f);
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    /** Linux's {@code PATH_MAX}: the most bytes a path given to a system call may have, its final NUL included. */
    public static final int PATH_MAX = 4096;

    /** Whether {@code p}, made absolute, is too long for a system call ({@link #PATH_MAX}). */
    public static boolean tooLong(Path p) {
        return p.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= PATH_MAX;
    }

    private static void deleteAll(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (UncheckedIOException e) { // a directory the walk could not open
            throw e.getCause();
        }
    }

    /** Adds the owner's read, write and search permission to every directory under {@code dir}, links not followed. */
    private static void makeOwnerAccessible(Path dir) throws IOException {
        boolean opened = true;
        // each pass opens the directories the previous one made searchable (a 000 directory inside a 000 directory)
        for (int pass = 0; opened && pass < 10_000; pass++) {
            boolean[] more = {false};
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    ownerRwx(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) && ownerRwx(f)) more[0] = true;
                    return FileVisitResult.CONTINUE;
                }
            });
            opened = more[0];
        }
    }

    /** Gives a directory's owner rwx; true when that changed its mode. */
    private static boolean ownerRwx(Path d) {
        try {
            EnumSet<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
            perms.addAll(Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS));
            if (!perms.addAll(List.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE))) {
                return false;
            }
            Files.setPosixFilePermissions(d, perms);
            return true;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // not ours, or no POSIX permissions: the delete then says what failed
        }
    }
}
