package io.swarmflow.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link LauncherEnvironmentTest} in a JVM with {@code -Dswarm.launcher=jdk} (the {@link ProcessBuilder} launcher,
 * which cannot hand bubblewrap a file descriptor): for each isolation, a ticket granted {@code LD_PRELOAD} of a missing
 * library; prints {@code ISOLATION complaints=N} (the loader's complaints, one per process that saw the variable) and
 * each output line. Argument: the workspace directory.
 */
public final class LauncherEnvironmentJdkProbe {
    private LauncherEnvironmentJdkProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("launcher=" + Sandbox.launcherDescription());
        for (Isolation isolation : List.of(Isolation.OFF, Isolation.REQUIRED)) {
            Bubblewrap.Status bwrap = isolation == Isolation.OFF ? Bubblewrap.Status.unavailable("off in this probe") : Bubblewrap.probe();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            try (Sandbox sandbox = new Sandbox(bwrap, w -> {})) {
                SandboxSpec spec = SandboxSpec.builder(Path.of(args[0])).isolation(isolation)
                        .env(Map.of("LD_PRELOAD", "./missing-evil.so", "TOKEN", "s3cret-value"))
                        .limits(new ProcessLimits(60, 0, 0, 0)).timeout(Duration.ofSeconds(30)).build();
                SandboxResult r = sandbox.start(spec, List.of("bash", "-c", "echo \"seen $LD_PRELOAD $TOKEN\""),
                        (stream, line) -> lines.add(line)).waitFor();
                System.out.println(isolation + " exit=" + r.exitCode());
            }
            System.out.println(isolation + " complaints=" + lines.stream().filter(l -> l.contains("from LD_PRELOAD cannot be preloaded")).count());
            for (String l : lines) System.out.println(isolation + " line=" + l);
        }
    }
}
