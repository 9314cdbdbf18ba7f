package io.swarmflow.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a step of a test as an ordinary user, also when the tests run as root (CI). Root opens and deletes a directory
 * whatever its mode (CAP_DAC_OVERRIDE), so what an ordinary user meets with a ticket's {@code chmod 000} directories
 * is only checked when the step runs without it. As root, {@link #call} hands the tree to the user nobody (uid and gid
 * 65534) and runs the step in a child JVM under {@code setpriv} (util-linux) as that user, with this JVM's class path
 * (copied where nobody cannot read it); as an ordinary user it runs the step in this JVM. Either way the same assertions follow.
 */
public final class OrdinaryUser {
    /** The uid and gid the step runs as when the tests run as root: nobody. */
    static final int NOBODY = 65534;
    private static String classes;

    private OrdinaryUser() {
    }

    /** Whether this JVM runs as root. */
    public static boolean root() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /**
     * Calls the static method {@code owner.method(String...)} as an ordinary user and returns what it returned.
     *
     * @param tree  the directory holding every file the step touches, below directories every user may search (the
     *              temporary directory); as root it is given to nobody, who then owns what the step works on as a
     *              ticket's user owns its worktree
     * @param owner the class declaring the step, a static method taking strings and returning a string
     * @param args  the step's arguments
     * @throws AssertionError when the step threw, with what it said
     */
    public static String call(Path tree, Class<?> owner, String method, String... args) throws Exception {
        if (!root()) return invoke(owner, method, args);
        run(List.of("chown", "-R", NOBODY + ":" + NOBODY, "--", tree.toString()));
        Path top = tree.toAbsolutePath().getParent();
        if (top != null && !everyoneReads(top)) throw new AssertionError("uid " + NOBODY + " cannot reach " + tree);
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classes(),
                OrdinaryUser.class.getName(), owner.getName(), method));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().clear();
        pb.environment().putAll(java.util.Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", tree.toString(),
                "LC_ALL", "C", "GIT_CONFIG_NOSYSTEM", "1"));
        Process p = pb.start();
        p.getOutputStream().close();
        var err = p.getErrorStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                err.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the exit code tells
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        drain.join();
        if (code != 0) throw new AssertionError("the step " + owner.getSimpleName() + "." + method + " as uid " + NOBODY
                + " failed (exit " + code + "): " + out);
        return out;
    }

    /** The child JVM's entry: {@code OrdinaryUser CLASS METHOD ARGS...}; prints the result, or the exception and exits 1. */
    public static void main(String[] a) throws Exception {
        try {
            System.out.print(invoke(Class.forName(a[0]), a[1], java.util.Arrays.copyOfRange(a, 2, a.length)));
        } catch (Throwable t) {
            java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            System.out.print(w);
            System.out.flush();
            System.exit(1);
        }
    }

    private static String invoke(Class<?> owner, String method, String[] args) throws Exception {
        Method m = owner.getDeclaredMethod(method, String[].class);
        m.setAccessible(true);
        try {
            return (String) m.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            if (e.getCause() instanceof Error error) throw error;
            throw e;
        }
    }

    /**
     * This JVM's class path (surefire's {@code java.class.path}) as every user can read it: an entry below a directory
     * others cannot search (root's 0700 home holds the Maven repository) is copied to a temporary directory once per JVM.
     */
    private static synchronized String classes() throws Exception {
        if (classes != null) return classes;
        Path copy = Files.createTempDirectory("swarm-test-classes-");
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                FileTrees.delete(copy);
            } catch (IOException ignored) {
                // a copy left in the temporary directory
            }
        }));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry).toAbsolutePath();
            if (!Files.exists(from) || everyoneReads(from)) {
                entries.add(entry);
                continue;
            }
            Path to = copy.resolve(entries.size() + "-" + from.getFileName());
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path f : walk.toList()) {
                    Path target = f.equals(from) ? to : to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) Files.createDirectories(target);
                    else Files.copy(f, target);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            entries.add(to.toString());
        }
        run(List.of("chmod", "-R", "a+rX", "--", copy.toString()));
        classes = String.join(java.io.File.pathSeparator, entries);
        return classes;
    }

    /** Whether others may search every directory above {@code p} and read it (for a directory: its top only). */
    private static boolean everyoneReads(Path p) throws IOException {
        if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) return false;
        for (Path d = p.getParent(); d != null; d = d.getParent()) {
            if (!Files.getPosixFilePermissions(d).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) return false;
        }
        return true;
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
}
