package io.swarmflow.spec;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a swarm spec (YAML) and turns it into a validated {@link Plan}. Nothing is persisted here;
 * a spec that fails validation yields a {@link SpecException} listing every problem as
 * {@code file:line:column: what is wrong; how to fix}, sorted by position.
 *
 * <p>The parser is defended against hostile input: the file size is checked before reading,
 * binary files are rejected, YAML is only composed into a node tree (no object construction, no
 * tags beyond plain YAML), aliases of collections are limited to 50 (no "billion laughs") and
 * nesting to 32 levels. The keys are documented in {@code docs/spec.md} and
 * {@code docs/swarm.schema.json}.
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class SpecLoader {
    /** Largest spec file accepted by default: 1 MiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 20;

    /** A valid ticket id (also agent profile names): 1-63 characters of a-z, 0-9, '-', '_', starting with a letter or digit. */
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-_]{0,62}");

    /**
     * Longest script of a shell ticket, in UTF-8 bytes, with variables and matrix values substituted: the script reaches
     * bash in one environment variable ({@code SWARM_SCRIPT=...}, swarmflow-local's {@code LocalExecutor}), and Linux's
     * execve(2) passes at most 128 KiB in one ({@code MAX_ARG_STRLEN}, counting the name and the terminating NUL); 1 KiB
     * is left as a margin.
     */
    public static final int MAX_SCRIPT_BYTES = 127 * 1024;

    /** Longest environment variable of a shell ticket, {@code NAME=value} in UTF-8 bytes: Linux's 128 KiB less 1 KiB. */
    public static final int MAX_ENV_VARIABLE_BYTES = 127 * 1024;

    /**
     * Most bytes of script and environment of a shell ticket together (each string with its terminating NUL): half of
     * Linux's usual 2 MiB for the arguments and environment of execve(2) (a quarter of the 8 MiB stack limit), leaving the
     * rest to the launcher's own arguments and variables.
     */
    public static final int MAX_LAUNCH_BYTES = 1 << 20;

    private final long maxBytes;
    /** The swarm command that reads the spec ({@code run}, {@code validate}), for the example in an error. */
    private final String command;
    /** What validation asks of the repository's {@code HEAD} commit ({@link #withCommittedFiles}). */
    private final CommittedFiles committedFiles;

    /** What {@code -} stands for, and the file name its errors give. */
    public static final Path STDIN = Path.of("/dev/stdin");

    /**
     * The directory a spec's relative paths start from: the file's own, or the working directory for a spec read from a
     * stream ({@link #isStream}: standard input, a process substitution, a named pipe), whose directory means nothing.
     */
    static Path directoryOf(Path specFile) {
        return isStream(specFile) ? Path.of("").toAbsolutePath() : specFile.toAbsolutePath().normalize().getParent();
    }

    /**
     * A path naming standard input or an open file descriptor, absolute and normalized: {@code /dev/stdin},
     * {@code /dev/fd/N}, {@code /proc/P/fd/N} or {@code /proc/P/task/T/fd/N} (P a pid, {@code self} or
     * {@code thread-self}).
     */
    private static final Pattern DESCRIPTOR = Pattern.compile("/dev/stdin|/dev/fd/[0-9]+|/proc/[^/]+/(task/[0-9]+/)?fd/[0-9]+");

    /**
     * Whether {@code specFile} names standard input or an open file descriptor, by its name alone: {@code -},
     * {@code /dev/stdin}, {@code /dev/fd/N} (a process substitution {@code <(generate-spec)} gives {@code /dev/fd/63}),
     * {@code /proc/P/fd/N} or {@code /proc/P/task/T/fd/N} (P a pid, {@code self} or {@code thread-self}), taken
     * absolute and normalized. What the descriptor is open on (a pipe, a terminal, a regular file given with
     * {@code < spec.yaml}) does not matter: it is read once, and its path names no directory. The one rule for naming
     * such a spec {@code stdin} ({@code PlanBuilder.defaultName}) and for {@link #isStream}.
     */
    public static boolean isDescriptor(Path specFile) {
        return specFile.toString().equals("-") || DESCRIPTOR.matcher(specFile.toAbsolutePath().normalize().toString()).matches();
    }

    /**
     * Whether {@code specFile} is read as a stream that cannot be read again and has no directory of its own: a
     * descriptor path ({@link #isDescriptor}: {@code -}, {@code /dev/stdin}, {@code /dev/fd/63}, {@code /proc/self/fd/5}),
     * or a file that is not a regular file once symbolic links are followed (a named pipe made by {@code mkfifo}, a
     * character device such as {@code /dev/zero}, a socket). A regular file is no stream wherever it is, {@code /dev/shm}
     * included: its directory is its own, and {@code swarm resume} compares it with the run's spec.
     *
     * <p>The file's type is read from its attributes (stat(2)); the file is never opened, which would block on a named
     * pipe until a program writes to it. A path that does not exist (any more: a named pipe or a spec deleted since the
     * run was created) or cannot be examined is no stream: there is nothing to read, and whoever reads it says so
     * ({@link #changedSince} gives empty).
     *
     * @param specFile the spec's path as given; a relative one starts at the working directory
     */
    public static boolean isStream(Path specFile) {
        if (isDescriptor(specFile)) return true;
        try {
            return java.nio.file.Files.readAttributes(specFile, java.nio.file.attribute.BasicFileAttributes.class).isOther();
        } catch (java.io.IOException | SecurityException | java.nio.file.InvalidPathException e) {
            return false; // missing or not examinable: nothing to read as a stream
        }
    }

    /**
     * Whether {@code specFile} names this process's standard input, file descriptor 0: {@code -}, {@code /dev/stdin},
     * {@code /dev/fd/0}, {@code /proc/self/fd/0}, {@code /proc/thread-self/fd/0} or {@code /proc/PID/fd/0} with this
     * process's pid. Each is a descriptor path ({@link #isDescriptor}, the one rule for streams).
     */
    public static boolean isStandardInput(Path specFile) {
        if (!isDescriptor(specFile)) return false;
        if (specFile.toString().equals("-")) return true;
        String path = specFile.toAbsolutePath().normalize().toString();
        return path.equals("/dev/stdin") || path.equals("/dev/fd/0") || path.equals("/proc/self/fd/0")
                || path.equals("/proc/thread-self/fd/0") || path.equals("/proc/" + ProcessHandle.current().pid() + "/fd/0");
    }

    /**
     * Whether standard input was closed when swarm started: then the first file the Java runtime opened took file
     * descriptor 0 (its {@code lib/modules}, or a jar of the class path), and reading the spec from it would read that
     * file. Read from {@code /proc/self/fd/0}; without {@code /proc} (or with nothing open on descriptor 0), false, and
     * reading says what it finds.
     */
    static boolean standardInputClosed() {
        try {
            Path target = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/0"));
            return openedByRuntime(target, System.getProperty("java.home"), System.getProperty("java.class.path"));
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * Whether {@code target}, the file descriptor 0 is open on, is one the Java runtime opens itself: a file under
     * {@code javaHome}, or an entry of {@code classPath} (separated by {@link java.io.File#pathSeparator}).
     */
    static boolean openedByRuntime(Path target, String javaHome, String classPath) {
        if (!target.isAbsolute()) return false; // pipe:[123], socket:[4]: no file
        Path file = target.normalize();
        if (javaHome != null && !javaHome.isEmpty() && file.startsWith(Path.of(javaHome).toAbsolutePath().normalize())) return true;
        if (classPath == null) return false;
        for (String entry : classPath.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
            try {
                if (!entry.isEmpty() && file.equals(Path.of(entry).toAbsolutePath().normalize())) return true;
            } catch (java.nio.file.InvalidPathException e) {
                // not a path: not this one
            }
        }
        return false;
    }

    /** A loader accepting specs up to {@link #DEFAULT_MAX_BYTES}. */
    public SpecLoader() {
        this(DEFAULT_MAX_BYTES);
    }

    /**
     * A loader accepting specs up to {@code maxBytes} bytes.
     *
     * @throws IllegalArgumentException when {@code maxBytes} is not positive
     */
    public SpecLoader(long maxBytes) {
        this(maxBytes, "run", CommittedFiles.UNKNOWN);
    }

    private SpecLoader(long maxBytes, String command, CommittedFiles committedFiles) {
        if (maxBytes <= 0) throw new IllegalArgumentException("maxBytes must be positive");
        this.maxBytes = maxBytes;
        this.command = command;
        this.committedFiles = committedFiles;
    }

    /**
     * This loader asking {@code committedFiles} which files the spec's repository's {@code HEAD} commit holds, for the
     * file outputs that the expansions of a matrix ticket in {@code workspace: repo} with {@code sandbox: off} share in the
     * checkout: refused when the commit does not hold the file (and no other ticket names it), a warning when it does; without it ({@link
     * CommittedFiles#UNKNOWN}, the default) only a warning.
     *
     * @param committedFiles asked at most once per load, for every such file at once
     * @return a loader like this one but asking {@code committedFiles}
     * @throws NullPointerException when {@code committedFiles} is null
     */
    public SpecLoader withCommittedFiles(CommittedFiles committedFiles) {
        return new SpecLoader(maxBytes, command, java.util.Objects.requireNonNull(committedFiles, "committedFiles"));
    }

    /**
     * This loader for the swarm command {@code command} reads the spec for, which its errors name in their examples (a
     * closed standard input: {@code pipe the spec in: swarm validate - < spec.yaml}); {@code run} when not said.
     *
     * @param command the subcommand as typed, such as {@code run} or {@code validate}
     * @return a loader like this one but for {@code command}
     * @throws IllegalArgumentException when {@code command} is not a word of a-z and '-'
     */
    public SpecLoader forCommand(String command) {
        if (command == null || !command.matches("[a-z][a-z-]*")) {
            throw new IllegalArgumentException("command must be a swarm subcommand such as run or validate, not " + command);
        }
        return new SpecLoader(maxBytes, command, committedFiles);
    }

    /**
     * Loads and validates {@code specFile}. Variables and matrix values are substituted; references
     * to {@code run.id} and to other tickets' outputs are checked and left for the engine.
     *
     * <p>{@code -} is standard input ({@code /dev/stdin}); when standard input was closed as swarm started, the spec is
     * refused ({@code standard input is closed}, with an example naming the command, {@link #forCommand}) rather than read from the file the Java runtime then opened on it. A spec read from a stream ({@link #isStream}: {@code /dev/stdin},
     * {@code <(generate-spec)} as {@code /dev/fd/63}, a named pipe) has no directory of its own: the working directory
     * takes its place, for the default {@code repo} and relative {@code repo:} paths. A regular file, under
     * {@code /dev/shm} too, has its own.
     *
     * @param specFile     the spec; errors name it as given
     * @param varOverrides {@code --var key=value} pairs; each key must be declared in {@code vars}
     * @return the plan, tickets in a stable topological order (ties in spec order)
     * @throws SpecException listing every problem found, in file order
     */
    public Plan load(Path specFile, Map<String, String> varOverrides) throws SpecException {
        return load(specFile, varOverrides, w -> {});
    }

    /**
     * {@link #load(Path, Map)}, also handing {@code warnings} what the spec may do but should not, in file order, once
     * it loads: an output of another ticket pasted into a {@code run} script rather than passed through {@code env}, and a
     * file output of a {@code workspace: repo} ticket that is not in the (read-only) repository.
     *
     * @param warnings receives each warning ({@code file:line:column: what; how to fix}, as an error is written)
     */
    public Plan load(Path specFile, Map<String, String> varOverrides, java.util.function.Consumer<SpecError> warnings)
            throws SpecException {
        return load(specFile, varOverrides, warnings, Floor.NONE);
    }

    /**
     * {@link #load(Path, Map, java.util.function.Consumer)}, also refusing what {@code floor} does not allow (a sandbox
     * below its floor, {@code network: true}, an <code>${{ env.NAME }}</code> not allowed), each where the spec asks for
     * it, once the spec is otherwise valid.
     *
     * @param floor what the person running swarm allows the spec; {@link Floor#NONE} for anything
     * @throws SpecException listing every problem found, in file order: the spec's own, else every refusal of the floor
     */
    public Plan load(Path specFile, Map<String, String> varOverrides, java.util.function.Consumer<SpecError> warnings, Floor floor)
            throws SpecException {
        return load(specFile, varOverrides, warnings, floor, plan -> List.of());
    }

    /**
     * {@link #load(Path, Map, java.util.function.Consumer, Floor)}, also refusing each ticket whose {@code PATH} names a
     * directory inside a state directory the sandbox hides from it ({@link StatePaths}), where the spec sets that
     * {@code PATH} (the ticket, when it sets none and the sandbox's default names one).
     *
     * @param stateDirs the state directories the sandbox hides from the tickets of the plan built (an executor's
     *                  {@code hiddenStateDirs}); asked once the spec is otherwise valid
     * @throws SpecException listing every problem found, in file order: the spec's own, else every refusal
     */
    public Plan load(Path specFile, Map<String, String> varOverrides, java.util.function.Consumer<SpecError> warnings, Floor floor,
                     java.util.function.Function<Plan, ? extends java.util.Collection<Path>> stateDirs) throws SpecException {
        if (specFile.toString().equals("-")) specFile = STDIN;
        Problems problems = new Problems(specFile.toString());
        if (isStandardInput(specFile) && standardInputClosed()) {
            problems.whole("standard input is closed", "pipe the spec in: swarm " + command + " - < spec.yaml");
            throw problems.exception();
        }
        YamlSource source = YamlSource.read(specFile, maxBytes, problems);
        if (source == null) throw problems.exception();
        Node root = source.compose();
        if (root == null) throw problems.exception();
        RawSpec raw = new SpecReader(problems).read(root);
        Plan plan = new PlanBuilder(raw, source, problems, specFile, varOverrides == null ? Map.of() : varOverrides, committedFiles)
                .build(sha256(source.bytes));
        if (!problems.isEmpty() || plan == null) throw problems.exception();
        java.util.Collection<Path> hidden = stateDirs.apply(plan);
        if (!floor.isNone() || !hidden.isEmpty()) {
            new FloorCheck(raw, source, plan, floor, hidden, problems).check();
            if (!problems.isEmpty()) throw problems.exception();
        }
        problems.warnings().forEach(warnings);
        return plan;
    }

    /**
     * Whether {@code specFile} still holds the bytes {@code plan} was built from ({@link Plan#specDigest()}).
     *
     * @return empty when the file cannot be read (moved, deleted, not readable); else whether its SHA-256 differs
     */
    public static java.util.Optional<Boolean> changedSince(Plan plan, Path specFile) {
        if (plan.specDigest() == null || !java.nio.file.Files.isRegularFile(specFile)) return java.util.Optional.empty();
        MessageDigest sha256 = sha256();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(specFile)) { // streamed: the file may have grown
            in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), sha256));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(!HexFormat.of().formatHex(sha256.digest()).equals(plan.specDigest()));
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
