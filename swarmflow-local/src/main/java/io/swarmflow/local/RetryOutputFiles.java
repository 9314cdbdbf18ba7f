package io.swarmflow.local;

import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.spec.OutputSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a retry in the run's shared directory ({@code workspace: run}) from succeeding with the output files an earlier,
 * failed attempt of its ticket left there (review-B F2): at the first attempt of a ticket this executor starts, the
 * state of each declared output file (absent, or its file, modification time and size) is noted; before each later
 * attempt, every declared output file that was absent then and is there now (an earlier attempt created it) is deleted,
 * so the attempt must write it again or fail as missing. A file that was there before the first attempt stays, changed
 * or not: a ticket it needs wrote it, and this ticket may have edited it in place (review D4 F1: deleting it lost the
 * other ticket's work). The deletion goes through directories opened one at a time without following links ({@link
 * SecureDirectoryStream}, openat(2) with {@code O_NOFOLLOW}), so another ticket of the run that swaps a directory on the
 * way for a link cannot lead it outside the workspace (review D4 F2); a path through a link, or a file that is no regular
 * file or link, is left alone (reading it fails the attempt anyway). The notes live as long as the executor: the first
 * attempt after a resume starts them anew.
 */
final class RetryOutputFiles {
    /** A file's state: null fields for "absent". */
    private record State(Object key, long modified, long size) {
        static final State ABSENT = new State(null, -1, -1);
    }

    private final Map<String, Map<String, State>> first = new ConcurrentHashMap<>();
    /** The output files deleted before an attempt, by ticket and attempt. */
    private final Map<String, List<String>> deletedBefore = new ConcurrentHashMap<>();

    /**
     * Notes the declared output files of {@code request}'s ticket in {@code workspace} at its first attempt here, and
     * deletes those an earlier attempt changed before a later one.
     *
     * @param request   the attempt about to start
     * @param workspace the run's shared directory the ticket runs in
     * @return the names of the outputs whose files were deleted (relative paths as declared), empty when none
     */
    List<String> beforeAttempt(AttemptRequest request, Path workspace) {
        List<OutputSpec> files = request.ticket().outputs().values().stream().filter(o -> o.file() != null).toList();
        if (files.isEmpty()) return List.of();
        Path root;
        try {
            root = workspace.toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        String key = request.runDir().toAbsolutePath().normalize() + "\0" + request.ticket().id();
        Map<String, State> now = new HashMap<>();
        for (OutputSpec o : files) now.put(o.file(), state(root, o.file()));
        Map<String, State> noted = first.putIfAbsent(key, now);
        if (noted == null) return List.of();
        List<String> deleted = new java.util.ArrayList<>();
        for (OutputSpec o : files) {
            State then = noted.getOrDefault(o.file(), State.ABSENT);
            State current = now.get(o.file());
            if (!State.ABSENT.equals(then) || current == null || current.equals(State.ABSENT)) continue;
            if (deleteBeneath(root, o.file())) deleted.add(o.file());
        }
        if (!deleted.isEmpty()) deletedBefore.put(key + "\0" + request.attempt(), List.copyOf(deleted));
        return deleted;
    }

    /** Whether {@link #beforeAttempt} deleted the output file {@code file} (as declared) before {@code request}'s attempt. */
    boolean deletedBefore(AttemptRequest request, String file) {
        String key = request.runDir().toAbsolutePath().normalize() + "\0" + request.ticket().id() + "\0" + request.attempt();
        return deletedBefore.getOrDefault(key, List.of()).contains(file);
    }

    /** The state of {@code relative} beneath {@code root}; null when it cannot be told (a link on the way, not a file). */
    private static State state(Path root, String relative) {
        Path file = beneath(root, relative);
        if (file == null) return null;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() && !a.isSymbolicLink()) return null;
            return new State(Objects.requireNonNullElse(a.fileKey(), ""), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size());
        } catch (java.nio.file.NoSuchFileException e) {
            return State.ABSENT;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Deletes the regular file or link {@code relative} beneath {@code root}, opening each directory on the way relative
     * to the one before without following links; false when it is not there, a directory on the way is a link or no
     * directory, the file is a directory, or the platform has no {@link SecureDirectoryStream} (nothing is deleted then).
     */
    private static boolean deleteBeneath(Path root, String relative) {
        Path rel = Path.of(relative).normalize();
        if (rel.isAbsolute() || rel.startsWith("..") || rel.toString().isEmpty()) return false;
        java.util.List<SecureDirectoryStream<Path>> opened = new java.util.ArrayList<>();
        try {
            DirectoryStream<Path> top = Files.newDirectoryStream(root);
            if (!(top instanceof SecureDirectoryStream<Path> dir)) {
                top.close();
                return false;
            }
            opened.add(dir);
            for (int i = 0; i < rel.getNameCount() - 1; i++) {
                dir = dir.newDirectoryStream(rel.getName(i), LinkOption.NOFOLLOW_LINKS);
                opened.add(dir);
            }
            Path name = rel.getFileName();
            BasicFileAttributes a = dir.getFileAttributeView(name, java.nio.file.attribute.BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            if (!a.isRegularFile() && !a.isSymbolicLink()) return false;
            dir.deleteFile(name); // unlinkat(2): a link is removed itself, never what it points at
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // left as it is: the attempt's own write replaces it, or reading it says what is wrong
        } finally {
            for (SecureDirectoryStream<Path> d : opened) {
                try {
                    d.close();
                } catch (IOException e) {
                    // closing a directory read nothing from it
                }
            }
        }
    }

    /**
     * {@code relative} beneath {@code root} when every directory on its way is a directory, not a symbolic link; else
     * null (also for an absolute path or one with {@code ..}, which the spec refuses).
     */
    private static Path beneath(Path root, String relative) {
        Path rel = Path.of(relative).normalize();
        if (rel.isAbsolute() || rel.startsWith("..") || rel.toString().isEmpty()) return null;
        Path dir = root;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            dir = dir.resolve(rel.getName(i));
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return null;
        }
        return root.resolve(rel);
    }
}
