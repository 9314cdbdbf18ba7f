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
 * read; a socket bound after the last read is missed until the next one, and one deleted since is left out
 * ({@link #bound} checks each). The table names a socket by the path given to bind(2): one bound by a
 * relative path, or renamed or hard-linked since, cannot be found from it. Only sockets bound in the
 * caller's network namespace are listed.
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

    /**
     * The socket files bound on the host (canonical paths, no duplicates), each checked to still be a socket.
     * Entries bound by a relative path (which names no file from here) are counted in {@link #unplaced()}.
     *
     * @throws IOException when the table cannot be read: the caller must not assume there are no sockets
     */
    synchronized List<Path> bound() throws IOException {
        long now = System.nanoTime();
        if (!everRead || now - readAtNanos > MAX_AGE_MILLIS * 1_000_000) {
            cached = read();
            readAtNanos = now;
            everRead = true;
        }
        List<Path> present = new ArrayList<>(cached.size());
        for (Path p : cached) if (isSocket(p)) present.add(p); // gone since the read: bubblewrap could not mount over it
        return present;
    }

    /** Sockets of the last read that were bound by a relative path, so that their files cannot be found. */
    synchronized int unplaced() {
        return unplaced;
    }

    private int unplaced;

    private List<Path> read() throws IOException {
        // bytes, decoded leniently: an abstract socket's name may be any bytes, and must not make the read fail
        String text = new String(Files.readAllBytes(table), StandardCharsets.UTF_8);
        Set<Path> paths = new LinkedHashSet<>();
        int relative = 0;
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) { // the first line names the columns
            String[] fields = lines[i].trim().split("\\s+", 8);
            if (fields.length < 8 || fields[7].startsWith("@")) continue; // unnamed, or abstract (per network namespace)
            if (!fields[7].startsWith("/")) {
                relative++;
                continue;
            }
            try {
                Path p = Path.of(fields[7]);
                if (isSocket(p)) paths.add(p.toRealPath());
            } catch (IOException | RuntimeException e) {
                // deleted since it was bound, not reachable from here, or a name Java cannot represent
            }
        }
        unplaced = relative;
        return new ArrayList<>(paths);
    }

    private static boolean isSocket(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
