package io.swarmflow.sandbox;

import io.swarmflow.files.trust.DirectoryTrust;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where JNA unpacks its native library ({@code libjnidispatch.so}), which it then loads: a directory only this user can
 * write to, set as JNA's documented system property {@code jna.tmpdir} before JNA is first used.
 *
 * <p>Left to itself, JNA 5 unpacks into {@code $XDG_CACHE_HOME/JNA/temp} (default {@code ~/.cache/JNA/temp}) and makes
 * the directories missing on the way with {@code mkdirs}, whose mode is whatever the umask leaves: under umask 000 they
 * are {@code rwxrwxrwx} without the sticky bit, so any local user could swap the unpacked file between its writing and
 * its loading and have their code run as the user running swarm (as root when root runs it). {@link #ownerOnly} instead
 * points JNA at {@code $XDG_CACHE_HOME/swarmflow/jna} (default {@code ~/.cache/swarmflow/jna}), each directory it makes
 * on the way, {@code ~/.cache} included, {@code rwx------} from birth whatever the umask (the XDG Base Directory
 * Specification's mode for these directories), and uses it only when it is owned by this user, not a symbolic link and
 * writable by no one else, and every directory above it is owned by this user or root and writable by no one else
 * (unless sticky, as {@code /tmp}, or writable by the user's private group only): the rule {@code SqliteNativeLibrary}
 * applies to sqlite-jdbc's library in {@code ~/.cache/swarmflow/sqlite-jdbc}. When that directory cannot be made or
 * trusted (a {@code HOME} of another user under {@code sudo} without {@code -H}, a {@code ~/.cache} made
 * world-writable earlier), a new directory of mode 0700 in {@code java.io.tmpdir} is used instead, removed at exit.
 */
public final class JnaTempDir {
    /** JNA's system property for the directory it unpacks its native library into. */
    static final String PROPERTY = "jna.tmpdir";

    private static volatile boolean done;

    private JnaTempDir() {
    }

    /**
     * Sets {@code jna.tmpdir} to a directory only this user can write to (see the class comment), once per JVM; leaves
     * a {@code jna.tmpdir} already set (by {@code -Djna.tmpdir=...}) as it is. Call it before anything uses JNA. Never
     * throws: when no such directory can be made at all, JNA's own default remains.
     */
    public static void ownerOnly() {
        if (done) return;
        synchronized (JnaTempDir.class) {
            if (done) return;
            done = true;
            if (System.getProperty(PROPERTY) != null) return;
            Optional<Path> dir;
            try {
                dir = cacheRoot().map(root -> root.resolve("swarmflow").resolve("jna"));
                if (dir.isPresent()) dir = Optional.of(make(dir.get()));
            } catch (IOException | RuntimeException e) {
                dir = Optional.empty();
            }
            if (dir.isEmpty()) {
                try {
                    Path tmp = Files.createTempDirectory("swarmflow-jna-"); // 0700 on POSIX, whatever the umask
                    tmp.toFile().deleteOnExit(); // after JNA's file in it (deleteOnExit runs in reverse order)
                    dir = Optional.of(tmp);
                } catch (IOException | RuntimeException e) {
                    return;
                }
            }
            System.setProperty(PROPERTY, dir.get().toString());
        }
    }

    /**
     * {@code $XDG_CACHE_HOME} if absolute, else {@code $HOME/.cache} (JNA's {@code user.home} when {@code HOME} is not
     * an absolute path); empty when none is usable.
     */
    static Optional<Path> cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Optional.of(Path.of(xdg));
        for (String home : new String[] {System.getenv("HOME"), System.getProperty("user.home")}) {
            if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) return Optional.of(Path.of(home, ".cache"));
        }
        return Optional.empty();
    }

    /**
     * Makes {@code dir} and the directories missing above it {@code rwx------}, and returns its real path once it and
     * the directories above it pass the checks of the class comment.
     *
     * @throws IOException naming what is wrong when it cannot be made or trusted
     */
    static Path make(Path dir) throws IOException {
        // this process's user (uid and name) and group: those of /proc/self (the JDK alone, as the rest of this package)
        Path self = Path.of("/proc/self");
        long me = ((Number) Files.getAttribute(self, "unix:uid")).longValue();
        long myGid = ((Number) Files.getAttribute(self, "unix:gid")).longValue();
        String myName = Files.getOwner(self).getName(); // of the same uid, not the user.name property (-Duser.name sets it)
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            // checked before anything is made: root with another user's HOME must not leave its directories there
            Path existing = dir.toAbsolutePath();
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) existing = existing.getParent();
            if (existing != null) DirectoryTrust.checkAncestors(existing.toRealPath(), me, myGid, myName);
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        DirectoryTrust.requirePrivate(dir, me); // says which rule it fails
        Path real = dir.toRealPath();
        if (real.getParent() != null) DirectoryTrust.checkAncestors(real.getParent(), me, myGid, myName);
        return real;
    }
}
