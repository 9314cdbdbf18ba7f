package io.swarmflow.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link SeccompWithoutPosixSpawnTest} in a JVM started with {@code -Dswarm.launcher=jdk}: runs two bubblewrap
 * tickets and prints whether the command line names {@code --seccomp}, their exit codes and the warnings.
 */
public final class SeccompWithoutPosixSpawnProbe {
    private SeccompWithoutPosixSpawnProbe() {}

    public static void main(String[] args) throws Exception {
        List<String> warnings = new ArrayList<>();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.probe(), warnings::add)) {
            SandboxSpec spec = SandboxSpec.builder(Path.of(args[0])).isolation(Isolation.REQUIRED).build();
            System.out.println("seccomp=" + sandbox.commandLine(spec, List.of("true")).contains("--seccomp"));
            for (int i = 0; i < 2; i++) {
                System.out.println("exit=" + sandbox.start(spec, List.of("bash", "-c", "exit 7"), LineListener.NONE).waitFor().exitCode());
            }
        }
        for (String w : warnings) System.out.println("warning=" + w);
    }
}
