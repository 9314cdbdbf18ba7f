package io.swarmflow.store.sql;

import io.swarmflow.files.trust.DirectoryTrust;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;

/**
 * Loads SQLite's native library from a per-user cache instead of letting sqlite-jdbc unpack it again.
 *
 * <p>By default sqlite-jdbc ({@code SQLiteJDBCLoader}) copies its 1 MiB library out of the jar into
 * {@code java.io.tmpdir} under a new random name at every start, compares the copy with the jar's entry, loads it
 * and deletes it at exit: about 0.1 s of every {@code swarm} command here, and a process that is killed leaves its
 * copy (and a {@code .lck} file) in {@code /tmp} for good. {@link #useCachedCopy} instead copies it once to
 * {@code $XDG_CACHE_HOME/swarmflow/sqlite-jdbc} (default {@code ~/.cache/swarmflow/sqlite-jdbc}, mode 0700), named by
 * sqlite-jdbc's version and the CRC-32 of the jar entry, and points sqlite-jdbc at it through its documented system
 * properties {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}. If those properties are already set, the
 * library is not in a jar, or anything goes wrong, nothing is set and sqlite-jdbc does what it always does (and if
 * the cached file cannot be loaded, sqlite-jdbc itself falls back to unpacking).
 *
 * <p>A cached copy is used only if it is a regular file (not a link) of the entry's size and CRC-32, owned by this
 * user and not writable by group or others, in a directory with the same properties whose ancestors only this user
 * or root can change ({@link #checkAncestors}); otherwise it is written again (to a temporary file checked against
 * the entry's CRC-32 and synced, then renamed into place, so concurrent starts never see a partial file).
 * Temporary files that a killed process left behind are removed after {@link #STALE_PARTIAL_MILLIS}.
 */
final class SqliteNativeLibrary {
    private static volatile boolean done;

    private SqliteNativeLibrary() {}

    /** Points sqlite-jdbc at the cached copy, once per JVM; never throws. */
    static void useCachedCopy() {
        if (done) return;
        synchronized (SqliteNativeLibrary.class) {
            if (done) return;
            done = true;
            try {
                if (System.getProperty("org.sqlite.lib.path") != null || System.getProperty("org.sqlite.lib.name") != null) return;
                Optional<Path> dir = cacheRoot();
                if (dir.isEmpty()) return;
                String name = LibraryLoaderUtil.getNativeLibName();
                URL resource = SQLiteJDBCLoader.class.getResource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name);
                if (resource == null) return;
                Optional<Path> copy = cachedCopy(resource, dir.get().resolve("swarmflow").resolve("sqlite-jdbc"), SQLiteJDBCLoader.getVersion(), name);
                copy.ifPresent(p -> {
                    System.setProperty("org.sqlite.lib.path", p.getParent().toString());
                    System.setProperty("org.sqlite.lib.name", p.getFileName().toString());
                });
            } catch (RuntimeException | IOException | LinkageError e) {
                // sqlite-jdbc's own unpacking remains
            }
        }
    }

    /** {@code $XDG_CACHE_HOME} if absolute, else {@code $HOME/.cache}; empty when neither is usable. */
    static Optional<Path> cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Optional.of(Path.of(xdg));
        String home = System.getenv("HOME");
        if (home == null || home.isBlank() || !Path.of(home).isAbsolute()) return Optional.empty();
        return Optional.of(Path.of(home, ".cache"));
    }

    /**
     * The cached copy of the jar entry {@code resource} in {@code dir}, written there if it is missing or not
     * trustworthy (see the class comment).
     *
     * @param resource a {@code jar:} URL of the library; any other kind gives empty
     * @param dir      the cache directory; created with mode 0700 if missing
     * @param version  sqlite-jdbc's version, part of the file name
     * @param name     the library's file name ({@code libsqlitejdbc.so})
     * @return the copy's path, or empty when {@code resource} is not in a jar
     * @throws IOException when the directory or the copy cannot be made safely
     */
    static Optional<Path> cachedCopy(URL resource, Path dir, String version, String name) throws IOException {
        URLConnection connection = resource.openConnection();
        if (!(connection instanceof JarURLConnection jar)) return Optional.empty();
        connection.setUseCaches(false); // do not keep the jar open through the JDK's cache
        JarEntry entry = jar.getJarEntry();
        long size = entry.getSize();
        long crc = entry.getCrc();
        if (size < 0 || crc < 0) return Optional.empty();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            // private from the start: under umask 002 they would otherwise be group-writable, and refused below
            Files.createDirectories(dir.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another swarm process made it
            }
        }
        Optional<String> notPrivate = DirectoryTrust.notPrivateBecause(dir, new com.sun.security.auth.module.UnixSystem().getUid());
        if (notPrivate.isPresent()) throw new IOException(dir + " is not a directory private to this user: it " + notPrivate.get());
        // from here on the real path, checked and handed to sqlite-jdbc: a link above it, in a directory someone
        // else can write to, could otherwise be swapped between the checks and the load
        dir = dir.toRealPath();
        checkAncestors(dir);
        Path target = dir.resolve(String.format(Locale.ROOT, "sqlite-%s-%08x-%s", version, crc, name));
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == size && privateToUs(target)
                && crc32(target) == crc) {
            return Optional.of(target);
        }
        removeStalePartials(dir);
        Path tmp = Files.createTempFile(dir, "partial-", ".tmp");
        try {
            CRC32 written = new CRC32();
            try (InputStream in = connection.getInputStream();
                 FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    written.update(buf, 0, n);
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) out.write(b);
                }
                out.force(true); // durable before the rename makes it visible: a crash must not leave a named, empty library
            }
            if (written.getValue() != crc || Files.size(tmp) != size) throw new IOException("the copy of " + resource + " does not match its jar entry");
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return Optional.of(target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A {@code partial-*.tmp} this old is left over by a process killed while copying, not one being written now. */
    static final long STALE_PARTIAL_MILLIS = 10 * 60 * 1000;

    private static void removeStalePartials(Path dir) throws IOException {
        long cutoff = System.currentTimeMillis() - STALE_PARTIAL_MILLIS;
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, "partial-*.tmp")) {
            for (Path p : partials) {
                if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) Files.deleteIfExists(p);
            }
        }
    }

    private static long crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return crc.getValue();
    }

    /**
     * Refuses a cache directory that someone else could replace: each directory above it (after resolving links) must
     * pass {@link DirectoryTrust#checkAncestors} (owned by this user or root, writable by no one else unless sticky or
     * writable by the user's private group only), the rule {@code JnaTempDir} applies too.
     *
     * @throws IOException naming the first directory that fails
     */
    static void checkAncestors(Path dir) throws IOException {
        com.sun.security.auth.module.UnixSystem me = new com.sun.security.auth.module.UnixSystem();
        DirectoryTrust.checkAncestors(dir.toAbsolutePath().getParent().toRealPath(), me.getUid(), me.getGid(), me.getUsername());
    }

    /** Owned by this process's user, not a link, not writable by group or others ({@link DirectoryTrust#privateTo}). */
    private static boolean privateToUs(Path p) throws IOException {
        return DirectoryTrust.privateTo(p, new com.sun.security.auth.module.UnixSystem().getUid());
    }
}
