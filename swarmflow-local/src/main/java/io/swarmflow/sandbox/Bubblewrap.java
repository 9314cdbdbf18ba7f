package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether bubblewrap ({@code bwrap}) can isolate processes on this machine. Being installed is not
 * enough (user namespaces may be disabled, or we may already be inside a container that forbids
 * them), so {@link #probe()} also runs a smoke test with the namespaces the sandbox uses.
 */
public final class Bubblewrap {
    private static volatile Status probed;

    private Bubblewrap() {}

    /**
     * Result of the probe.
     *
     * @param usable  whether bwrap ran the smoke test successfully
     * @param path    absolute path of bwrap, or null when not found
     * @param version output of {@code bwrap --version}, or null
     * @param problem why it is not usable (null when usable)
     * @param sizesTmpfs whether bwrap knows {@code --size} (bubblewrap 0.8 or later), which the sandbox uses to size its
     *                   tmpfs mounts; without it they get the kernel's default, half of the host's RAM each
     */
    public record Status(boolean usable, String path, String version, String problem, boolean sizesTmpfs) {
        /** A status of a bubblewrap that knows {@code --size}. */
        public Status(boolean usable, String path, String version, String problem) {
            this(usable, path, version, problem, true);
        }

        /** A status saying bubblewrap must not be used, with the reason shown to the user. */
        public static Status unavailable(String problem) {
            return new Status(false, null, null, problem, false);
        }
    }

    /**
     * Probes once per JVM (cached): {@code bwrap --version} and a namespace smoke test running {@code true} with the
     * sandbox's sized tmpfs mounts; when bwrap refuses {@code --size} (older than 0.8), the smoke test again without it,
     * and a usable status then says {@link Status#sizesTmpfs() sizesTmpfs} false.
     */
    public static Status probe() {
        Status s = probed;
        if (s == null) {
            synchronized (Bubblewrap.class) {
                s = probed;
                if (s == null) probed = s = runProbe();
            }
        }
        return s;
    }

    private static Status runProbe() {
        Optional<Path> bwrap = Executables.find("bwrap");
        if (bwrap.isEmpty()) return Status.unavailable("bwrap not found on PATH");
        return probe(bwrap.get().toString());
    }

    /** Probes the bwrap at {@code exe} (absolute), uncached, as {@link #probe()} does. */
    static Status probe(String exe) {
        try {
            Run version = run(List.of(exe, "--version"));
            if (version.code != 0) return new Status(false, exe, null, "bwrap --version failed: " + version.output);
            Run smoke = run(smokeTest(exe, true));
            boolean sizes = true;
            if (smoke.code != 0 && refusesSize(smoke.output)) {
                sizes = false;
                smoke = run(smokeTest(exe, false));
            }
            if (smoke.code != 0) {
                return new Status(false, exe, version.output, "bwrap cannot create namespaces here: "
                        + (smoke.output.isEmpty() ? "exit code " + smoke.code : smoke.output), sizes);
            }
            return new Status(true, exe, version.output, null, sizes);
        } catch (IOException e) {
            return new Status(false, exe, null, "bwrap could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Status(false, exe, null, "interrupted while probing bwrap");
        }
    }

    /** The smoke test: the sandbox's mounts and namespaces, its tmpfs mounts sized (one page) when {@code sized}. */
    static List<String> smokeTest(String exe, boolean sized) {
        List<String> a = new java.util.ArrayList<>(List.of(exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
        if (sized) a.addAll(List.of("--size", "4096"));
        a.addAll(List.of("--tmpfs", "/tmp"));
        if (sized) a.addAll(List.of("--size", "4096"));
        a.addAll(List.of("--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--cap-drop", "ALL", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--unshare-net", "--die-with-parent", "--", "true"));
        return a;
    }

    /** Whether bwrap's error says it does not know {@code --size}: {@code bwrap: Unknown option --size} before 0.8. */
    static boolean refusesSize(String output) {
        return output.contains("Unknown option --size");
    }

    private record Run(int code, String output) {}

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, "timed out after 10 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    }
}
