package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The filesystem paths of the host's bound Unix domain sockets, from {@code /proc/net/unix} (proc(5):
 * one line per socket, {@code Num RefCount Protocol Flags Type St Inode Path}; a path starting with
 * {@code @} is an abstract socket, which a network namespace already isolates). A sandbox without network
 * must not reach host services through them (a PostgreSQL or Docker socket accepts connections on a
 * read-only mount too), so bubblewrap mounts {@code /dev/null} over each one that the sandbox would see.
 *
 * <p>The list is read again when it is older than {@link #MAX_AGE_MILLIS}, so a launch usually costs no
 * read; a socket bound after the last read is missed until the next one. Only sockets bound in the
 * caller's network namespace are listed, and only those still present as sockets on the filesystem are
 * returned.
 */
final class HostSockets {
    /** How long a read of {@code /proc/net/unix} is reused. */
    static final long MAX_AGE_MILLIS = 2_000;

    private final Path table;
    private List<Path> cached = List.of();
    private long readAtNanos;
    private boolean everRead;

    HostSockets() {
        this(Path.of("/proc/net/unix"));
    }

    HostSockets(Path table) {
        this.table = table;
    }

    /** The socket files bound on the host (canonical paths, no duplicates); empty when the table cannot be read. */
    synchronized List<Path> bound() {
        long now = System.nanoTime();
        if (!everRead || now - readAtNanos > MAX_AGE_MILLIS * 1_000_000) {
            cached = read();
            readAtNanos = now;
            everRead = true;
        }
        return cached;
    }

    private List<Path> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        Set<Path> paths = new LinkedHashSet<>();
        for (int i = 1; i < lines.size(); i++) { // the first line names the columns
            String[] fields = lines.get(i).trim().split("\\s+", 8);
            if (fields.length < 8 || !fields[7].startsWith("/")) continue;
            Path p = Path.of(fields[7]);
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isOther()) paths.add(p.toRealPath()); // a socket (gone, or replaced by a file: skipped)
            } catch (IOException | RuntimeException e) {
                // deleted since it was bound, or not reachable from here
            }
        }
        return new ArrayList<>(paths);
    }
}
