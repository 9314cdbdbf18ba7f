package io.swarmflow.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link KillCommandFallbackTest} in a JVM where JNA cannot load, so every signal goes through kill(1): what
 * {@code swarm resume --take-over} sends a coordinator ({@link Kill#signalProcess}, the same way {@code Wiring}'s
 * signaller does), and the TERM of a stop under bubblewrap, one {@code kill} for several members
 * ({@link ProcessGroups#signalGroupExcept}). Prints one {@code key=value} per line.
 */
public final class KillCommandFallbackProbe {
    private KillCommandFallbackProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("available=" + Kill.available());
        Process coordinator = new ProcessBuilder("sleep", args[0]).start();
        try {
            // not the target any more (its identity read again said no): nothing is sent
            System.out.println("refused=" + Kill.signalProcess(coordinator.pid(), "KILL", () -> false));
            System.out.println("aliveAfterRefused=" + !coordinator.waitFor(300, TimeUnit.MILLISECONDS));
            System.out.println("sent=" + Kill.signalProcess(coordinator.pid(), "TERM", () -> true));
            System.out.println("endedAfterSent=" + coordinator.waitFor(10, TimeUnit.SECONDS));
            System.out.println("gone=" + Kill.signalProcess(coordinator.pid(), "TERM", () -> true));
        } finally {
            coordinator.destroyForcibly();
        }
        // a group of a shell and two sleeps: every member but the shell gets the signal, by one kill(1) of their pids
        Process group = new ProcessBuilder("setsid", "bash", "-c", "sleep " + args[0] + " & sleep " + args[0] + " & wait").start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    ProcessHandle.of(group.pid()).map(h -> h.children().count()).orElse(0L) == 2);
            List<ProcessHandle> sleeps = ProcessHandle.of(group.pid()).orElseThrow().children().toList();
            System.out.println("groupSignalled=" + ProcessGroups.signalGroupExcept(group.pid(), "KILL", "bash"));
            boolean sleepsEnded = true;
            for (ProcessHandle s : sleeps) sleepsEnded &= s.onExit().get(10, TimeUnit.SECONDS) != null;
            System.out.println("sleepsEnded=" + sleepsEnded);
            System.out.println("shellEnded=" + group.waitFor(10, TimeUnit.SECONDS)); // its `wait` returns once they are gone
        } finally {
            ProcessGroups.signalGroupByCommand(group.pid(), "KILL");
            group.destroyForcibly();
        }
    }
}
