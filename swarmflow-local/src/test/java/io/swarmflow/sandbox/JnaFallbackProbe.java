package io.swarmflow.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link JnaFallbackTest} in a JVM where JNA cannot load: starts a process group that outlives
 * its timeout and prints, one {@code key=value} per line, what the fallback ways (kill(1), /proc) did.
 * Arguments: the workspace directory and a unique sleep duration to find leftover processes by.
 */
public final class JnaFallbackProbe {
    private JnaFallbackProbe() {}

    public static void main(String[] args) throws Exception {
        List<String> warnings = new ArrayList<>();
        try (Sandbox first = new Sandbox(Bubblewrap.Status.unavailable("off in this probe"), warnings::add);
             Sandbox second = new Sandbox(Bubblewrap.Status.unavailable("off in this probe"), warnings::add)) {
            System.out.println("available=" + Kill.available());
            SandboxSpec spec = SandboxSpec.builder(Path.of(args[0])).isolation(Isolation.OFF)
                    .timeout(Duration.ofMillis(1500)).grace(Duration.ofSeconds(5)).build();
            SandboxProcess p = first.start(spec, List.of("bash", "-c", "sleep " + args[1] + " & sleep " + args[1]), LineListener.NONE);
            // setsid(1) makes the group just after its exec: true as soon as the /proc scan sees it, false if never
            boolean members;
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ProcessGroups.groupHasMembers(p.pid()));
                members = true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                members = false;
            }
            System.out.println("membersWhileRunning=" + members);
            SandboxResult r = p.waitFor();
            System.out.println("termination=" + r.termination());
            System.out.println("membersAfter=" + ProcessGroups.groupHasMembers(p.pid()));
        }
        for (String w : warnings) System.out.println("warning=" + w);
    }
}
