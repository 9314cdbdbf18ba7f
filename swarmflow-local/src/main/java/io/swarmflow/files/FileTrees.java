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
     * @param dir the tree's root
     * @throws IOException when something in it still cannot be deleted (another user's file, say)
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            deleteAll(dir);
        } catch (IOException first) {
            makeOwnerAccessible(dir);
            deleteAll(dir);
        }
    }

    /**
     * The directories under {@code dir} (itself included) that cannot be opened, symbolic links not followed, in the
     * order met: what is in them is unknown (git status and git add skip them with only a warning).
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
                if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) found.add(f);
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
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
