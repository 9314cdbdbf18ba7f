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
     */
    public record Status(boolean usable, String path, String version, String problem) {
        /** A status saying bubblewrap must not be used, with the reason shown to the user. */
        public static Status unavailable(String problem) {
            return new Status(false, null, null, problem);
        }
    }

    /** Probes once per JVM (cached): {@code bwrap --version} and a namespace smoke test running {@code true}. */
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
        String exe = bwrap.get().toString();
        try {
            Run version = run(List.of(exe, "--version"));
            if (version.code != 0) return new Status(false, exe, null, "bwrap --version failed: " + version.output);
            Run smoke = run(List.of(exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                    "--cap-drop", "ALL", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net",
                    "--die-with-parent", "--", "true"));
            if (smoke.code != 0) {
                return new Status(false, exe, version.output, "bwrap cannot create namespaces here: "
                        + (smoke.output.isEmpty() ? "exit code " + smoke.code : smoke.output));
            }
            return new Status(true, exe, version.output, null);
        } catch (IOException e) {
            return new Status(false, exe, null, "bwrap could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Status(false, exe, null, "interrupted while probing bwrap");
        }
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
