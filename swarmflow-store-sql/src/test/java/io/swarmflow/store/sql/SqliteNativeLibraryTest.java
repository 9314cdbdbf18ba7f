package io.swarmflow.store.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-user copy of SQLite's native library that replaces sqlite-jdbc's unpacking at every start. */
class SqliteNativeLibraryTest {
    @TempDir
    Path tmp;

    private final String name = LibraryLoaderUtil.getNativeLibName();
    private final URL resource = SQLiteJDBCLoader.class.getResource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name);

    private byte[] entryBytes() throws Exception {
        try (InputStream in = resource.openStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void theLibraryIsCopiedOnceAsAPrivateFileWithTheJarEntrysContentAndThenReused() throws Exception {
        assertThat(resource).as("sqlite-jdbc ships a library for this platform").isNotNull();
        assertThat(resource.getProtocol()).isEqualTo("jar");
        Path dir = tmp.resolve("cache/swarmflow/sqlite-jdbc");

        Path copy = SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name).orElseThrow();
        assertThat(copy.getParent()).isEqualTo(dir);
        assertThat(copy.getFileName().toString()).startsWith("sqlite-3.x-").endsWith("-" + name);
        assertThat(Files.readAllBytes(copy)).isEqualTo(entryBytes());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rwx------");
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no temporary file left").containsExactly(copy);
        }

        FileTime marker = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(copy, marker);
        assertThat(SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name)).contains(copy);
        assertThat(Files.getLastModifiedTime(copy)).as("reused, not written again").isEqualTo(marker);
    }

    @Test
    void aTruncatedOrSharedWritableCopyIsWrittenAgain() throws Exception {
        Path dir = tmp.resolve("c");
        Path copy = SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name).orElseThrow();

        Files.write(copy, new byte[]{1, 2, 3}); // a crash half-way through someone else's copy, or tampering
        assertThat(SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name)).contains(copy);
        assertThat(Files.readAllBytes(copy)).isEqualTo(entryBytes());

        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setLastModifiedTime(copy, FileTime.fromMillis(1_000_000_000_000L));
        assertThat(SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name)).contains(copy);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy))).isEqualTo("rwx------");
        assertThat(Files.getLastModifiedTime(copy).toMillis()).isNotEqualTo(1_000_000_000_000L);
    }

    @Test
    void aCacheDirectoryOthersCanWriteToOrALinkIsNotUsed() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> SqliteNativeLibrary.cachedCopy(resource, shared, "3.x", name))
                .hasMessageContaining("not a directory private to this user");

        Path real = Files.createDirectories(tmp.resolve("real"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThatThrownBy(() -> SqliteNativeLibrary.cachedCopy(resource, link, "3.x", name))
                .hasMessageContaining("not a directory private to this user");
    }

    @Test
    void aCopyWithTheRightSizeButOtherBytesIsWrittenAgain() throws Exception {
        Path dir = tmp.resolve("c");
        Path copy = SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name).orElseThrow();
        byte[] bytes = Files.readAllBytes(copy);
        bytes[bytes.length / 2] ^= 0x55; // same size, same owner and mode: only the CRC-32 tells
        Files.write(copy, bytes);

        assertThat(SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name)).contains(copy);
        assertThat(Files.readAllBytes(copy)).isEqualTo(entryBytes());
    }

    @Test
    void aCacheBelowADirectoryOthersCanChangeIsNotUsed() throws Exception {
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx")); // no sticky bit: anyone may rename in it
        Path dir = Files.createDirectories(open.resolve("home/.cache/swarmflow/sqlite-jdbc"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name))
                .hasMessage(open.toRealPath() + " is writable by others");
        // /tmp itself is writable by all, but sticky: the temporary directories of these tests live below it
        assertThat(SqliteNativeLibrary.cachedCopy(resource, tmp.resolve("c"), "3.x", name)).isPresent();
    }

    /** A link on the way is resolved once: what is checked and handed to sqlite-jdbc is the real path. */
    @Test
    void aLinkAboveTheCacheIsResolvedBeforeTheChecks() throws Exception {
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path real = Files.createDirectories(tmp.resolve("real"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(open.resolve("cache"), real); // whoever can write to open/ could swap this link later

        Path copy = SqliteNativeLibrary.cachedCopy(resource, open.resolve("cache/swarmflow/sqlite-jdbc"), "3.x", name).orElseThrow();

        assertThat(copy.getParent()).isEqualTo(real.toRealPath().resolve("swarmflow/sqlite-jdbc"));
    }

    @Test
    void missingDirectoriesAreCreatedPrivateWhateverTheUmask() throws Exception {
        Path copy = SqliteNativeLibrary.cachedCopy(resource, tmp.resolve("home/.cache/swarmflow/sqlite-jdbc"), "3.x", name).orElseThrow();

        for (Path p = copy.getParent(); !p.equals(tmp.toRealPath()); p = p.getParent()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p).isEqualTo("rwx------");
        }
    }

    /** Under the user private group scheme (umask 002) a home is group-writable, by a group of one. */
    @Test
    void aDirectoryWritableOnlyByTheUsersPrivateGroupIsAccepted() throws Exception {
        var me = new com.sun.security.auth.module.UnixSystem();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwx---"));
        Path dir = home.resolve(".cache/swarmflow/sqlite-jdbc");
        String group = Files.readAttributes(home, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        if (group.equals(me.getUsername())) {
            assertThat(SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name)).isPresent();
        } else {
            assertThatThrownBy(() -> SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name))
                    .hasMessage(home.toRealPath() + " is writable by its group");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(me.getUid() == 0, "changing a directory's group to one we are not in needs root");
        var lookup = home.getFileSystem().getUserPrincipalLookupService();
        Files.getFileAttributeView(home, java.nio.file.attribute.PosixFileAttributeView.class)
                .setGroup(lookup.lookupPrincipalByGroupName("nogroup"));
        assertThatThrownBy(() -> SqliteNativeLibrary.cachedCopy(resource, dir.resolveSibling("other"), "3.x", name))
                .hasMessage(home.toRealPath() + " is writable by its group");
    }

    @Test
    void partialCopiesLeftByAKilledProcessAreRemovedOnceStale() throws Exception {
        Path dir = tmp.resolve("c");
        Path copy = SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name).orElseThrow();
        Path stale = Files.write(dir.resolve("partial-1.tmp"), new byte[]{1});
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - SqliteNativeLibrary.STALE_PARTIAL_MILLIS - 60_000));
        Path fresh = Files.write(dir.resolve("partial-2.tmp"), new byte[]{2}); // another process may be writing it now
        Files.write(copy, new byte[]{1, 2, 3});

        assertThat(SqliteNativeLibrary.cachedCopy(resource, dir, "3.x", name)).contains(copy);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }

    @Test
    void aLibraryOutsideAJarIsLeftToSqliteJdbc() throws Exception {
        Path file = Files.write(tmp.resolve(name), new byte[]{0});
        assertThat(SqliteNativeLibrary.cachedCopy(file.toUri().toURL(), tmp.resolve("c"), "3.x", name)).isEqualTo(Optional.empty());
    }

    /** In a fresh JVM: opening a store loads SQLite from the cached copy and unpacks nothing into java.io.tmpdir. */
    @Test
    void aSwarmProcessUnpacksNothingIntoTheTempDirectory() throws Exception {
        Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp"));
        Path cache = tmp.resolve("xdg-cache");
        for (int run = 0; run < 2; run++) { // the first run writes the copy, the second reuses it
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + jvmTmp, "-cp", System.getProperty("java.class.path"),
                    SqliteNativeLibraryProbe.class.getName(), tmp.resolve("state" + run).toString()).redirectErrorStream(true);
            pb.environment().put("XDG_CACHE_HOME", cache.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("org.sqlite.lib.path=" + cache.resolve("swarmflow/sqlite-jdbc"));
            try (var files = Files.list(jvmTmp)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("sqlite-jdbc's own copies").noneMatch(f -> f.startsWith("sqlite-"));
            }
        }
        try (var files = Files.list(cache.resolve("swarmflow/sqlite-jdbc"))) {
            assertThat(files.toList()).hasSize(1);
        }
    }
}
