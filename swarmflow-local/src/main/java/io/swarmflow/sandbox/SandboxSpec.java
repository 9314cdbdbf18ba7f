package io.swarmflow.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one sandboxed launch may see and do. Build with {@link #builder(Path)}.
 *
 * <p>Inside bubblewrap the whole filesystem is read-only, {@code /tmp} and {@code /dev/shm} are private tmpfs mounts
 * ({@code tmpSizeBytes} each),
 * {@code hiddenDirs} appear empty and read-only, {@code readOnlyDirs} are forced read-only even
 * inside a writable directory, and only the workspace (when writable) and {@code writableDirs}
 * can be written. Nested directories are mounted parents first, so a writable scratch directory
 * inside a hidden state directory stays reachable.
 *
 * @param isolation         how strictly to isolate
 * @param workspace         the working directory (must exist)
 * @param workspaceWritable whether the workspace may be written
 * @param writableDirs      further writable directories (for example the run's scratch); created if missing
 * @param readOnlyDirs      directories forced read-only (for example the main repository and its {@code .git})
 * @param hiddenDirs        directories replaced by an empty read-only directory (the real HOME, the state dir)
 * @param network           whether the process may use the network (without bubblewrap it always can)
 * @param env               environment granted by the caller; the sandbox adds {@code PATH} and {@code LANG}
 *                          when absent, and always sets {@code HOME} to a private directory. Nothing is
 *                          inherited from the parent.
 * @param limits            resource limits
 * @param timeout           wall-clock limit; {@link Duration#ZERO} means none
 * @param grace             time between SIGTERM and SIGKILL when the process group is stopped
 * @param stdoutLog         file receiving stdout, created (or truncated) on the stream's first byte; a
 *                          stream that prints nothing leaves the path untouched; null to keep none
 * @param stderrLog         the same for stderr
 * @param logCapBytes       bytes kept per stream; past it a one-line truncation marker is written and
 *                          the rest is dropped; 0 means no cap
 * @param masked            secret values replaced by {@code ***} in both streams before they are logged, shown or read
 *                          for outputs (values shorter than 4 bytes are left as they are)
 * @param tmpSizeBytes      size in bytes of each of bubblewrap's tmpfs mounts the process can write, {@code /tmp} and
 *                          {@code /dev/shm} (bubblewrap's {@code --size}, 0.8 or later); 0 leaves them at the kernel's
 *                          default, half of the host's RAM each. Without bubblewrap there is no private {@code /tmp}
 *                          and this is not used
 */
public record SandboxSpec(Isolation isolation, Path workspace, boolean workspaceWritable, List<Path> writableDirs,
                          List<Path> readOnlyDirs, List<Path> hiddenDirs, boolean network, Map<String, String> env,
                          ProcessLimits limits, Duration timeout, Duration grace, Path stdoutLog, Path stderrLog,
                          long logCapBytes, java.util.Set<String> masked, long tmpSizeBytes) {
    /** Default grace between SIGTERM and SIGKILL: 5 seconds. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    /**
     * Copies the lists and {@code env} and checks the values.
     *
     * @throws NullPointerException     when {@code isolation}, {@code workspace}, {@code limits}, {@code timeout},
     *                                  {@code grace}, a list or {@code env} is null, or a list or {@code env} holds null
     * @throws IllegalArgumentException when {@code timeout}, {@code grace}, {@code logCapBytes} or {@code tmpSizeBytes} is
     *                                  negative
     */
    public SandboxSpec {
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(workspace, "workspace");
        writableDirs = List.copyOf(writableDirs);
        readOnlyDirs = List.copyOf(readOnlyDirs);
        hiddenDirs = List.copyOf(hiddenDirs);
        env = Map.copyOf(env);
        masked = java.util.Set.copyOf(masked);
        Objects.requireNonNull(limits, "limits");
        if (timeout.isNegative() || grace.isNegative()) throw new IllegalArgumentException("timeout and grace must not be negative");
        if (logCapBytes < 0) throw new IllegalArgumentException("logCapBytes must not be negative");
        if (tmpSizeBytes < 0) throw new IllegalArgumentException("tmpSizeBytes must not be negative");
    }

    /**
     * A builder with defaults: best-effort isolation, read-only workspace, no network, no limits (the tmpfs mounts at the
     * kernel's default size), no timeout, 5 s grace, no logs.
     */
    public static Builder builder(Path workspace) {
        return new Builder(workspace);
    }

    /** Mutable builder of {@link SandboxSpec}. */
    public static final class Builder {
        private Isolation isolation = Isolation.BEST_EFFORT;
        private final Path workspace;
        private boolean workspaceWritable;
        private final List<Path> writableDirs = new ArrayList<>();
        private final List<Path> readOnlyDirs = new ArrayList<>();
        private final List<Path> hiddenDirs = new ArrayList<>();
        private boolean network;
        private final Map<String, String> env = new LinkedHashMap<>();
        private ProcessLimits limits = ProcessLimits.NONE;
        private Duration timeout = Duration.ZERO;
        private Duration grace = DEFAULT_GRACE;
        private Path stdoutLog;
        private Path stderrLog;
        private long logCapBytes;
        private java.util.Set<String> masked = java.util.Set.of();
        private long tmpSizeBytes;

        private Builder(Path workspace) {
            this.workspace = workspace;
        }

        /**
         * Sets how strictly to isolate; default {@link Isolation#BEST_EFFORT}.
         *
         * @param v see {@link SandboxSpec#isolation()}
         * @return this builder
         */
        public Builder isolation(Isolation v) { isolation = v; return this; }
        /**
         * Sets whether the workspace may be written; default false (read-only).
         *
         * @param v see {@link SandboxSpec#workspaceWritable()}
         * @return this builder
         */
        public Builder workspaceWritable(boolean v) { workspaceWritable = v; return this; }
        /**
         * Adds a writable directory; it is created if missing. Call once per directory.
         *
         * @param v see {@link SandboxSpec#writableDirs()}
         * @return this builder
         */
        public Builder writableDir(Path v) { writableDirs.add(v); return this; }
        /**
         * Adds a directory forced read-only, even inside a writable one.
         *
         * @param v see {@link SandboxSpec#readOnlyDirs()}
         * @return this builder
         */
        public Builder readOnlyDir(Path v) { readOnlyDirs.add(v); return this; }
        /**
         * Adds a directory the process sees as empty and read-only.
         *
         * @param v see {@link SandboxSpec#hiddenDirs()}
         * @return this builder
         */
        public Builder hiddenDir(Path v) { hiddenDirs.add(v); return this; }
        /**
         * Sets whether the process may use the network; default false. Without bubblewrap it always can.
         *
         * @param v see {@link SandboxSpec#network()}
         * @return this builder
         */
        public Builder network(boolean v) { network = v; return this; }
        /**
         * Adds environment variables, replacing earlier values of the same names.
         *
         * @param v names to values; none may be null
         * @return this builder
         */
        public Builder env(Map<String, String> v) { env.putAll(v); return this; }
        /**
         * Adds one environment variable, replacing an earlier value of the same name.
         *
         * @param name  variable name
         * @param value its value, not null
         * @return this builder
         */
        public Builder env(String name, String value) { env.put(name, value); return this; }
        /**
         * Sets the setrlimit(2) limits; default {@link ProcessLimits#NONE}.
         *
         * @param v see {@link SandboxSpec#limits()}
         * @return this builder
         */
        public Builder limits(ProcessLimits v) { limits = v; return this; }
        /**
         * Sets the size of each of the sandbox's tmpfs mounts {@code /tmp} and {@code /dev/shm}; default 0 (the kernel's
         * default, half of RAM each).
         *
         * @param bytes see {@link SandboxSpec#tmpSizeBytes()}; not negative
         * @return this builder
         */
        public Builder tmpSize(long bytes) { tmpSizeBytes = bytes; return this; }
        /** Wall-clock limit; zero means none. */
        public Builder timeout(Duration v) { timeout = v; return this; }
        /**
         * Sets the time between SIGTERM and SIGKILL when the process group is stopped; default {@link SandboxSpec#DEFAULT_GRACE} (5 s).
         * Zero sends the KILL right after the TERM.
         *
         * @param v not negative
         * @return this builder
         */
        public Builder grace(Duration v) { grace = v; return this; }
        /**
         * Sets the secret values to mask in the output; default: none.
         *
         * @param values see {@link SandboxSpec#masked()}; copied
         * @return this builder
         */
        public Builder masked(java.util.Collection<String> values) { masked = java.util.Set.copyOf(values); return this; }

        /**
         * Sets where the streams are logged; default: not logged.
         *
         * @param stdout   see {@link SandboxSpec#stdoutLog()}; null keeps no stdout log
         * @param stderr   see {@link SandboxSpec#stderrLog()}; null keeps no stderr log
         * @param capBytes bytes kept per stream, 0 for no cap; see {@link SandboxSpec#logCapBytes()}
         * @return this builder
         */
        public Builder logs(Path stdout, Path stderr, long capBytes) {
            stdoutLog = stdout;
            stderrLog = stderr;
            logCapBytes = capBytes;
            return this;
        }

        /**
         * Builds and checks the spec.
         *
         * @return the spec
         * @throws NullPointerException     when a required value was set to null
         * @throws IllegalArgumentException when the timeout, grace, log cap or tmpfs size is negative
         */
        public SandboxSpec build() {
            return new SandboxSpec(isolation, workspace, workspaceWritable, writableDirs, readOnlyDirs, hiddenDirs,
                    network, env, limits, timeout, grace, stdoutLog, stderrLog, logCapBytes, masked, tmpSizeBytes);
        }
    }
}
