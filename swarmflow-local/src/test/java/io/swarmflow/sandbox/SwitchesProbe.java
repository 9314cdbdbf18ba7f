package io.swarmflow.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link SwitchesTest} in a JVM started with the system properties of docs/sandbox.md: prints, one
 * {@code key=value} per line, which launcher and which process-limit cgroup the sandbox uses, and how an attempt
 * with a process limit went. Argument: the workspace directory.
 */
public final class SwitchesProbe {
    private SwitchesProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("launcher=" + Sandbox.launcherDescription());
        System.out.println("cgroups=" + PidsCgroup.get().isPresent());
        System.out.println("cgroupProblem=" + PidsCgroup.problem());
        List<String> warnings = new ArrayList<>();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off in this probe"), warnings::add)) {
            SandboxSpec spec = SandboxSpec.builder(Path.of(args[0])).isolation(Isolation.OFF)
                    .limits(new ProcessLimits(0, 0, 0, 64)).timeout(Duration.ofSeconds(30)).build();
            SandboxResult r = sandbox.start(spec, List.of("bash", "-c", "exit 7"), LineListener.NONE).waitFor();
            System.out.println("exit=" + r.exitCode());
        }
        for (String w : warnings) System.out.println("warning=" + w);
    }
}
