package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filesystem paths of the host's bound Unix domain sockets, from {@code /proc/net/unix} (proc(5):
 * one line per socket, {@code Num RefCount Protocol Flags Type St Inode Path}; a path starting with
 * {@code @} is an abstract socket, which a network namespace already isolates). A sandbox without network
 * must not reach host services through them (a PostgreSQL or Docker socket accepts connections on a
 * read-only mount too), so bubblewrap mounts {@code /dev/null} over each one that the sandbox would see.
 *
 * <p>The kernel prints a socket's path byte for byte after the inode ({@code unix_seq_show} in
 * {@code net/unix/af_unix.c}): a name may hold spaces at either end, bytes that are not text, and newlines.
 * So the table is read as bytes, each record is recognized by its fixed fields, and a name is also tried
 * joined with the lines that follow it, up to the 107 bytes a path can have ({@code sun_path}). A socket is
 * also found where another mount shows the same directory (a bind mount), from {@code /proc/self/mountinfo}.
 * A name the JVM cannot pass on (not valid in its file name encoding, {@code sun.jnu.encoding}) is reported
 * by the deepest directory above it that it can name ({@link Found#unnameableDirs}), for the sandbox to hide.
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
    /** The longest path a socket can be bound to: {@code sun_path} is 108 bytes with the terminating NUL (unix(7)). */
    static final int MAX_PATH_BYTES = 107;
    /** A record: {@code %pK: %08X %08X %08X %04X %02X %5lu}, then a space and the name when it has one. */
    private static final Pattern RECORD = Pattern.compile(
            "[0-9a-fA-F]+: [0-9A-F]{8} [0-9A-F]{8} [0-9A-F]{8} [0-9A-F]{4} [0-9A-F]{2} +[0-9]+(?: (.*))?", Pattern.DOTALL);

    /**
     * What a read found.
     *
     * @param sockets        socket files (canonical paths, and the same sockets seen through other mounts)
     * @param unnameableDirs for each socket whose path the JVM cannot name, the deepest existing directory above it
     *                       that it can
     * @param relative       sockets bound by a relative path, whose files cannot be found from here
     */
    record Found(List<Path> sockets, List<Path> unnameableDirs, int relative) {}

    private final Path table;
    private final Path mountinfo;
    private Found cached = new Found(List.of(), List.of(), 0);
    private long readAtNanos;
    private boolean everRead;

    HostSockets() {
        this(Path.of("/proc/net/unix"), Path.of("/proc/self/mountinfo"));
    }

    HostSockets(Path table, Path mountinfo) {
        this.table = table;
        this.mountinfo = mountinfo;
    }

    /**
     * The host's sockets as of a read at most {@link #MAX_AGE_MILLIS} old; the socket files are each checked to still
     * be sockets (one deleted since could not be mounted over).
     *
     * @throws IOException when the table cannot be read: the caller must not assume there are no sockets
     */
    synchronized Found bound() throws IOException {
        long now = System.nanoTime();
        if (!everRead || now - readAtNanos > MAX_AGE_MILLIS * 1_000_000) {
            cached = read();
            readAtNanos = now;
            everRead = true;
        }
        List<Path> present = new ArrayList<>(cached.sockets().size());
        for (Path p : cached.sockets()) if (isSocket(p)) present.add(p);
        return new Found(present, cached.unnameableDirs(), cached.relative());
    }

    private Found read() throws IOException {
        // one char per byte: names are bytes, and an abstract socket's may be anything
        String[] lines = new String(Files.readAllBytes(table), StandardCharsets.ISO_8859_1).split("\n", -1);
        Set<Path> paths = new LinkedHashSet<>();
        Set<Path> unnameable = new LinkedHashSet<>();
        int relative = 0;
        for (int i = 1; i < lines.length; i++) { // the first line names the columns
            Matcher m = RECORD.matcher(lines[i]);
            if (!m.matches() || m.group(1) == null) continue; // the rest of a name with a newline, or an unnamed socket
            String name = m.group(1);
            if (name.startsWith("@")) continue; // abstract: per network namespace
            if (!name.startsWith("/")) {
                relative++;
                continue;
            }
            for (int j = i + 1; ; j++) {
                place(name, paths, unnameable);
                if (j >= lines.length || name.length() + 1 + lines[j].length() > MAX_PATH_BYTES) break;
                name = name + "\n" + lines[j];
            }
        }
        if (!paths.isEmpty()) paths.addAll(aliases(paths));
        return new Found(List.copyOf(paths), List.copyOf(unnameable), relative);
    }

    /** Adds the socket that the bytes {@code name} (one char per byte) name, or the directory to hide for it. */
    private static void place(String name, Set<Path> paths, Set<Path> unnameable) {
        byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
        Path p = nameable(bytes, bytes.length);
        if (p != null) {
            if (isSocket(p)) {
                try {
                    paths.add(p.toRealPath());
                } catch (IOException | RuntimeException e) {
                    // deleted meanwhile
                }
            }
            return;
        }
        for (int end = bytes.length - 1; end >= 0; end--) {
            if (bytes[end] != '/') continue;
            Path dir = nameable(bytes, Math.max(end, 1));
            if (dir == null || !Files.isDirectory(dir)) continue;
            try {
                unnameable.add(dir.toRealPath());
            } catch (IOException | RuntimeException e) {
                continue;
            }
            return;
        }
    }

    /** The path of the first {@code length} bytes, when the JVM can name it exactly; otherwise null. */
    private static Path nameable(byte[] bytes, int length) {
        try {
            String s = FILE_NAMES.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            byte[] again = s.getBytes(FILE_NAMES);
            return java.util.Arrays.equals(again, 0, again.length, bytes, 0, length) ? Path.of(s) : null;
        } catch (CharacterCodingException | RuntimeException e) {
            return null;
        }
    }

    /** The JVM's encoding of file names. */
    private static final Charset FILE_NAMES = fileNames();

    private static Charset fileNames() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** One line of {@code /proc/self/mountinfo} (proc(5)): the file system (device), the directory of it mounted, and where. */
    private record Mount(String device, Path root, Path point) {}

    /**
     * The same sockets where other mounts show them: for a socket at {@code P} in the mount at {@code M} of device
     * {@code D} whose root is {@code R}, its path in the file system is {@code R + (P - M)}; every other mount of
     * {@code D} whose root {@code R'} is above that shows it at {@code M' + (that - R')}, when no later mount hides it
     * (checked: the alias must be the same file).
     */
    private List<Path> aliases(Set<Path> sockets) {
        List<Mount> mounts = mounts();
        List<Path> found = new ArrayList<>();
        for (Path socket : sockets) {
            Mount home = null;
            for (Mount m : mounts) {
                if (socket.startsWith(m.point()) && (home == null || m.point().getNameCount() >= home.point().getNameCount())) home = m;
            }
            if (home == null) continue;
            Path inFs = home.root().resolve(home.point().relativize(socket));
            for (Mount m : mounts) {
                if (m == home || !m.device().equals(home.device()) || !inFs.startsWith(m.root())) continue;
                Path alias = m.point().resolve(m.root().relativize(inFs));
                try {
                    if (!alias.equals(socket) && isSocket(alias) && Files.isSameFile(alias, socket)) found.add(alias);
                } catch (IOException | RuntimeException e) {
                    // gone, or hidden by another mount
                }
            }
        }
        return found;
    }

    /** The mounts of this process's namespace; none when mountinfo cannot be read (aliases are then not found). */
    private List<Mount> mounts() {
        List<Mount> mounts = new ArrayList<>();
        try {
            for (String line : new String(Files.readAllBytes(mountinfo), StandardCharsets.ISO_8859_1).split("\n")) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                byte[] root = unescape(f[3]);
                byte[] point = unescape(f[4]);
                Path r = nameable(root, root.length);
                Path p = nameable(point, point.length);
                if (r != null && p != null && r.isAbsolute() && p.isAbsolute()) mounts.add(new Mount(f[2], r, p));
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return mounts;
    }

    /** mountinfo's octal escapes ({@code \040} for a space, {@code \012} for a newline, ...) undone. */
    private static byte[] unescape(String field) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        return true;
    }

    private static boolean isSocket(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
