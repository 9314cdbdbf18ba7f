package io.swarmflow.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The state directories of other runs inside a repository: every directory named {@code .swarm} that holds a
 * {@code swarm.db} or a {@code runs} directory, found by one walk of the tree that does not follow symbolic links
 * and skips {@code .git} directories. A sandboxed ticket that sees the repository must not read them (their
 * database holds other runs' variables and outputs, their {@code runs/} other runs' logs and scratch files).
 *
 * <p>The walk stops after {@code maxDirectories} directories; {@link Result#complete} then says the list may be
 * short. A directory that cannot be read is skipped.
 */
final class OtherStateDirs {
    private OtherStateDirs() {}

    /**
     * @param dirs     the {@code .swarm} directories found (as reached from {@code root}), without {@code own}
     * @param complete false when the walk stopped at its limit
     */
    record Result(List<Path> dirs, boolean complete) {}

    /** Directories a walk visits at most: about a second on a large repository. */
    static final int MAX_DIRECTORIES = 200_000;

    /**
     * @param root the repository's top directory
     * @param own  this run's state directory (already hidden; may be null)
     */
    static Result find(Path root, Path own, int maxDirectories) {
        List<Path> found = new ArrayList<>();
        Deque<Path> pending = new ArrayDeque<>();
        pending.push(root);
        int visited = 0;
        while (!pending.isEmpty()) {
            Path dir = pending.pop();
            if (++visited > maxDirectories) return new Result(found, false);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.equals(".git") || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) continue;
                    if (name.equals(".swarm") && (Files.exists(entry.resolve("swarm.db")) || Files.isDirectory(entry.resolve("runs")))) {
                        if (!isSame(entry, own)) found.add(entry);
                        continue;
                    }
                    pending.push(entry);
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: nothing of it can be hidden or shown
            }
        }
        return new Result(found, true);
    }

    private static boolean isSame(Path a, Path b) {
        try {
            return b != null && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
