package io.swarmflow.sandbox;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the host tools the sandbox runs by absolute path, so the granted PATH never changes them. */
final class Executables {
    private static final String FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Executables() {}

    static Optional<Path> find(String name) {
        return find(name, System.getenv("PATH"));
    }

    /**
     * The first {@code name} that is an executable regular file in a directory of {@code path} (a {@code PATH} value,
     * null for none; relative directories against the working directory), then of {@link #FALLBACK_PATH}.
     */
    static Optional<Path> find(String name, String path) {
        String search = (path == null || path.isBlank() ? "" : path + File.pathSeparator) + FALLBACK_PATH;
        for (String dir : search.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** Tools found so far: looked up once per JVM, not once per launch. */
    private static final java.util.concurrent.ConcurrentMap<String, String> FOUND = new java.util.concurrent.ConcurrentHashMap<>();

    /** The absolute path of {@code name} on the host, or {@code name} itself when it is not found. */
    static String resolve(String name) {
        String known = FOUND.get(name);
        if (known != null) return known;
        Optional<Path> found = find(name);
        found.ifPresent(p -> FOUND.put(name, p.toString()));
        return found.map(Path::toString).orElse(name);
    }

    static String require(String name, String pkg) throws SandboxException {
        String known = FOUND.get(name);
        if (known != null) return known;
        String path = find(name).map(Path::toString).orElseThrow(() -> new SandboxException(
                name + " not found on PATH; install it (apt-get install " + pkg + ")"));
        FOUND.put(name, path);
        return path;
    }
}
