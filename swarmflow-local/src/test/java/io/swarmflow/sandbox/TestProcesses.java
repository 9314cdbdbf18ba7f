package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Test helper: finds processes by their command line in {@code /proc}. */
public final class TestProcesses {
    private TestProcesses() {}

    /** Number of live processes whose command line (arguments joined by NUL) contains {@code argument}. */
    public static long withArgument(String argument) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(argument);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    /** Kills (SIGKILL) every live process whose command line contains {@code argument}. */
    public static void killWithArgument(String argument) {
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(argument)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }
}
