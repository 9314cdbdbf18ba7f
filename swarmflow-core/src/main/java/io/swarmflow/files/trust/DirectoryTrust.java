package io.swarmflow.files.trust;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The one rule for trusting a directory that a native library is unpacked into and loaded from (swarmflow-local's
 * {@code JnaTempDir}, swarmflow-store-sql's {@code SqliteNativeLibrary}): the directory is this user's, not a symbolic
 * link and writable by no one else, and every directory above it is owned by this user or root and writable by no one
 * else, unless sticky (as {@code /tmp}: others cannot rename or remove what is ours) or writable by the user's private
 * group only. OpenSSH's {@code StrictModes} rule for the paths it trusts, with those two exceptions. The JDK alone
 * ({@code unix:} file attributes), so that the sandbox package may use it.
 */
public final class DirectoryTrust {
    private DirectoryTrust() {}

    /**
     * Checks {@code from} (a real path) and every directory above it: owned by user {@code uid} or root, writable by no
     * one else (unless sticky, or writable only by its group when that is {@code gid}, named {@code user}: the user
     * private group scheme of Debian, Fedora and others, under which umask 002 makes directories group-writable). This
     * also refuses a {@code HOME} of another user, as under {@code sudo} without {@code -H}.
     *
     * @throws IOException naming the first directory that fails, or when an attribute cannot be read
     */
    public static void checkAncestors(Path from, long uid, long gid, String user) throws IOException {
        for (Path p = from; p != null; p = p.getParent()) {
            long owner = ((Number) Files.getAttribute(p, "unix:uid")).longValue();
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            if (owner != uid && owner != 0) throw new IOException(p + " belongs to another user (uid " + owner + ")");
            if ((mode & 01000) != 0) continue; // sticky, like /tmp: others cannot rename or remove what is ours
            if ((mode & 0002) != 0) throw new IOException(p + " is writable by others");
            if ((mode & 0020) != 0 && !privateGroup(p, gid, user)) throw new IOException(p + " is writable by its group");
        }
    }

    /** Whether {@code p}'s group is group {@code gid} and named {@code user}: that user's private group. */
    private static boolean privateGroup(Path p, long gid, String user) throws IOException {
        if (((Number) Files.getAttribute(p, "unix:gid")).longValue() != gid) return false;
        Object group = Files.getAttribute(p, "posix:group");
        return group instanceof java.nio.file.attribute.GroupPrincipal g && g.getName().equals(user);
    }

    /**
     * Whether {@code p} is owned by user {@code uid}, not a symbolic link, and writable by neither its group nor others.
     *
     * @throws IOException when its attributes cannot be read
     */
    public static boolean privateTo(Path p, long uid) throws IOException {
        return notPrivateBecause(p, uid).isEmpty();
    }

    /**
     * Checks that {@code p} is owned by user {@code uid}, not a symbolic link, and writable by neither its group nor
     * others ({@link #privateTo}), saying which of these fails.
     *
     * @throws IOException naming {@code p} and the first rule it fails ("P is a symbolic link", "P belongs to another
     *                     user (uid N)", "P is writable by its group (mode 0770)", "P is writable by others (mode 0707)"),
     *                     or when its attributes cannot be read
     */
    public static void requirePrivate(Path p, long uid) throws IOException {
        Optional<String> why = notPrivateBecause(p, uid);
        if (why.isPresent()) throw new IOException(p + " " + why.get());
    }

    /**
     * Why {@code p} is not private to user {@code uid} ({@link #privateTo}): "is a symbolic link", "belongs to another
     * user (uid N)", "is writable by its group (mode 0770)" or "is writable by others (mode 0707)" (the mode's
     * permission bits in octal); empty when it is private.
     *
     * @throws IOException when its attributes cannot be read
     */
    public static Optional<String> notPrivateBecause(Path p, long uid) throws IOException {
        if (Files.isSymbolicLink(p)) return Optional.of("is a symbolic link");
        long owner = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        if (owner != uid) return Optional.of("belongs to another user (uid " + owner + ")");
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        String octal = String.format(Locale.ROOT, "%04o", mode & 07777);
        if ((mode & 0020) != 0) return Optional.of("is writable by its group (mode " + octal + ")");
        if ((mode & 0002) != 0) return Optional.of("is writable by others (mode " + octal + ")");
        return Optional.empty();
    }
}
