package io.swarmflow.spec;

import io.swarmflow.spec.RawSpec.Fields;
import io.swarmflow.spec.RawSpec.Limits;
import io.swarmflow.spec.RawSpec.Output;
import io.swarmflow.spec.RawSpec.Profile;
import io.swarmflow.spec.RawSpec.Retries;
import io.swarmflow.spec.RawSpec.Val;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Turns a {@link RawSpec} into a {@link Plan}: applies defaults and variables, expands matrices,
 * resolves dependencies, checks references, and orders tickets topologically.
 * <p>
 * References ({@code ${{ ... }}}) are checked in every text of every ticket the same way whatever its agent's kind
 * (unknown ticket, output or variable, bad syntax): a {@code run:} written on a {@code noop} ticket, which never runs,
 * included. Such a {@code run:} is itself an error ({@code noop agents run nothing}), at its position, its references
 * checked without the warning about outputs pasted into a script. A {@code run} a {@code noop} ticket would only take
 * from {@code defaults} (which apply to many tickets) is no error and is not checked on it (its
 * {@code ${{ matrix.KEY }}} or outputs may fit only the tickets that run it, which check it). Likewise
 * {@code duration} on a {@code shell} ticket or profile and {@code outputs} on a {@code noop} ticket are errors, and so is
 * what only a process uses, written on a {@code noop} profile ({@code sandbox}, {@code limits}, {@code env}) or on a
 * {@code noop} ticket ({@code network}, {@code workspace}, {@code env}): each would silently do nothing. From
 * {@code defaults} they are no error.
 */
final class PlanBuilder {
    /** Expansions of one matrix ticket; a cartesian product grows fast, and a typo should not create a million tickets. */
    static final int MAX_EXPANSIONS = 1000;
    /** Tickets of a plan after matrix expansion: a plan is held in memory and stored as one event. */
    static final int MAX_TICKETS = 100_000;
    /** Dependencies (ticket, ticket it needs) after matrix expansion: a matrix needing a matrix multiplies them. */
    static final int MAX_NEEDS = 2_000_000;
    /**
     * UTF-8 bytes of text the tickets of a plan may hold together: their scripts, environment variables and titles
     * (a script or value counted as written or with variables and matrix values substituted, whichever is larger). A
     * text written once ({@code defaults.run}, a YAML alias, a variable) is copied into every ticket that uses it, and
     * the plan is stored as one event: 64 MiB leaves room for 100,000 tickets of 600 bytes each, or 500 of 127 KiB.
     */
    static final long MAX_PLAN_BYTES = 64L << 20;
    /** Outputs every worktree ticket has without declaring them. */
    static final List<String> WORKTREE_OUTPUTS = List.of("diffstat", "commit", "branch");
    static final List<String> KINDS = List.of("shell", "noop");
    /**
     * What a {@code noop} profile may not set: it runs no process, so no sandbox, limits or environment applies (a
     * {@code noop} attempt waits its {@code duration}; {@code concurrency} still caps how many wait at once).
     */
    static final List<String> NOOP_IDLE_PROFILE_KEYS = List.of("sandbox", "limits", "env");
    /**
     * What a ticket of a {@code noop} agent may not set on itself, for the same reason ({@code run} is refused on its
     * own, {@code outputs} too); from {@code defaults}, which apply to the shell tickets too, they are no error.
     */
    static final List<String> NOOP_IDLE_TICKET_KEYS = List.of("network", "workspace", "env");
    private static final String REFERENCE_HINT = "use vars.NAME, matrix.NAME, tickets.ID.outputs.NAME, run.id, or env.NAME in env: values";

    /**
     * An opening followed, through characters of a dotted path only, by another opening: a reference written inside a
     * reference ({@code ${{ tickets.build-${{ matrix.os }}.outputs.x }}}); group 1 is the start of the inner expression.
     */
    private static final java.util.regex.Pattern NESTED =
            java.util.regex.Pattern.compile("\\$\\{\\{[\\sA-Za-z0-9_.\\-]*\\$\\{\\{\\s*([A-Za-z0-9_.\\-]*)");

    /** A name {@code ${{ env.NAME }}} may give: a POSIX shell variable's. */
    private static final java.util.regex.Pattern ENV_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** swarm's own environment, which {@code ${{ env.NAME }}} reads. */
    private static final java.util.function.Function<String, String> environment = System::getenv;

    private final RawSpec spec;
    private final YamlSource source;
    private final Problems problems;
    private final Path specFile;
    private final Map<String, String> overrides;
    /** Which files the repository's HEAD commit holds: for matrix expansions sharing an output file in the checkout. */
    private final CommittedFiles committedFiles;

    private final Map<String, String> vars = new LinkedHashMap<>();
    private Path specDir;
    private Path repo;
    private final Map<String, AgentProfile> profiles = new LinkedHashMap<>();

    /** One ticket after matrix expansion. */
    private static final class Expanded {
        final Fields raw;
        final String id;
        final String group;
        final Map<String, String> matrix;
        final int index;
        final Set<Integer> deps = new LinkedHashSet<>();
        PlannedTicket planned;
        /** Whether its matrix is not a mapping (reported): any {@code matrix.KEY} may be meant, none is checked. */
        boolean matrixKeysUnknown;

        Expanded(Fields raw, String id, String group, Map<String, String> matrix, int index) {
            this.raw = raw;
            this.id = id;
            this.group = group;
            this.matrix = matrix;
            this.index = index;
        }
    }

    /**
     * What a text may refer to: matrix values (null outside matrix tickets) and run-time references; {@code defaults}
     * when the text is the ticket's from {@code defaults:}, whose errors then name the ticket; {@code runs} false for a
     * {@code run} checked though it never runs (a {@code noop} ticket's): its references get the same errors, but no
     * warning that a value pasted into it would run as shell code.
     */
    private record Scope(Expanded ticket, Map<String, String> matrix, boolean runtime, String where, boolean defaults, boolean runs) {
        Scope(Expanded ticket, Map<String, String> matrix, boolean runtime, String where) {
            this(ticket, matrix, runtime, where, false, true);
        }

        Scope(Expanded ticket, Map<String, String> matrix, boolean runtime, String where, boolean defaults) {
            this(ticket, matrix, runtime, where, defaults, true);
        }
    }

    private record PendingOutputRef(Expanded ticket, String target, String output, Mark mark, String expression) {}

    private final List<Expanded> expanded = new ArrayList<>();
    /** Every addressable name: ticket ids, matrix group ids and expanded ids, to the tickets they stand for. */
    private final Map<String, List<Integer>> names = new LinkedHashMap<>();
    private final Map<String, Node> nameNodes = new HashMap<>();
    private final Set<String> matrixGroups = new LinkedHashSet<>();
    /**
     * Matrix tickets not expanded because their matrix is malformed, or their id is misspelled or invalid (reported);
     * references to them or to what could be their expansions are not checked.
     */
    private final Set<String> brokenMatrices = new LinkedHashSet<>();
    /** Ids of other tickets left out because their id is misspelled or invalid (reported); references to them are not checked. */
    private final Set<String> leftOut = new LinkedHashSet<>();
    private final List<PendingOutputRef> pending = new ArrayList<>();
    /** A file output of a {@code workspace: repo} ticket, the spec ticket's id, and the files it names that are not there. */
    private record MissingRepoOutput(Output output, String group, Set<String> files) {}
    /** By output as written in the spec (its nodes compared by identity) and ticket id, in the order found. */
    private final Map<List<Object>, MissingRepoOutput> missingRepoOutputs = new LinkedHashMap<>();
    /** The tickets in topological order, without those in or after a cycle (reported); set by {@link #topologicalOrder()}. */
    private List<Expanded> ordered = List.of();

    /** Each distinct text of the spec scanned once ({@link #scan}), however many tickets it is copied into. */
    private final Map<String, Templates.Scan> scans = new HashMap<>();
    /** UTF-8 bytes of each distinct value substituted into a text (a variable, a matrix value), counted once. */
    private final Map<String, Long> valueBytes = new HashMap<>();
    /** Bytes of the tickets built so far, as {@link #MAX_PLAN_BYTES} counts them. */
    private long planBytes;
    /** What each text of the spec adds to {@link #planBytes}, by its node: a text copied into many tickets is one entry. */
    private final Map<Node, Copies> copies = new java.util.IdentityHashMap<>();
    /** The values of {@link #copies} in the order first counted: of two that add as much, the first is reported. */
    private final List<Copies> copiesInOrder = new ArrayList<>();
    /** Whether {@link #planBytes} passed {@link #MAX_PLAN_BYTES} (reported): building stops there. */
    private boolean planTooLarge;

    /** One text of the spec as copied into tickets: what to call it, the largest copy's bytes, how many, bytes in all. */
    private static final class Copies {
        final Node node;
        final String what;
        final String hint;
        long largest;
        int count;
        long total;

        Copies(Node node, String what, String hint) {
            this.node = node;
            this.what = what;
            this.hint = hint;
        }
    }

    PlanBuilder(RawSpec spec, YamlSource source, Problems problems, Path specFile, Map<String, String> overrides) {
        this(spec, source, problems, specFile, overrides, CommittedFiles.UNKNOWN);
    }

    PlanBuilder(RawSpec spec, YamlSource source, Problems problems, Path specFile, Map<String, String> overrides,
                CommittedFiles committedFiles) {
        this.spec = spec;
        this.source = source;
        this.problems = problems;
        this.specFile = specFile;
        this.overrides = overrides;
        this.committedFiles = committedFiles;
    }

    /** The plan, or null when problems were found (they are recorded). */
    Plan build(String specDigest) {
        resolveVars();
        if (spec.name != null) noReferences(spec.name, "name");
        if (spec.description != null) noReferences(spec.description, "description");
        specDir = SpecLoader.directoryOf(specFile);
        resolveRepo();
        resolveProfiles();
        if (!withinTicketLimit()) return null;
        expandTickets();
        if (!withinNeedsLimit()) return null;
        resolveNeeds();
        for (Expanded e : expanded) {
            buildTicket(e);
            if (planTooLarge) return null; // the rest would only add to it: stop before scanning more
        }
        for (Expanded e : unplanned) buildTicket(e);
        warnMissingRepoOutputs();
        List<Expanded> order = topologicalOrder();
        checkSharedOutputFiles(order);
        checkOutputReferences();
        if (!problems.isEmpty() || order == null) return null;

        List<PlannedTicket> tickets = new ArrayList<>();
        for (Expanded e : order) tickets.add(e.planned);
        String name = spec.name != null ? literal(spec.name.value()) : defaultName(specFile);
        String description = spec.description != null ? literal(spec.description.value()) : "";
        int concurrency = spec.concurrency != null ? spec.concurrency.value() : 4;
        try {
            return new Plan(name, description, concurrency, vars, repo == null ? null : repo.toString(),
                    specDir.toString(), profiles, tickets, specDigest);
        } catch (IllegalArgumentException ex) {
            problems.whole("internal error building the plan: " + ex.getMessage(), "please report this spec");
            return null;
        }
    }

    /**
     * The spec's file name without its extension; {@code stdin} for a spec read from a file descriptor
     * ({@link SpecLoader#isDescriptor}: {@code -}, {@code /dev/stdin}, {@code /dev/fd/0}, and a process substitution such
     * as {@code /dev/fd/63}, whose number the shell picks and which would name the run '63'). Any other file, such as
     * {@code /dev/shm/42} or a named pipe, is named after its file name.
     *
     * @param specFile the spec's path as given (relative paths are taken from the working directory)
     * @return the swarm's name when the spec has no {@code name:}
     */
    static String defaultName(Path specFile) {
        if (SpecLoader.isDescriptor(specFile)) return "stdin";
        String file = specFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    // ---- vars and repo ---------------------------------------------------------------------

    private void resolveVars() {
        spec.vars.forEach((k, v) -> {
            // a value is inserted as it is, never read again: a reference in it would stay those characters
            noReferences(v, "variable '" + k + "'",
                    "write the value itself, or combine the references where the variable is used (run, env); $${{ for a literal ${{");
            vars.put(k, literal(v.value()));
        });
        new TreeMap<>(overrides).forEach((k, v) -> {
            if (k.isBlank()) {
                problems.whole("--var '" + k + "=" + v + "' has no variable name before '='", "write --var NAME=VALUE");
            } else if (v.indexOf('\0') >= 0) {
                problems.whole("--var " + k + " holds a NUL character, which cannot be passed to a process",
                        "remove it from the value");
            } else if (!vars.containsKey(k) && !SpecReader.VAR_NAME.matcher(k).matches()) {
                // not "declare it": a name like this cannot be declared
                problems.whole("--var " + k + ": invalid variable name '" + k + "'",
                        "use 1-64 characters of letters, digits, '_' and '-', starting with a letter or '_'; write --var NAME=VALUE");
            } else if (!vars.containsKey(k) && (spec.miswrittenVars == null || spec.miswrittenVars.contains(k))) {
                // declared wrongly, or perhaps under a misspelled vars: (reported): not a second error
            } else if (!vars.containsKey(k)) {
                problems.whole("--var " + k + " is not declared in vars",
                        problems.didYouMean(k, vars.keySet(), vars.isEmpty()
                                ? "declare it under vars: in the spec"
                                : "declare it under vars: in the spec; declared: " + String.join(", ", vars.keySet())));
            } else {
                vars.put(k, v);
            }
        });
    }

    private void resolveRepo() {
        if (spec.repo != null) {
            String text = render(spec.repo, new Scope(null, null, false, "repo"));
            // a value from the command line: the error names it, as the spec's line is not what is wrong
            List<String> given = new ArrayList<>();
            String relative = null;
            for (Templates.Reference r : Templates.references(spec.repo.value())) {
                String name = r.expression().startsWith("vars.") ? r.expression().substring("vars.".length()) : null;
                if (name == null || !overrides.containsKey(name) || given.contains("--var " + name + "=" + overrides.get(name))) continue;
                given.add("--var " + name + "=" + overrides.get(name));
                if (relative == null && !overrides.get(name).startsWith("/")) relative = name;
            }
            if (text.startsWith("/")) relative = null; // repo: /base/${{ vars.name }}: a relative value did not make it relative
            String from = given.isEmpty() ? "" : " (repo: " + spec.repo.value() + " with " + String.join(", ", given) + ")";
            // repo: is exactly one variable given with --var: every fix is another --var (F18)
            List<Templates.Reference> refs = Templates.references(spec.repo.value());
            String varName = given.size() == 1 && refs.size() == 1 && spec.repo.value().strip().startsWith("${{")
                    && spec.repo.value().strip().endsWith("}}") ? given.get(0).substring(6, given.get(0).indexOf('=')) : null;
            String startsAt = relative != null ? "relative paths start at the spec's directory, " + specDir + ", not the working "
                    + "directory; " : "";
            String fixPath = relative != null
                    ? startsAt + "give an absolute path, such as --var " + relative + "=$PWD/" + overrides.get(relative)
                    : varName != null ? "give the repository's path: --var " + varName + "=PATH"
                    : "fix the path (relative paths start at the spec's directory)";
            Path path;
            try {
                path = specDir.resolve(text).normalize();
            } catch (InvalidPathException e) {
                problems.at(spec.repo.node(), "repo '" + text + "' is not a valid path" + from, fixPath);
                return;
            }
            if (Files.exists(path) && !Files.isDirectory(path)) {
                Path top = path.getParent();
                while (top != null && !Files.exists(top.resolve(".git"))) top = top.getParent();
                problems.at(spec.repo.node(), "repo " + path + " is a file, not a directory" + from, varName != null
                        ? startsAt + (top != null ? "give the top of its git repository: --var " + varName + "=" + top
                                : "give the top of a git working tree (the directory that holds .git): --var " + varName + "=PATH")
                        : top != null ? "point repo: at the top of its git repository, " + top
                        : "point repo: at the top of a git working tree (the directory that holds .git)");
            } else if (!Files.isDirectory(path)) {
                problems.at(spec.repo.node(), "repo " + path + " does not exist" + from, fixPath);
            } else if (!Files.exists(path.resolve(".git"))) {
                Path top = path.getParent();
                while (top != null && !Files.exists(top.resolve(".git"))) top = top.getParent();
                if (Files.isRegularFile(path.resolve("HEAD")) && Files.isDirectory(path.resolve("objects"))
                        && Files.isDirectory(path.resolve("refs"))) {
                    problems.at(spec.repo.node(), "repo " + path + " is a bare git repository, which has no working tree for "
                            + "tickets to read or branch from" + from, varName != null
                            ? "give a clone of it (git clone " + path + " DIR): --var " + varName + "=DIR"
                            : "point repo: at a clone of it (git clone " + path + ")");
                } else if (top != null) {
                    problems.at(spec.repo.node(), "repo " + path + " is inside the git repository " + top + " but not at its top" + from,
                            varName != null ? startsAt + "give its top: --var " + varName + "=" + top : "point repo: at " + top);
                } else {
                    problems.at(spec.repo.node(), "repo " + path + " is not a git repository" + from,
                            relative != null || varName != null ? fixPath + (relative != null ? "" : ", or run 'git init' in " + path)
                            : "point repo: at the top of a git working tree, or run 'git init' there");
                }
            } else {
                repo = path;
            }
            return;
        }
        for (Path dir = specDir; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(".git"))) {
                repo = dir;
                return;
            }
        }
    }

    // ---- profiles --------------------------------------------------------------------------

    private void resolveProfiles() {
        Fields d = spec.defaults;
        List<Profile> toCheck = new ArrayList<>(spec.agents.values());
        toCheck.addAll(spec.leftOutAgents); // an invalid name (reported): checked all the same, but not a profile of the plan
        for (Profile p : toCheck) {
            String kind = p.kind() == null ? "?" : p.kind().value();
            if (p.kind() != null && !KINDS.contains(kind)) {
                String meant = problems.closest(kind, KINDS);
                problems.at(p.kind().node(), "unknown agent kind '" + kind + "'",
                        "use " + String.join(" or ", KINDS) + (meant == null ? "" : "; did you mean '" + meant + "'?"));
            }
            // with no usable kind (reported) it is unknown whether the duration applies
            if (p.duration() != null && KINDS.contains(kind) && !kind.equals("noop")) {
                problems.at(p.duration().node(), "'duration' applies only to noop agents", "remove it");
            }
            if (kind.equals("noop")) {
                // a value written wrongly (null here) is reported as such
                Map<String, Object> read = new HashMap<>();
                read.put("sandbox", p.sandbox());
                read.put("limits", p.limits());
                read.put("env", p.env());
                for (String key : NOOP_IDLE_PROFILE_KEYS) {
                    Node written = p.keys().get(key);
                    if (written != null && read.get(key) != null) {
                        problems.at(written, "agent profile '" + p.name() + "' sets '" + key + "', but noop agents run no "
                                + "process, so it has no effect", "remove " + key + ":, or use kind: shell");
                    }
                }
            }
            Map<String, String> env = new LinkedHashMap<>();
            if (p.env() != null) {
                p.env().forEach((k, v) -> env.put(k, render(v, new Scope(null, null, true, "agents' env"))));
            }
            long duration = kind.equals("noop") ? first(p.duration(), d.duration, 0L) : 0L;
            if (spec.agents.get(p.name()) != p) continue; // left out: checked only
            profiles.put(p.name(), new AgentProfile(p.name(), kind, first(p.sandbox(), d.sandbox, SandboxPolicy.BEST_EFFORT),
                    limits(p.limits(), d.limits), env, p.concurrency() == null ? 0 : p.concurrency().value(), duration));
        }
        for (String kind : KINDS) {
            profiles.computeIfAbsent(kind, k -> new AgentProfile(k, k, first(null, d.sandbox, SandboxPolicy.BEST_EFFORT),
                    limits(null, d.limits), Map.of(), 0, k.equals("noop") ? first(null, d.duration, 0L) : 0L));
        }
    }

    /**
     * Warns about each file output of a {@code workspace: repo} ticket that is not in the repository, once per output
     * written in the spec: a matrix ticket whose path uses a matrix value names the files of its expansions in one warning.
     */
    private void warnMissingRepoOutputs() {
        missingRepoOutputs.values().forEach(missing -> {
            Output o = missing.output();
            List<String> files = new ArrayList<>(missing.files());
            String shown = files.size() == 1 ? files.get(0) : o.file().value() + ", in its expansions " + String.join(", ",
                    files.subList(0, Math.min(3, files.size()))) + (files.size() > 3 ? " and " + (files.size() - 3) + " more" : "");
            problems.warnAt(o.file().node().getStartMark(), "output '" + o.name() + "' of ticket '" + missing.group()
                            + "' is the file " + shown + ", which " + (files.size() == 1 ? "is" : "are") + " not in the repository "
                            + repo + "; the ticket runs in workspace: repo, the repository read-only in the sandbox, so it cannot "
                            + "write " + (files.size() == 1 ? "it" : "them") + " (without bubblewrap it would write into your checkout)",
                    "set workspace: run or workspace: worktree on the ticket, or use a {json: key} output");
        });
    }

    /**
     * A file output of a shell ticket whose workspace other tickets write into too: the run's shared directory, or the
     * checkout of a {@code workspace: repo} ticket with {@code sandbox: off}, whether the file is in the repository or not
     * (never decided from what is on disk now: a ticket without the sandbox can write either; only for the expansions of
     * one matrix ticket does the repository's {@code HEAD} commit count, {@link #checkSharedOutputFiles}).
     * {@code file} is the path with variables and matrix values substituted; {@code agentConcurrency} the profile's
     * limit, 0 for none.
     */
    private record SharedFile(Expanded ticket, Output output, String file, WorkspaceMode workspace, String agent, int agentConcurrency) {
        String where() {
            return workspace == WorkspaceMode.RUN ? "the run's shared directory" : "your checkout (workspace: repo, sandbox: off)";
        }

        /** Whether this and {@code other} cannot run at once: one profile that runs one attempt at a time. */
        boolean oneAtATimeWith(SharedFile other) {
            return agent.equals(other.agent) && agentConcurrency == 1;
        }
    }

    private final List<SharedFile> sharedFiles = new ArrayList<>();

    /**
     * Refuses a file output that tickets which may run at the same time name in one shared workspace: each output is read
     * when its attempt ends, from whatever the last writer left, so a ticket reading it would get another ticket's value,
     * silently. Expansions of one matrix ticket always may (their path must differ by a matrix value: refused; in the
     * checkout of {@code workspace: repo}, {@code sandbox: off}, by the repository's {@code HEAD} commit as
     * {@link #committedFiles} tells it: a file it holds they may only read, or rewrite, as nothing stops them there, a
     * warning; one it does not they write, refused, unless another ticket names it too, which may write it for them to
     * read, a warning; not known, a warning); two other
     * tickets unless one needs the other, directly or not, a warning only, as their {@code when} conditions may keep them
     * apart ({@code order}, null when there is a cycle: then only the first
     * check). Nothing runs at once in a run of {@code concurrency: 1}, nor two tickets of a profile of {@code concurrency: 1}.
     */
    private void checkSharedOutputFiles(List<Expanded> order) {
        int concurrency = spec.concurrency != null ? spec.concurrency.value() : 4;
        if (concurrency == 1 || sharedFiles.size() < 2) return;
        Map<String, List<SharedFile>> byFile = new LinkedHashMap<>();
        for (SharedFile f : sharedFiles) byFile.computeIfAbsent(f.workspace() + "\0" + normalized(f.file()), k -> new ArrayList<>()).add(f);
        // expansions of one matrix ticket naming one file, with whether other tickets name it too
        List<List<SharedFile>> sharing = new ArrayList<>();
        Map<List<SharedFile>, Boolean> namedByOthers = new java.util.IdentityHashMap<>();
        Set<String> inCheckout = new LinkedHashSet<>();
        for (List<SharedFile> same : byFile.values()) {
            Map<List<Object>, List<SharedFile>> byOutput = new LinkedHashMap<>();
            for (SharedFile f : same) byOutput.computeIfAbsent(List.of(f.output(), f.ticket().group), k -> new ArrayList<>()).add(f);
            byOutput.values().forEach(expansions -> {
                if (expansions.size() < 2 || expansions.get(0).oneAtATimeWith(expansions.get(1))) return;
                sharing.add(expansions);
                namedByOthers.put(expansions, expansions.size() < same.size());
                if (expansions.get(0).workspace() == WorkspaceMode.REPO) inCheckout.add(normalized(expansions.get(0).file()));
            });
        }
        // the checkout's files: all asked at once, only when there are any
        Map<String, Boolean> committed = inCheckout.isEmpty() ? Map.of() : committedFiles.inHead(repo, List.copyOf(inCheckout));
        // once per output written in the spec: its first file that is reported
        Set<List<Object>> reported = new java.util.HashSet<>();
        for (List<SharedFile> expansions : sharing) {
            SharedFile first = expansions.get(0);
            Boolean inHead = first.workspace() == WorkspaceMode.REPO ? committed.get(normalized(first.file())) : null;
            if (!reported.add(List.of(first.output(), first.ticket().group))) continue;
            reportSharedMatrixOutput(expansions, inHead, namedByOthers.get(expansions));
        }
        if (order == null) return;
        int[] position = new int[expanded.size()];
        for (int i = 0; i < order.size(); i++) position[order.get(i).index] = i;
        Set<List<Object>> pairs = new java.util.HashSet<>();
        for (List<SharedFile> same : byFile.values()) {
            if (same.size() < 2) continue;
            List<SharedFile> sorted = new ArrayList<>(same);
            sorted.sort(java.util.Comparator.comparingInt(f -> position[f.ticket().index]));
            // ordered pairwise if each is ordered after the one before it (needs are transitive): check neighbours only
            SharedFile previous = null;
            for (SharedFile f : sorted) {
                if (previous != null && !previous.ticket().group.equals(f.ticket().group) && !previous.oneAtATimeWith(f)
                        && !needsTransitively(f.ticket(), previous.ticket(), position)
                        && pairs.add(List.of(previous.output(), previous.ticket().group, f.output(), f.ticket().group))) {
                    Expanded a = previous.ticket();
                    Expanded b = f.ticket();
                    // a warning: whether two tickets can run at once is not always known here (a success and a failure
                    // branch of one dependency never both run; review D5 F1), expansions of one ticket always can
                    problems.warnAt(f.output().file().node().getStartMark(), "output '" + f.output().name() + "' of ticket '" + b.id + "' is the file "
                                    + f.file() + " in " + f.where() + ", as output '" + previous.output().name() + "' of ticket '"
                                    + a.id + "' is (line " + line(previous.output().file().node()) + "), and neither needs the "
                                    + "other: unless their conditions keep them apart (when: success and when: failure), they may "
                                    + "run at the same time and overwrite each other's file, and a ticket reading the output gets "
                                    + "whichever was written last",
                            "give one of the files another name, or add " + a.group + " to the needs of " + b.group
                                    + (repo != null ? ", or set workspace: worktree on one of them" : ""));
                }
                if (previous == null || !previous.ticket().group.equals(f.ticket().group)) previous = f;
            }
        }
    }

    /** Whether {@code later} needs {@code earlier}, directly or not; {@code position} is each ticket's place in the order. */
    private boolean needsTransitively(Expanded later, Expanded earlier, int[] position) {
        BitSet seen = new BitSet(expanded.size());
        ArrayDeque<Integer> todo = new ArrayDeque<>(later.deps);
        while (!todo.isEmpty()) {
            int d = todo.pop();
            if (d == earlier.index) return true;
            // a ticket ordered before earlier cannot lead to it
            if (position[d] < position[earlier.index] || seen.get(d)) continue;
            seen.set(d);
            todo.addAll(expanded.get(d).deps);
        }
        return false;
    }

    /** {@code file} as one path names it ({@code ./out.txt} and {@code out.txt} are one), or as written when it is no path. */
    private static String normalized(String file) {
        try {
            return Path.of(file).normalize().toString();
        } catch (InvalidPathException ex) {
            return file;
        }
    }

    /**
     * Reports expansions of one matrix ticket that name the same file output in a shared workspace: refused, except in
     * the checkout, where {@code inHead} (null: not known) says whether the repository's {@code HEAD} commit holds the
     * file and {@code namedByOthers} whether another ticket names it too; there refused only when the commit does not
     * hold it and no other ticket names it (the expansions must then each write it), else a warning: a committed file
     * they may only read, but without the sandbox they may as well rewrite it.
     */
    private void reportSharedMatrixOutput(List<SharedFile> expansions, Boolean inHead, boolean namedByOthers) {
        SharedFile first = expansions.get(0);
        Output o = first.output();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < Math.min(expansions.size(), 3); i++) ids.add(expansions.get(i).ticket().id);
        String more = expansions.size() > 3 ? String.format(Locale.ROOT, " and %,d more", expansions.size() - 3) : "";
        // the matrix keys whose values tell these expansions apart
        List<String> keys = new ArrayList<>();
        first.ticket().matrix.forEach((key, value) -> {
            if (expansions.stream().anyMatch(f -> !value.equals(f.ticket().matrix.get(key)))) keys.add(key);
        });
        StringBuilder suffix = new StringBuilder();
        for (String key : keys) suffix.append("-${{ matrix.").append(key).append(" }}");
        String written = o.file().value();
        // an extension's dot: in the file name, after any reference, not at its start (.env)
        int braces = written.lastIndexOf("}}");
        int slash = written.lastIndexOf('/');
        int dot = written.lastIndexOf('.');
        String named = dot > slash + 1 && dot >= braces + 2 ? written.substring(0, dot) + suffix + written.substring(dot) : written + suffix;
        String what = "output '" + o.name() + "' of matrix ticket '" + first.ticket().group + "' is the file "
                + first.file() + " in " + first.where() + " for each of its expansions " + String.join(", ", ids) + more
                + ", which may run at the same time and overwrite each other's file: a ticket reading the output of one "
                + "would get whichever was written last";
        String fix = "name the file by the matrix value" + (keys.size() > 1 ? "s" : "") + ": " + o.name() + ": \"" + named + "\""
                + (repo != null ? ", or set workspace: worktree, which gives each expansion its own directory" : "")
                + ", or use a {json: key} output";
        if (first.workspace() == WorkspaceMode.REPO && Boolean.FALSE.equals(inHead) && !namedByOthers) {
            // not in the commit, and no other ticket names it: the expansions are taken to write it (a file only on disk,
            // untracked or ignored, does not count: the disk never decides, and a run elsewhere has none)
            problems.at(o.file().node(), what + "; " + first.file() + " is not a file of the repository's HEAD commit, so "
                    + "each expansion writes it", fix + ", or, when a ticket they need writes it for them to read, name the "
                    + "file in that ticket's outputs too");
        } else if (first.workspace() == WorkspaceMode.REPO) {
            // in the checkout the file may be one the expansions only read, the same for each: one of the commit (which,
            // without the sandbox, they may as well rewrite: "committed" is not "read-only"), or one when git could not
            // tell; or one another ticket names, which may write it before them: a warning (the run's shared directory
            // has only what tickets wrote: there it is refused)
            problems.warnAt(o.file().node().getStartMark(), what + (inHead == null
                    ? " (unless they only read it as the repository has it)"
                    : inHead ? " (unless they only read it as the repository's HEAD commit has it: without the sandbox "
                            + "nothing keeps them from rewriting it)"
                    : " (unless they only read it as another ticket that names it wrote it)"), fix);
        } else {
            problems.at(o.file().node(), what, fix);
        }
    }

    private static ResourceLimits limits(Limits own, Limits defaults) {
        ResourceLimits base = ResourceLimits.DEFAULTS;
        Limits o = own != null ? own : new Limits(null, null, null, null, null, null);
        Limits d = defaults != null ? defaults : new Limits(null, null, null, null, null, null);
        long cpuMillis = first(o.cpuMillis(), d.cpuMillis(), base.cpuSeconds() * 1000);
        return new ResourceLimits((cpuMillis + 999) / 1000,
                first(o.addressSpace(), d.addressSpace(), base.addressSpaceBytes()),
                first(o.fileSize(), d.fileSize(), base.fileSizeBytes()),
                first(o.processes(), d.processes(), base.processes()),
                first(o.logSize(), d.logSize(), base.logBytes()),
                first(o.tmpSize(), d.tmpSize(), base.tmpBytes()));
    }

    // ---- tickets ---------------------------------------------------------------------------

    /**
     * Whether the tickets after matrix expansion are at most {@link #MAX_TICKETS}; else reports it at the ticket that
     * passes the limit, before anything is expanded. A matrix over {@link #MAX_EXPANSIONS} counts as nothing here: it is
     * reported on its own and not expanded.
     */
    private boolean withinTicketLimit() {
        long total = 0;
        Fields passing = null;
        for (Fields raw : spec.tickets) {
            long count = 1;
            if (raw.matrix != null) {
                for (List<Val<String>> values : raw.matrix.values()) count = Math.min(count * values.size(), MAX_EXPANSIONS + 1L);
                if (count > MAX_EXPANSIONS) count = 0;
            }
            total += count;
            if (total > MAX_TICKETS && passing == null) passing = raw;
        }
        if (passing == null) return true;
        problems.at(passing.id != null ? passing.id.node() : passing.node,
                String.format(Locale.ROOT, "the spec has %,d tickets after matrix expansion, more than the limit of %,d; "
                        + "this ticket passes it", total, MAX_TICKETS),
                "split the swarm into several specs, or use fewer matrix values");
        return false;
    }

    /**
     * Whether the dependencies after matrix expansion are at most {@link #MAX_NEEDS}; else reports it at the needs of the
     * ticket that passes the limit, before any is resolved. Counted per ticket written in the spec: its expansions share
     * its needs.
     */
    private boolean withinNeedsLimit() {
        Map<Fields, Integer> expansions = new java.util.IdentityHashMap<>();
        for (Expanded e : expanded) expansions.merge(e.raw, 1, Integer::sum);
        long total = 0;
        Fields passing = null;
        for (Fields raw : spec.tickets) {
            if (raw.needs == null || raw.needs.isEmpty() || !expansions.containsKey(raw)) continue;
            long each = 0;
            Set<String> distinct = new java.util.HashSet<>();
            for (Val<String> need : raw.needs) {
                List<Integer> targets = distinct.add(need.value()) ? names.get(need.value()) : null;
                if (targets != null) each += targets.size();
            }
            total += each * expansions.get(raw);
            if (total > MAX_NEEDS && passing == null) passing = raw;
        }
        if (passing == null) return true;
        problems.at(passing.needs.get(0).node(),
                String.format(Locale.ROOT, "the spec has %,d dependencies after matrix expansion, more than the limit of %,d; "
                        + "the needs of this ticket pass it", total, MAX_NEEDS),
                "a ticket needing a matrix ticket depends on each of its expansions, once per expansion of its own matrix: "
                        + "use fewer matrix values, split the swarm, or put one ticket between the two that needs the one and is "
                        + "needed by the other");
        return false;
    }

    private void expandTickets() {
        for (Fields raw : spec.tickets) {
            if (raw.id == null) {
                // 'ide: build' is reported as an unknown key (did you mean 'id'?); needs of build are not missing
                if (raw.misspelled.get("id") instanceof ScalarNode s && !SpecReader.isNull(s)) leaveOut(raw, s.getValue());
                if (!raw.miswritten("id")) problems.at(raw.node, "ticket has no 'id'", "add id: with a short name such as build");
                // its body is still checked, every problem at once: named by the id misspelled, else '?'
                checkOnly(raw, raw.misspelled.get("id") instanceof ScalarNode s && !SpecReader.isNull(s)
                        && SpecLoader.ID.matcher(s.getValue()).matches() ? s.getValue() : "?");
                continue;
            }
            String id = raw.id.value();
            if (!SpecLoader.ID.matcher(id).matches()) {
                problems.at(raw.id.node(), "invalid ticket id '" + id + "'",
                        "use 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit");
                leaveOut(raw, id); // a need of exactly this id is not a second mistake
                checkOnly(raw, id);
                continue;
            }
            if (names.containsKey(id)) {
                Node first = nameNodes.get(id);
                if (first == raw.id.node()) {
                    // the same node again: a YAML alias (*name) repeats the ticket or its id; the composer keeps only the
                    // anchor's position, so the message names the alias to look for
                    String anchor = raw.node.getAnchor() != null ? raw.node.getAnchor() : first.getAnchor();
                    problems.at(first, "duplicate ticket id '" + id + "': the alias *" + anchor + " repeats the "
                                    + (raw.node.getAnchor() != null ? "ticket" : "id") + " anchored here (&" + anchor + ")",
                            "give each ticket its own id: write the second ticket out, or fan one out with matrix:");
                } else {
                    problems.at(raw.id.node(), "duplicate ticket id '" + id + "' (first at line " + line(first) + ")",
                            "give each ticket a unique id");
                    checkOnly(raw, id); // an alias repeats a ticket checked already
                }
                continue;
            }
            if (raw.matrixNode == null) {
                addName(id, raw.id.node(), add(raw, id, id, Map.of()));
                continue;
            }
            matrixGroups.add(id);
            List<Integer> members = new ArrayList<>();
            names.put(id, members);
            nameNodes.put(id, raw.id.node());
            // a malformed matrix (reported) leaves the ticket unexpanded, but its id stays known: needs of it are
            // met by nothing rather than reported as missing
            if (raw.matrix == null || !matrixValuesLiteral(raw) || !matrixValuesDistinct(raw)
                    || !expandMatrix(raw, id, members) || members.isEmpty()) {
                // none of its expansions is in the plan (each refused expansion is reported): still check its body
                brokenMatrices.add(id);
                checkOnly(raw, id);
            }
        }
    }

    /**
     * Tickets left out of the plan (their id or matrix is reported) whose body is still checked, so that every problem
     * is reported at once: index -1, no dependencies, not in the order; a matrix ticket as one ticket, its matrix keys
     * given their first values (a key written without usable values: its own name).
     */
    private final List<Expanded> unplanned = new ArrayList<>();

    private void checkOnly(Fields raw, String id) {
        Map<String, String> matrix = Map.of();
        if (raw.matrixNode != null) {
            if (!(raw.matrixNode instanceof org.yaml.snakeyaml.nodes.MappingNode mapping)) {
                // not a mapping (reported): its keys are unknown, so its matrix references are not checked; the rest is
                Expanded e = new Expanded(raw, id, id, Map.of(), -1);
                e.matrixKeysUnknown = true;
                unplanned.add(e);
                return;
            }
            matrix = new LinkedHashMap<>();
            for (org.yaml.snakeyaml.nodes.NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) continue;
                List<Val<String>> values = raw.matrix == null ? null : raw.matrix.get(key.getValue());
                matrix.put(key.getValue(), values == null || values.isEmpty() ? key.getValue() : literal(values.get(0).value()));
            }
        }
        unplanned.add(new Expanded(raw, id, id, matrix, -1));
    }

    /** Remembers the id of a ticket left out of the plan (reported), so references to it are not reported as missing. */
    private void leaveOut(Fields raw, String id) {
        (raw.matrixNode != null ? brokenMatrices : leftOut).add(id);
    }

    /**
     * Whether no matrix value of {@code raw} holds a reference; each one that does is reported (a value is inserted as it
     * is, and would become part of the expansion's id), and the ticket is then not expanded.
     */
    private boolean matrixValuesLiteral(Fields raw) {
        int before = problems.size();
        raw.matrix.forEach((key, values) -> values.forEach(v -> noReferences(v, "matrix '" + key + "'",
                "write the value itself, or $${{ for a literal ${{")));
        return problems.size() == before;
    }

    /**
     * Whether no value is listed twice under one key of {@code raw}'s matrix; each repetition is reported at its place
     * (expanding it would make an id twice, and "already used" would point at the ticket itself).
     */
    private boolean matrixValuesDistinct(Fields raw) {
        boolean distinct = true;
        for (Map.Entry<String, List<Val<String>>> entry : raw.matrix.entrySet()) {
            Set<String> seen = new java.util.HashSet<>();
            for (Val<String> v : entry.getValue()) {
                if (!seen.add(v.value())) {
                    problems.at(v.node(), "the value '" + v.value() + "' is listed twice in matrix key " + entry.getKey(),
                            "remove one");
                    distinct = false;
                }
            }
        }
        return distinct;
    }

    /**
     * Adds the expansions to {@code members}; false when the matrix is too large to expand (reported with its count, the
     * product of its lists' lengths, computed whole: many keys of a few values each pass any {@code long}; a count of
     * more than 24 digits, which a 1 MiB spec can make tens of thousands of digits long, as a power of ten).
     */
    private boolean expandMatrix(Fields raw, String id, List<Integer> members) {
        java.math.BigInteger count = java.math.BigInteger.ONE;
        for (List<Val<String>> values : raw.matrix.values()) count = count.multiply(java.math.BigInteger.valueOf(values.size()));
        if (count.compareTo(java.math.BigInteger.valueOf(MAX_EXPANSIONS)) > 0) {
            String digits = count.toString();
            String tickets = digits.length() <= 24 ? String.format(Locale.ROOT, "%,d", count)
                    : String.format(Locale.ROOT, "at least 10^%,d", digits.length() - 1);
            problems.at(raw.matrixNode, String.format(Locale.ROOT, "the matrix of '%s' expands to %s tickets (the product of "
                            + "its lists' lengths); the limit is %,d", id, tickets, MAX_EXPANSIONS),
                    "use fewer values or split the ticket");
            return false;
        }
        List<String> keys = new ArrayList<>(raw.matrix.keySet());
        int[] position = new int[keys.size()];
        while (true) {
            Map<String, String> values = new LinkedHashMap<>();
            StringBuilder expandedId = new StringBuilder(id);
            for (int k = 0; k < keys.size(); k++) {
                String v = literal(raw.matrix.get(keys.get(k)).get(position[k]).value());
                values.put(keys.get(k), v);
                expandedId.append('-').append(v.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-"));
            }
            String eid = expandedId.toString();
            if (!SpecLoader.ID.matcher(eid).matches()) {
                problems.at(raw.matrixNode, "matrix expansion id '" + eid + "' is not a valid ticket id",
                        "ids are at most 63 characters of a-z, 0-9, '-' and '_'; use shorter matrix values or a shorter id");
            } else if (names.containsKey(eid)) {
                problems.at(raw.matrixNode, "matrix expansion id '" + eid + "' (for " + values + ") is already used (line "
                                + line(nameNodes.get(eid)) + ")",
                        "rename one of the tickets or change the matrix values: ids keep only a-z, 0-9, '-' and '_' of each value, in lower case");
            } else {
                int index = add(raw, eid, id, values);
                members.add(index);
                addName(eid, raw.matrixNode, index);
            }
            int k = keys.size() - 1;
            while (k >= 0 && ++position[k] == raw.matrix.get(keys.get(k)).size()) {
                position[k] = 0;
                k--;
            }
            if (k < 0) break;
        }
        return true;
    }

    private int add(Fields raw, String id, String group, Map<String, String> matrix) {
        Expanded e = new Expanded(raw, id, group, matrix, expanded.size());
        expanded.add(e);
        return e.index;
    }

    private void addName(String name, Node node, int index) {
        names.put(name, new ArrayList<>(List.of(index)));
        nameNodes.put(name, node);
    }

    private void resolveNeeds() {
        for (Fields raw : spec.tickets) {
            for (Val<String> need : raw.needsReferences) needsReference(raw, need);
            if (raw.needs == null) continue;
            Set<String> listed = new java.util.HashSet<>();
            for (Val<String> need : raw.needs) {
                if (!listed.add(need.value())) {
                    problems.at(need.node(), "'" + need.value() + "' is listed twice in the needs of ticket '"
                            + (raw.id == null ? "?" : raw.id.value()) + "'", "remove one");
                }
            }
        }
        for (Expanded e : expanded) {
            if (e.raw.needs == null) continue;
            for (Val<String> need : e.raw.needs) {
                String n = need.value();
                List<Integer> targets = names.get(n);
                if (targets == null) {
                    if (ofLeftOut(n)) continue;
                    problems.at(need.node(), "ticket '" + e.group + "' needs '" + n + "', which is not a ticket",
                            suggestTicket(n, e.group, expansionsHint(n, e.group, "check the id, or add a ticket with that id")));
                } else if (n.equals(e.group) || targets.contains(e.index)) {
                    problems.at(need.node(), "ticket '" + e.group + "' needs itself", "remove '" + n + "' from needs");
                } else {
                    e.deps.addAll(targets);
                }
            }
        }
        // a ticket left out of the plan (its id or matrix is reported) still has its needs checked: every problem at once
        for (Expanded e : unplanned) {
            Fields raw = e.raw;
            if (raw.needs == null) continue;
            String group = e.group;
            for (Val<String> need : raw.needs) {
                String n = need.value();
                if (n.equals(group)) {
                    problems.at(need.node(), "ticket '" + group + "' needs itself", "remove '" + n + "' from needs");
                } else if (names.get(n) == null && !ofLeftOut(n)) {
                    problems.at(need.node(), "ticket '" + group + "' needs '" + n + "', which is not a ticket",
                            suggestTicket(n, group, "check the id, or add a ticket with that id"));
                }
            }
        }
    }

    /**
     * Reports a {@code needs} entry holding a reference, which is never substituted ({@code build-${{ matrix.os }}}, meant
     * as "the expansion of build with my os"): needs take ticket ids as written, and a matrix ticket's id stands for all of
     * its expansions. Names the id to write when the text before the reference ({@code build}), or the variable the whole
     * entry is ({@code ${{ vars.dep }}}), is a ticket's.
     */
    private void needsReference(Fields raw, Val<String> need) {
        String text = need.value();
        String group = raw.id != null ? raw.id.value() : null;
        List<Integer> openings = scan(text).openings;
        String meant = text.substring(0, openings.get(0)).replaceAll("[-_]+$", "");
        if (!names.containsKey(meant)) {
            List<Templates.Reference> refs = Templates.references(text);
            String whole = refs.size() == 1 && text.strip().startsWith("${{") && text.strip().endsWith("}}")
                    && refs.get(0).expression().startsWith("vars.") ? vars.get(refs.get(0).expression().substring(5)) : null;
            meant = whole != null && names.containsKey(whole) ? whole : null;
        }
        if (meant != null && meant.equals(group)) meant = null; // needing itself is no fix
        boolean matrix = meant != null && matrixGroups.contains(meant);
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        String what = "'" + shown + "' in needs is not substituted: needs take ticket ids as written"
                + (matrix ? ", and the id of the matrix ticket " + meant + " stands for all of its expansions" : "");
        String hint;
        if (meant == null) {
            hint = "write the ticket id itself; to wait for a matrix ticket, write its id (such as build for build-linux and "
                    + "build-mac): it stands for all of its expansions";
        } else if (!matrix) {
            hint = "write needs: [" + meant + "]";
        } else {
            String who = group == null ? "the ticket" : raw.matrixNode != null ? "each expansion of " + group : group;
            hint = "write needs: [" + meant + "]: " + who + " then waits for every expansion of " + meant
                    + (raw.matrixNode != null ? " (to hand each expansion its own result, write it to a file in $SWARM_SCRATCH "
                    + "named by the matrix value)" : "");
        }
        problems.at(need.node(), what, hint);
    }

    /** Whether {@code name} is a ticket left out of the plan (reported), or could be an expansion of its matrix. */
    private boolean ofLeftOut(String name) {
        if (leftOut.contains(name) || brokenMatrices.contains(name)) return true;
        // an expansion's id is its group's id, '-', values: look the prefixes up rather than scan every group
        for (int dash = name.indexOf('-'); dash > 0; dash = name.indexOf('-', dash + 1)) {
            if (brokenMatrices.contains(name.substring(0, dash))) return true;
        }
        return false;
    }

    /**
     * "did you mean" a ticket name close to {@code given} (not one of {@code group}'s own), else {@code otherwise}; the
     * names are not even listed once {@link Problems#suggesting()} says the budget of suggestions is spent.
     */
    private String suggestTicket(String given, String group, String otherwise) {
        return problems.suggesting() ? problems.didYouMean(given, namesOutside(group), otherwise) : otherwise;
    }

    /** Expansions a hint lists before it counts the rest. */
    private static final int EXPANSIONS_SHOWN = 10;

    /**
     * For a name that is a matrix ticket's id, '-', and something else (a value not in its matrix: {@code test-windows}),
     * a hint listing that ticket's expansions, unless it is {@code from} (the ticket the name is written in: needing its
     * own expansions would be a cycle); else {@code otherwise}. The longest such id wins.
     */
    private String expansionsHint(String name, String from, String otherwise) {
        for (int dash = name.lastIndexOf('-'); dash > 0; dash = name.lastIndexOf('-', dash - 1)) {
            String group = name.substring(0, dash);
            if (!matrixGroups.contains(group) || brokenMatrices.contains(group) || names.get(group).isEmpty()) continue;
            if (group.equals(from)) return otherwise;
            List<String> ids = new ArrayList<>();
            List<Integer> members = names.get(group);
            for (int i = 0; i < Math.min(members.size(), EXPANSIONS_SHOWN); i++) ids.add(expanded.get(members.get(i)).id);
            String more = members.size() > ids.size()
                    ? String.format(Locale.ROOT, " and %,d more", members.size() - ids.size()) : "";
            return "'" + group + "' is a matrix ticket; its expansions are " + String.join(", ", ids) + more
                    + " (add the value to its matrix, or name one of them)";
        }
        return otherwise;
    }

    /** Ticket names other than {@code group}'s own (its id and expansions): suggesting one of those would be a cycle. */
    private List<String> namesOutside(String group) {
        List<String> others = new ArrayList<>();
        names.forEach((name, targets) -> {
            if (!name.equals(group) && targets.stream().noneMatch(i -> expanded.get(i).group.equals(group))) others.add(name);
        });
        return others;
    }

    private void buildTicket(Expanded e) {
        Fields t = e.raw;
        Fields d = spec.defaults;
        Map<String, String> matrix = t.matrixNode == null ? null : e.matrix;
        Val<String> agentVal = t.agent != null ? t.agent : d.agent;
        String agent = agentVal != null ? agentVal.value() : "shell";
        // an agent written wrongly (reported) leaves the kind unknown, as an unknown agent does: no check by kind
        boolean agentMiswritten = miswritten(t, t.agent, "agent") || (agentVal != null && !profiles.containsKey(agent)
                && (spec.miswrittenAgents == null || spec.miswrittenAgents.contains(agent))); // its profile is reported
        AgentProfile profile = agentMiswritten ? null : profiles.get(agent);
        if (profile == null && !agentMiswritten && !scan(agent).openings.isEmpty()) {
            // not an unknown profile to declare: a reference that is never substituted
            noReferences(agentVal, "agent", "write the name of a profile under agents:, or " + String.join(" or ", KINDS));
        } else if (profile == null && !agentMiswritten) {
            problems.at(agentVal.node(), "unknown agent '" + agent + "'",
                    problems.didYouMean(agent, profiles.keySet(), "declare it under agents: or use " + String.join(" or ", KINDS)));
        }
        String kind = profile == null ? "?" : profile.kind();

        Val<String> runVal = t.run != null ? t.run : d.run;
        Scope runtime = new Scope(e, matrix, true, "run", t.run == null, !kind.equals("noop"));
        String run = "";
        if (kind.equals("noop")) {
            // a noop attempt runs nothing: a run written on the ticket is a mistake, its references checked as a shell
            // ticket's; one from defaults (which apply to many tickets) is not, and is not checked here: it never runs on
            // this ticket, and is checked on the tickets that run it (its matrix.KEY or outputs may fit only those)
            if (t.run != null) {
                problems.at(t.run.node(), "ticket '" + e.group + "' has a run, but noop agents run nothing",
                        "remove run:, or use agent: shell");
                render(t.run, runtime);
            }
            // likewise what only a process uses, written on the ticket; from defaults it is for the shell tickets
            for (String key : NOOP_IDLE_TICKET_KEYS) {
                Node written = t.keys.get(key);
                if (written != null && !t.miswritten(key)) { // a value written wrongly is reported as such
                    problems.at(written, "ticket '" + e.group + "' sets '" + key + "', but noop agents run no process, so it "
                            + "has no effect", "remove " + key + ":, or use agent: shell");
                }
            }
        } else if (kind.equals("shell")) {
            if ((runVal == null && !t.miswritten("run") && !d.miswritten("run"))
                    || (runVal != null && runVal.value().isBlank())) {
                problems.at(t.node, "ticket '" + e.group + "' has no 'run'",
                        "add run: with the shell script to run, or use agent: noop");
            } else if (runVal != null) {
                run = render(runVal, runtime);
            }
        } else if (profile == null && runVal != null) {
            render(runVal, runtime); // the agent is unknown (reported above): still report the script's own problems now
        }

        Map<String, String> env = new LinkedHashMap<>(profile == null ? Map.of() : profile.env());
        Scope envScope = new Scope(e, matrix, true, "env");
        Scope defaultsEnvScope = new Scope(e, matrix, true, "env", true);
        if (d.env != null) d.env.forEach((k, v) -> env.put(k, render(v, defaultsEnvScope)));
        if (t.env != null) t.env.forEach((k, v) -> env.put(k, render(v, envScope)));

        if (kind.equals("shell")) checkLaunchSize(e, matrix, runVal, agent);
        boolean planned = e.index >= 0; // else only checked (unplanned): not in the plan, so not counted
        if (planned) countPlanBytes(e, matrix, kind.equals("shell") && !run.isEmpty() ? runVal : null, agent, profile != null);

        String title;
        if (t.title != null) {
            title = render(t.title, new Scope(e, matrix, false, "title"));
        } else if (matrix != null) {
            List<String> pairs = new ArrayList<>();
            matrix.forEach((k, v) -> pairs.add(k + "=" + v));
            title = e.group + " (" + String.join(", ", pairs) + ")";
        } else {
            title = e.id;
        }

        Val<WorkspaceMode> wsVal = t.workspace != null ? t.workspace : d.workspace;
        WorkspaceMode workspace = wsVal != null ? wsVal.value() : repo != null ? WorkspaceMode.REPO : WorkspaceMode.RUN;
        if (repo == null && workspace != WorkspaceMode.RUN && wsVal != null && spec.repo == null) { // a bad repo: is reported there
            problems.at(wsVal.node(), "workspace '" + workspace.name().toLowerCase(Locale.ROOT) + "' needs a git repository, but "
                            + specDir + " is not inside one",
                    "set repo:, run 'git init' in " + specDir + ", or use workspace: run");
        }

        if (t.duration != null && !kind.equals("noop") && !kind.equals("?")) {
            problems.at(t.duration.node(), "'duration' applies only to noop agents", "remove it or use agent: noop");
        }
        long duration = kind.equals("noop") ? (t.duration != null ? t.duration.value() : profile.durationMillis()) : 0L;
        if (kind.equals("noop") && t.outputs != null && !t.outputs.isEmpty()) {
            // a noop attempt succeeds without output: each would be an empty string to the tickets reading it
            problems.at(t.outputs.values().iterator().next().node(), "ticket '" + e.group + "' declares outputs, but noop agents "
                    + "produce none", "remove outputs:, or use a shell agent that writes them");
        }

        Map<String, OutputSpec> outputs = new LinkedHashMap<>();
        if (t.outputs != null) {
            for (Output o : t.outputs.values()) {
                if (workspace == WorkspaceMode.WORKTREE && WORKTREE_OUTPUTS.contains(o.name())) {
                    problems.at(o.node(), "output '" + o.name() + "' is provided by worktree workspaces",
                            "choose another name; " + String.join(", ", WORKTREE_OUTPUTS) + " are set automatically");
                    continue;
                }
                if (o.file() != null) {
                    String file = render(o.file(), new Scope(e, matrix, false, "outputs"));
                    if (!insideWorkspace(file)) {
                        problems.at(o.file().node(), "output file '" + file + "' is not a relative path inside the workspace",
                                "use a path such as out/result.txt, without '..' or a leading '/'");
                        continue;
                    }
                    if (workspace == WorkspaceMode.REPO && repo != null && kind.equals("shell")
                            && profile.sandbox() != SandboxPolicy.OFF
                            && !Files.exists(repo.resolve(file), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        // the sandbox shows the repository read-only: only a file already in it can be read (with
                        // sandbox: off nothing stops the ticket writing into the checkout)
                        // warned once per output written in the spec (warnMissingRepoOutputs), however many expansions
                        missingRepoOutputs.computeIfAbsent(List.of(o, e.group), k -> new MissingRepoOutput(o, e.group, new LinkedHashSet<>()))
                                .files().add(file);
                    }
                    outputs.put(o.name(), new OutputSpec(o.name(), file, null));
                    if (planned && kind.equals("shell") && (workspace == WorkspaceMode.RUN || (workspace == WorkspaceMode.REPO && repo != null
                            && profile.sandbox() == SandboxPolicy.OFF))) {
                        // a file the ticket writes into a directory other tickets write into too (checkSharedOutputFiles);
                        // in the checkout whether or not the file is there now, which never decides (a ticket without the
                        // sandbox may write a file of the repository as well as a new one); for a matrix ticket's
                        // expansions the HEAD commit decides between a refusal and a warning (committedFiles)
                        sharedFiles.add(new SharedFile(e, o, file, workspace, agent, profile.concurrency()));
                    }
                } else {
                    noReferences(o.json(), "an output's json key");
                    outputs.put(o.name(), new OutputSpec(o.name(), null, literal(o.json().value())));
                }
            }
        }

        Val<When> whenVal = t.when != null ? t.when : d.when;
        if (whenVal != null && whenVal.value() == When.FAILURE && (t.needs == null || t.needs.isEmpty()) && !t.miswritten("needs")) {
            // no dependency can fail: the engine would skip it every time ("no dependency failed")
            problems.at(whenVal.node(), "ticket '" + e.group + "' has when: failure but needs nothing, so it never runs",
                    "add the tickets whose failure it handles to its needs, or remove when: failure");
        }

        e.planned = new PlannedTicket(e.id, title, List.of(), agent, run, env,
                first(t.timeout, d.timeout, 0L), retries(t, d, e.group),
                first(t.priority, d.priority, 0), first(t.when, d.when, When.SUCCESS),
                first(t.approval, d.approval, ApprovalMode.NONE), workspace,
                first(t.network, d.network, false), outputs, t.matrix == null ? Map.of() : e.matrix, e.group, duration);
        if (!planned) return;
        count(t.title != null ? t.title.node() : null, Templates.utf8Length(title, 0, title.length()),
                "the title of ticket '" + e.group + "'", "use a shorter title");
        if (planBytes > MAX_PLAN_BYTES) reportPlanSize(e);
    }

    /**
     * Adds ticket {@code e}'s script ({@code runVal}, null when it has none) and environment variables to
     * {@link #planBytes}, each counted as written or with variables and matrix values substituted, whichever is larger.
     */
    private void countPlanBytes(Expanded e, Map<String, String> matrix, Val<String> runVal, String agent, boolean known) {
        java.util.function.Function<String, String> loadTime = loadTime(matrix);
        if (runVal != null) {
            count(runVal.node(), larger(runVal.value(), loadTime),
                    e.raw.run == null ? "defaults.run" : "the run of ticket '" + e.group + "'",
                    "put the script in a file in the repository and run that file");
        }
        String hint = "put the value in a file and pass its path";
        Profile profile = known ? spec.agents.get(agent) : null;
        Map<String, Val<String>> env = new LinkedHashMap<>();
        Map<String, String> what = new HashMap<>();
        if (profile != null && profile.env() != null) profile.env().forEach((k, v) -> {
            env.put(k, v);
            what.put(k, "env " + k + " of agent '" + agent + "'");
        });
        if (spec.defaults.env != null) spec.defaults.env.forEach((k, v) -> {
            env.put(k, v);
            what.put(k, "defaults.env." + k);
        });
        if (e.raw.env != null) e.raw.env.forEach((k, v) -> {
            env.put(k, v);
            what.put(k, "env " + k + " of ticket '" + e.group + "'");
        });
        env.forEach((k, v) -> count(v.node(), Templates.utf8Length(k, 0, k.length()) + larger(v.value(), loadTime), what.get(k), hint));
    }

    /** UTF-8 bytes of {@code text} as written or rendered with {@code loadTime}, whichever is larger, without rendering it. */
    private long larger(String text, java.util.function.Function<String, String> loadTime) {
        Templates.Scan scan = scan(text);
        return Math.max(scan.bytes, scan.renderedBytes(loadTime, this::bytesOf));
    }

    /** Adds {@code bytes} of the text at {@code node} (null: one made by swarm, such as a matrix ticket's title) to {@link #planBytes}. */
    private void count(Node node, long bytes, String what, String hint) {
        planBytes += bytes;
        if (node == null) return;
        Copies c = copies.computeIfAbsent(node, n -> {
            Copies first = new Copies(n, what, hint);
            copiesInOrder.add(first);
            return first;
        });
        c.largest = Math.max(c.largest, bytes);
        c.count++;
        c.total += bytes;
    }

    /**
     * Reports that the tickets built so far, up to {@code e}, hold more than {@link #MAX_PLAN_BYTES}, at the text of the spec
     * that adds the most: the one copied into many tickets.
     */
    private void reportPlanSize(Expanded e) {
        planTooLarge = true;
        Copies c = null;
        for (Copies each : copiesInOrder) if (c == null || each.total > c.total) c = each;
        String size = "the plan's tickets hold too much text: their scripts, environment variables and titles come to "
                + Units.sizeAndLimit(planBytes, MAX_PLAN_BYTES) + String.format(Locale.ROOT, " (passed at ticket '%s', %,d of %,d)",
                        e.id, e.index + 1, expanded.size());
        if (c == null) {
            problems.at(e.raw.node, size, "use fewer tickets, or split the swarm into several specs");
            return;
        }
        String anchor = c.node.getAnchor() == null ? "" : " (the text anchored as &" + c.node.getAnchor() + ", which its aliases copy)";
        String copied = c.count == 1 ? Units.human(c.largest)
                : String.format(Locale.ROOT, "%s%s copied into each of %,d tickets, %s in all",
                        c.total == c.largest * c.count ? "" : "up to ", Units.human(c.largest), c.count, Units.human(c.total));
        problems.at(c.node, size + "; the most is " + c.what + anchor + ": " + copied,
                c.hint + ", or use fewer tickets (each ticket stores its own copy)");
    }

    /** The values a text has when the spec is loaded: variables, matrix values (null outside a matrix ticket), swarm's environment. */
    private java.util.function.Function<String, String> loadTime(Map<String, String> matrix) {
        return expr -> expr.startsWith("vars.") ? vars.get(expr.substring(5))
                : expr.startsWith("matrix.") && matrix != null ? matrix.get(expr.substring(7))
                : expr.startsWith("env.") ? environment.apply(expr.substring(4)) : null;
    }

    /** UTF-8 bytes of a value substituted into a text, counted once per distinct value. */
    private long bytesOf(String value) {
        return valueBytes.computeIfAbsent(value, v -> Templates.utf8Length(v, 0, v.length()));
    }

    /** {@code text} scanned ({@link Templates.Scan}): once per distinct text, however many tickets it is copied into. */
    Templates.Scan scan(String text) {
        return scans.computeIfAbsent(text, t -> {
            scansMade++;
            return Templates.scan(t);
        });
    }

    private int scansMade;

    /** How many texts this builder scanned ({@link #scan}): a test's view of the work done. */
    int scansMade() {
        return scansMade;
    }

    /**
     * Reports a shell ticket's script, environment variable, or both together, that execve(2) would refuse (E2BIG) when
     * the attempt starts: sizes in UTF-8 bytes with variables and matrix values substituted (outputs and the run id are
     * counted as the references written, so a large output can still pass the limit then, and the launcher says so).
     */
    private void checkLaunchSize(Expanded e, Map<String, String> matrix, Val<String> runVal, String agent) {
        java.util.function.Function<String, String> loadTime = loadTime(matrix);
        long total = 0;
        if (runVal != null) {
            long script = scan(runVal.value()).renderedBytes(loadTime, this::bytesOf);
            total += script + 1;
            if (script > SpecLoader.MAX_SCRIPT_BYTES) {
                problems.at(runVal.node(), "the script of ticket '" + e.id + "' is " + Units.sizeAndLimit(script, SpecLoader.MAX_SCRIPT_BYTES)
                                + " (it reaches bash in one environment variable, and Linux passes at most 128 KiB in one)",
                        "put the script in a file in the repository and run that file");
            }
        }
        Map<String, Val<String>> env = new LinkedHashMap<>();
        Profile profile = spec.agents.get(agent);
        if (profile != null && profile.env() != null) env.putAll(profile.env());
        if (spec.defaults.env != null) env.putAll(spec.defaults.env);
        if (e.raw.env != null) env.putAll(e.raw.env);
        for (Map.Entry<String, Val<String>> v : env.entrySet()) {
            long bytes = Templates.utf8Length(v.getKey(), 0, v.getKey().length()) + 1
                    + scan(v.getValue().value()).renderedBytes(loadTime, this::bytesOf);
            total += bytes + 1;
            if (bytes > SpecLoader.MAX_ENV_VARIABLE_BYTES) {
                problems.at(v.getValue().node(), "environment variable " + v.getKey() + " of ticket '" + e.id + "' is "
                                + Units.sizeAndLimit(bytes, SpecLoader.MAX_ENV_VARIABLE_BYTES) + " (Linux passes at most 128 KiB in one variable)",
                        "put the value in a file and pass its path");
            }
        }
        if (total > SpecLoader.MAX_LAUNCH_BYTES) {
            problems.at(e.raw.node, "the script and environment of ticket '" + e.id + "' are " + Units.sizeAndLimit(total, SpecLoader.MAX_LAUNCH_BYTES)
                            + " in all (Linux passes about 2 MiB of arguments and environment, part of it the launcher's)",
                    "put large scripts and values in files");
        }
    }

    /** A duration as the spec writes it ({@code 1m}), else in milliseconds. */
    private static String written(Val<Long> duration) {
        return duration.node() instanceof ScalarNode s ? s.getValue() : duration.value() + "ms";
    }

    private static boolean insideWorkspace(String file) {
        if (file.isBlank() || file.startsWith("/") || file.startsWith("\\") || file.contains("\0")) return false;
        // no '..' at all, as docs/spec.md says: sub/../x named x through a directory the ticket may swap for a link
        if (java.util.Arrays.asList(file.split("/", -1)).contains("..")) return false;
        try {
            Path p = Path.of(file);
            return !p.isAbsolute() && !p.normalize().startsWith("..") && !p.normalize().toString().isEmpty();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private RetryPolicy retries(Fields ticketFields, Fields defaultFields, String ticket) {
        Retries own = ticketFields.retries;
        Retries defaults = defaultFields.retries;
        if (own == null && defaults == null) return RetryPolicy.NONE;
        Retries o = own != null ? own : new Retries(null, null, null, null, null);
        Retries d = defaults != null ? defaults : new Retries(null, null, null, null, null);
        RetryPolicy base = RetryPolicy.NONE;
        // a bound written wrongly (reported) is unknown, not unset: it neither gives way to the other bound nor falls
        // back to defaults' (whose comparison with the other bound would be a second error, about a value not in force)
        if (unknownBound(o.initial(), d.initial(), "retries.initial", ticketFields, defaultFields)
                || unknownBound(o.maxBackoff(), d.maxBackoff(), "retries.backoff.max", ticketFields, defaultFields)) {
            return base;
        }
        Val<Long> initial = o.initial() != null ? o.initial() : d.initial();
        Val<Long> max = o.maxBackoff() != null ? o.maxBackoff() : d.maxBackoff();
        // a bound left unset gives way to the one set: {max: 500ms} starts at 500ms, {initial: 2m} is capped at 2m
        long initialMillis = initial != null ? initial.value() : Math.min(base.initialMillis(), max != null ? max.value() : Long.MAX_VALUE);
        long maxMillis = max != null ? max.value() : Math.max(base.maxMillis(), initialMillis);
        if (initialMillis > maxMillis) {
            // both are set here (an unset one gives way): each as written, and where max is when it is not beside initial
            boolean apart = (o.initial() != null) != (o.maxBackoff() != null);
            problems.at(initial.node(), "backoff initial " + written(initial) + " is longer than backoff max " + written(max)
                            + (apart ? " (" + (max == d.maxBackoff() ? "in defaults.retries" : "in the retries of ticket '" + ticket + "'")
                                    + ", line " + (max.node().getStartMark().getLine() + 1) + ")" : ""),
                    "raise max or lower initial");
            return base;
        }
        return new RetryPolicy(first(o.max(), d.max(), 0), initialMillis, maxMillis,
                first(o.multiplier(), d.multiplier(), base.multiplier()));
    }

    /** Whether a backoff bound in force is one written wrongly: the ticket's own, or, when it sets none, defaults'. */
    private static boolean unknownBound(Val<Long> own, Val<Long> defaults, String key, Fields ticket, Fields defaultFields) {
        if (own != null) return false;
        return ticket.miswritten(key) || (defaults == null && defaultFields.miswritten(key));
    }

    // ---- ordering --------------------------------------------------------------------------

    /** Kahn's algorithm, ready tickets taken in spec order; null (and cycles reported) when there is a cycle. */
    private List<Expanded> topologicalOrder() {
        int n = expanded.size();
        int[] missing = new int[n];
        List<List<Integer>> dependents = new ArrayList<>();
        for (int i = 0; i < n; i++) dependents.add(new ArrayList<>());
        for (Expanded e : expanded) {
            missing[e.index] = e.deps.size();
            for (int dep : e.deps) dependents.get(dep).add(e.index);
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) if (missing[i] == 0) ready.add(i);
        List<Expanded> order = new ArrayList<>(n);
        ordered = order;
        BitSet done = new BitSet(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(expanded.get(i));
            done.set(i);
            for (int dependent : dependents.get(i)) if (--missing[dependent] == 0) ready.add(dependent);
        }
        if (order.size() == n) {
            for (Expanded e : order) {
                List<String> needs = new ArrayList<>();
                for (int dep : e.deps) needs.add(expanded.get(dep).id);
                e.planned = withNeeds(e.planned, needs);
            }
            return order;
        }
        reportCycles(done);
        return null;
    }

    private static PlannedTicket withNeeds(PlannedTicket t, List<String> needs) {
        if (t == null) return null;
        return new PlannedTicket(t.id(), t.title(), needs, t.agent(), t.run(), t.env(), t.timeoutMillis(), t.retries(),
                t.priority(), t.when(), t.approval(), t.workspace(), t.network(), t.outputs(), t.matrix(), t.group(),
                t.durationMillis());
    }

    /** Ids shown of a long cycle, or of the tickets of a large strongly connected component, before the rest is counted. */
    static final int CYCLE_IDS_SHOWN = 10;

    /**
     * Reports the tickets Kahn could not order: one error per strongly connected component (tickets that all need each
     * other, directly or not), with one shortest example cycle through its first ticket in spec order. Tarjan's
     * algorithm ("Depth-first search and linear graph algorithms", SIAM J. Comput. 1(2), 1972), iterative, then a
     * breadth-first search inside each component: time and memory linear in tickets plus needs, however many cycles
     * overlap.
     */
    private void reportCycles(BitSet done) {
        int n = expanded.size();
        List<int[]> deps = new ArrayList<>(n);
        for (Expanded e : expanded) deps.add(e.deps.stream().mapToInt(Integer::intValue).filter(d -> !done.get(d)).toArray());
        int[] index = new int[n];
        int[] low = new int[n];
        int[] edge = new int[n];
        java.util.Arrays.fill(index, -1);
        BitSet onStack = new BitSet(n);
        int[] stack = new int[n];
        int stackSize = 0;
        int[] call = new int[n];
        int next = 0;
        for (int root = 0; root < n; root++) {
            if (done.get(root) || index[root] >= 0) continue;
            int depth = 0;
            call[depth++] = root;
            index[root] = low[root] = next++;
            stack[stackSize++] = root;
            onStack.set(root);
            while (depth > 0) {
                int v = call[depth - 1];
                if (edge[v] < deps.get(v).length) {
                    int w = deps.get(v)[edge[v]++];
                    if (index[w] < 0) {
                        index[w] = low[w] = next++;
                        stack[stackSize++] = w;
                        onStack.set(w);
                        call[depth++] = w;
                    } else if (onStack.get(w)) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                depth--;
                if (depth > 0) low[call[depth - 1]] = Math.min(low[call[depth - 1]], low[v]);
                if (low[v] == index[v]) {
                    List<Integer> component = new ArrayList<>();
                    int w;
                    do {
                        w = stack[--stackSize];
                        onStack.clear(w);
                        component.add(w);
                    } while (w != v);
                    if (component.size() > 1) reportCycle(component, deps);
                }
            }
        }
    }

    /** One error for a strongly connected {@code component}: a shortest cycle through its first ticket, and its size. */
    private void reportCycle(List<Integer> component, List<int[]> deps) {
        int first = component.stream().mapToInt(Integer::intValue).min().orElseThrow();
        BitSet members = new BitSet(expanded.size());
        component.forEach(members::set);
        // breadth-first from the first ticket along its needs, inside the component, until a need leads back to it
        Map<Integer, Integer> parent = new HashMap<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(first));
        parent.put(first, -1);
        int last = -1;
        while (!queue.isEmpty() && last < 0) {
            int v = queue.poll();
            for (int w : deps.get(v)) {
                if (w == first) {
                    last = v;
                    break;
                }
                if (members.get(w) && parent.putIfAbsent(w, v) == null) queue.add(w);
            }
        }
        List<String> cycle = new ArrayList<>();
        for (int v = last; v != -1; v = parent.get(v)) cycle.add(expanded.get(v).id);
        java.util.Collections.reverse(cycle);
        cycle.add(expanded.get(first).id);
        String text = "dependency cycle: " + abbreviatedPath(cycle);
        if (component.size() > cycle.size() - 1) {
            List<String> ids = new ArrayList<>();
            for (int i = members.nextSetBit(0); i >= 0 && ids.size() < CYCLE_IDS_SHOWN; i = members.nextSetBit(i + 1)) {
                ids.add(expanded.get(i).id);
            }
            String more = component.size() > ids.size() ? String.format(Locale.ROOT, " and %,d more", component.size() - ids.size()) : "";
            text = String.format(Locale.ROOT, "dependency cycles among %,d tickets (%s%s), for example %s", component.size(),
                    String.join(", ", ids), more, abbreviatedPath(cycle));
        }
        problems.at(expanded.get(first).raw.node, text,
                component.size() > cycle.size() - 1
                        ? "remove needs until none of these tickets needs itself, directly or through others"
                        : "remove one of these needs");
    }

    /** {@code a -> b -> c -> a}; a long cycle keeps its first ids and its last, with a count of those left out. */
    private static String abbreviatedPath(List<String> cycle) {
        if (cycle.size() <= 2 * CYCLE_IDS_SHOWN) return String.join(" -> ", cycle);
        int hidden = cycle.size() - CYCLE_IDS_SHOWN - 2;
        return String.join(" -> ", cycle.subList(0, CYCLE_IDS_SHOWN))
                + String.format(Locale.ROOT, " -> (%,d more) -> ", hidden)
                + String.join(" -> ", cycle.subList(cycle.size() - 2, cycle.size()));
    }

    // ---- references ------------------------------------------------------------------------

    /**
     * Checks every reference and records output references for {@link #checkOutputReferences()}; substitutes
     * vars and matrix values in load-time texts. Run-time texts ({@code run}, {@code env}) are returned as
     * they are, for the engine to render in one pass.
     */
    private String render(Val<String> val, Scope scope) {
        String text = val.value();
        Templates.Scan scan = scan(text);
        List<Integer> openings = scan.openings;
        for (int offset : scan.malformed) {
            String start = text.substring(offset, Math.min(text.length(), offset + 24)).lines().findFirst().orElse("");
            Mark mark = val.node() instanceof ScalarNode s
                    ? source.openingMark(s, java.util.Collections.binarySearch(openings, offset), openings.size()) : val.node().getStartMark();
            String shown = "'" + start + (text.length() > offset + start.length() ? "...'" : "'") + " in " + scope.where();
            java.util.regex.Matcher nested = NESTED.matcher(text).region(offset, text.length());
            if (nested.lookingAt()) {
                // ${{ tickets.build-${{ matrix.os }}.outputs.x }}: ids and names are fixed when the spec is loaded
                problems.at(mark, shown + " is not a complete reference: a reference cannot contain another reference",
                        "write the ids and names in a reference as they are; " + (nested.group(1).startsWith("matrix.")
                                ? "a matrix ticket cannot read the outputs of the matching expansion of another one (see "
                                        + "matrix in docs/spec.md for how to hand results over)"
                                : "compose texts from whole references, such as ${{ vars.a }}-${{ vars.b }}"));
                continue;
            }
            problems.at(mark, shown + " is not a complete reference",
                    "write ${{ vars.NAME }} (or matrix.NAME, tickets.ID.outputs.NAME, run.id), or $${{ for a literal ${{");
        }
        Map<String, String> values = renderReferences(scan, val, scope);
        // run and env keep their references: the engine renders them in one pass (vars, matrix, outputs, run.id),
        // as a second pass over text with values in it could read a value's trailing '$' and the text after it
        // as '${{' (or as an escaped '$${{')
        if (scope.runtime()) return text;
        long size = scan.renderedBytes(values::get, this::bytesOf);
        if (size > MAX_PLAN_BYTES) { // not built: a short text of many references to a long variable could fill the memory
            problems.at(val.node(), "the " + scope.where() + " with variables and matrix values substituted would be "
                    + Units.sizeAndLimit(size, MAX_PLAN_BYTES) + " for the texts of all tickets together",
                    "use fewer or shorter variables in it");
            return text;
        }
        return scan.render(values::get);
    }

    /**
     * Reports each <code>${{</code> (not escaped) in a text that is used as written, where it would otherwise stay
     * literal: a spec that validates would not get the substitution it asks for (a json key then never matches).
     */
    private void noReferences(Val<String> val, String where) {
        noReferences(val, where, "write the text itself, or $${{ for a literal ${{");
    }

    /** As {@link #noReferences(Val, String)}, with {@code hint} saying how to fix it. */
    private void noReferences(Val<String> val, String where, String hint) {
        if (!val.value().contains("${{")) return; // most values (every matrix value, say): nothing to scan or keep
        List<Integer> openings = scan(val.value()).openings;
        for (int i = 0; i < openings.size(); i++) {
            int offset = openings.get(i);
            String start = val.value().substring(offset, Math.min(val.value().length(), offset + 24)).lines().findFirst().orElse("");
            Mark mark = val.node() instanceof ScalarNode s ? source.openingMark(s, i, openings.size()) : val.node().getStartMark();
            problems.at(mark, "'" + start + (val.value().length() > offset + start.length() ? "...'" : "'")
                    + " in " + where + " is not substituted: references work only in run, env, title, repo and output file paths",
                    hint);
        }
    }

    /** A text checked by {@link #noReferences}: each <code>$${{</code> becomes <code>${{</code>, as in every other text. */
    private static String literal(String text) {
        return Templates.render(text, expr -> null);
    }

    /** Checks the references of {@code val}'s text ({@code scan}); returns the values of those known when it is loaded. */
    private Map<String, String> renderReferences(Templates.Scan scan, Val<String> val, Scope scope) {
        List<Templates.Reference> refs = scan.references;
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < refs.size(); i++) {
            String expr = refs.get(i).expression();
            if (values.containsKey(expr)) continue; // a variable or matrix value found for an earlier reference: the same again
            Mark mark = val.node() instanceof ScalarNode s ? source.referenceMark(s, i, refs.size()) : val.node().getStartMark();
            String[] parts = expr.split("\\.", -1);
            String shown = "'${{ " + expr + " }}'";
            if (parts[0].equals("vars") && parts.length == 2) {
                String v = vars.get(parts[1]);
                if (v != null) {
                    values.put(expr, v);
                } else if (spec.miswrittenVars == null || spec.miswrittenVars.contains(parts[1])) {
                    continue; // its declaration is reported: not a second error
                } else {
                    problems.at(mark, "unknown variable '" + parts[1] + "' in " + shown,
                            problems.didYouMean(parts[1], vars.keySet(), "declare it under vars:"));
                }
            } else if (parts[0].equals("matrix") && parts.length == 2) {
                String of = scope.defaults() ? " (in defaults, for ticket '" + scope.ticket().group + "')" : "";
                if (scope.matrix() == null && scope.ticket() != null && scope.ticket().raw.miswritten("matrix")) {
                    continue; // 'matirx:' (reported): not a second error
                } else if (scope.ticket() != null && scope.ticket().matrixKeysUnknown) {
                    values.put(expr, parts[1]); // a matrix that is not a mapping (reported): its keys are unknown
                } else if (scope.matrix() == null) {
                    problems.at(mark, shown + " is used outside a matrix ticket" + of, "add a matrix: to the ticket or remove the reference");
                } else if (!scope.matrix().containsKey(parts[1])) {
                    problems.at(mark, "unknown matrix key '" + parts[1] + "' in " + shown + of,
                            problems.didYouMean(parts[1], scope.matrix().keySet(), "matrix keys: " + String.join(", ", scope.matrix().keySet())));
                } else {
                    values.put(expr, scope.matrix().get(parts[1]));
                }
            } else if (expr.equals("run.id")) {
                if (!scope.runtime()) {
                    problems.at(mark, shown + " is not available in " + scope.where(), "use it in run or env");
                }
            } else if (parts[0].equals("env") && parts.length == 2) {
                if (!scope.where().equals("env") && !scope.where().equals("agents' env")) {
                    String name = ENV_NAME.matcher(parts[1]).matches() ? suggestedEnvName(parts[1]) : "NAME";
                    problems.at(mark, shown + " is available only in env: values, never in " + scope.where() + " (a script's text "
                                    + "shows in the process list and the stored plan)",
                            "pass it through env instead: env: {" + name + ": \"${{ env." + parts[1] + " }}\"}, then \"$" + name
                                    + "\" in run");
                } else if (!ENV_NAME.matcher(parts[1]).matches()) {
                    problems.at(mark, "'" + parts[1] + "' in " + shown + " is not an environment variable name",
                            "use letters, digits and '_', not starting with a digit");
                } else if (environment.apply(parts[1]) == null) {
                    problems.at(mark, "environment variable " + parts[1] + " is not set, which " + shown + " passes to the ticket",
                            "export " + parts[1] + " before running swarm (its value is read when an attempt starts and is "
                                    + "never stored), or remove the reference");
                }
            } else if (parts[0].equals("tickets") && parts.length == 4 && parts[2].equals("outputs")) {
                if (!scope.runtime() || scope.ticket() == null) {
                    problems.at(mark, "outputs of other tickets are not available in " + scope.where(),
                            "use them in a ticket's run or env");
                } else {
                    pending.add(new PendingOutputRef(scope.ticket(), parts[1], parts[3], mark, shown));
                    if (scope.where().equals("run") && scope.runs()) {
                        // the value becomes script text: a quote, ';' or $(...) in it runs as shell code, and outputs are
                        // what other tickets wrote (agents among them), not the spec's author
                        String name = suggestedEnvName(parts[3].toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_]", "_"));
                        problems.warnAt(mark, "ticket '" + scope.ticket().group + "' pastes " + shown + " into its run script, "
                                + "where a quote, ';' or '$(...)' in the output would run as shell code",
                                "pass it through env instead: env: {" + name + ": \"${{ " + expr + " }}\"}, then \"$" + name
                                        + "\" in run");
                    }
                }
            } else {
                String guess = referenceGuess(parts);
                problems.at(mark, "unknown reference " + shown, guess != null ? "did you mean '${{ " + guess + " }}'?" : REFERENCE_HINT);
            }
        }
        return values;
    }

    /**
     * The variable name a "pass it through env" hint suggests for {@code name}: {@code name} itself when a spec's
     * {@code env} may set it, else {@code MY_} before it (HOME and the SWARM_ variables swarm sets are refused in
     * {@code env}, and a name cannot start with a digit), lest following the hint give another error.
     */
    private static String suggestedEnvName(String name) {
        return SpecReader.SWARM_ENV.contains(name) || !ENV_NAME.matcher(name).matches() ? "MY_" + name : name;
    }

    /**
     * A reference of a known form that {@code parts} (the expression split at dots) spells nearly: its first word (and
     * {@code outputs}) within the edit distance {@link Problems#closest} allows, with the number of parts of that form;
     * null when there is none, or when nothing would change.
     */
    private String referenceGuess(String[] parts) {
        String head = problems.closest(parts[0], List.of("vars", "matrix", "tickets", "run", "env"));
        if (head == null) return null;
        String[] fixed = parts.clone();
        fixed[0] = head;
        switch (head) {
            case "vars", "matrix", "env" -> {
                if (parts.length != 2 || parts[1].isEmpty()) return null;
            }
            case "run" -> {
                if (parts.length != 2 || problems.closest(parts[1], List.of("id")) == null) return null;
                fixed[1] = "id";
            }
            default -> { // tickets.ID.outputs.NAME
                if (parts.length != 4 || parts[1].isEmpty() || parts[3].isEmpty()) return null;
                String outputs = problems.closest(parts[2], List.of("outputs"));
                if (outputs == null) return null;
                fixed[2] = outputs;
            }
        }
        String guess = String.join(".", fixed);
        return guess.equals(String.join(".", parts)) ? null : guess;
    }

    private void checkOutputReferences() {
        List<PendingOutputRef> concrete = new ArrayList<>();
        List<Integer> targetIndex = new ArrayList<>();
        for (PendingOutputRef ref : pending) {
            Expanded from = ref.ticket();
            List<Integer> targets = names.get(ref.target());
            if ((targets == null || targets.isEmpty()) && ofLeftOut(ref.target())) continue;
            if (targets == null) {
                problems.at(ref.mark(), "unknown ticket '" + ref.target() + "' in " + ref.expression(),
                        suggestTicket(ref.target(), from.group, expansionsHint(ref.target(), from.group, "check the id")));
                continue;
            }
            if (matrixGroups.contains(ref.target())) {
                String example = targets.isEmpty() ? ref.target() + "-a" : expanded.get(targets.get(0)).id;
                problems.at(ref.mark(), "'" + ref.target() + "' is a matrix ticket; " + ref.expression() + " must name one of its expansions",
                        "use an expanded id such as " + example);
                continue;
            }
            if (from.index < 0) continue; // a ticket left out of the plan has no needs to check against
            concrete.add(ref);
            targetIndex.add(targets.get(0));
        }
        BitSet needed = needed(concrete, targetIndex);
        for (int i = 0; i < concrete.size(); i++) {
            PendingOutputRef ref = concrete.get(i);
            Expanded from = ref.ticket();
            Expanded target = expanded.get(targetIndex.get(i));
            if (!needed.get(i) && target.raw == from.raw) { // needing itself would be a cycle: "add it to needs" cannot help
                problems.at(ref.mark(), "ticket '" + from.group + "' reads outputs of '" + target.id + "', "
                                + (matrixGroups.contains(from.group) ? "one of its own expansions" : "its own") + ", which exist only once it has run",
                        "remove the reference, or read them in another ticket that needs " + target.id);
                continue;
            }
            if (!needed.get(i) && from.raw.miswritten("needs")) continue; // its needs are reported: not a second error
            if (!needed.get(i)) {
                problems.at(ref.mark(), "ticket '" + from.group + "' reads outputs of '" + target.id + "', which it does not need",
                        "add " + target.id + " to needs");
                continue;
            }
            if (outputUnknowable(target.raw, ref.output())) continue;
            Set<String> declared = new LinkedHashSet<>(target.planned == null ? Set.of() : target.planned.outputs().keySet());
            boolean noop = target.planned != null && profiles.get(target.planned.agent()) instanceof AgentProfile p
                    && p.kind().equals("noop");
            if (target.planned != null && target.planned.workspace() == WorkspaceMode.WORKTREE) {
                if (noop && WORKTREE_OUTPUTS.contains(ref.output())) { // a noop attempt leaves its worktree as it is, uncommitted
                    problems.at(ref.mark(), "ticket '" + target.id + "' has no output '" + ref.output() + "': noop agents make no "
                            + "commit in their worktree", "read " + ref.output() + " of a shell ticket with workspace: worktree");
                    continue;
                }
                declared.addAll(WORKTREE_OUTPUTS);
            }
            if (target.planned != null && !declared.contains(ref.output()) && WORKTREE_OUTPUTS.contains(ref.output())) {
                // declaring it would not help: the workspace is what is wrong
                problems.at(ref.mark(), "'" + ref.output() + "' is set only for workspace: worktree tickets; " + target.id
                                + " runs in workspace " + target.planned.workspace().name().toLowerCase(Locale.ROOT),
                        "set workspace: worktree on " + target.group + " to read its " + ref.output());
            } else if (target.planned != null && !declared.contains(ref.output())) {
                problems.at(ref.mark(), "ticket '" + target.id + "' has no output '" + ref.output() + "'",
                        problems.didYouMean(ref.output(), declared, "declare it under outputs: of " + target.group));
            }
        }
    }

    /**
     * Whether ticket {@code raw}'s output {@code name} may exist for all that can be told, because what would decide it
     * was written wrongly (reported): its outputs, that output (refused there, or later for its path), or, for an output
     * of worktree tickets, its workspace (its own, or defaults' when it sets none). A reference to it then gets no error
     * of its own: "has no output" would be a second error, with a wrong fix.
     */
    private boolean outputUnknowable(Fields raw, String name) {
        if (raw.miswritten("outputs") || raw.miswritten("outputs." + name)) return true;
        if (raw.outputs != null && raw.outputs.containsKey(name)) return true; // declared, refused when building the ticket
        return WORKTREE_OUTPUTS.contains(name) && (miswritten(raw, raw.workspace, "workspace") || miswritten(raw, raw.agent, "agent"));
    }

    /** Whether ticket {@code raw}'s {@code key} ({@code own} its value) is written wrongly, or unset and wrong in defaults. */
    private boolean miswritten(Fields raw, Val<?> own, String key) {
        return own == null && (raw.miswritten(key) || spec.defaults.miswritten(key));
    }

    /**
     * For each reference {@code i}, whether {@code targets.get(i)} is among the tickets {@code refs.get(i)}'s ticket needs,
     * directly or not. A ticket in or after a cycle (reported) counts as needing everything. The tickets read from get a
     * bit each, 64 at a time: one pass over the tickets in topological order ORs each ticket's bits into those that need
     * it. Time is (tickets + needs) x (tickets read from / 64), memory one long per ticket, however the references are
     * spread (one ancestor set per reading ticket took memory quadratic in the tickets).
     */
    private BitSet needed(List<PendingOutputRef> refs, List<Integer> targets) {
        BitSet result = new BitSet(refs.size());
        Map<Integer, Integer> slot = new LinkedHashMap<>();
        for (int target : targets) slot.putIfAbsent(target, slot.size());
        List<Integer> slotTarget = new ArrayList<>(slot.keySet());
        List<List<Integer>> refsBySlotChunk = new ArrayList<>();
        for (int c = 0; c * 64 < slotTarget.size(); c++) refsBySlotChunk.add(new ArrayList<>());
        BitSet inOrder = new BitSet(expanded.size());
        for (Expanded e : ordered) inOrder.set(e.index);
        for (int i = 0; i < refs.size(); i++) {
            if (!inOrder.get(refs.get(i).ticket().index)) result.set(i);
            else refsBySlotChunk.get(slot.get(targets.get(i)) / 64).add(i);
        }
        int[][] deps = new int[expanded.size()][];
        for (Expanded e : expanded) deps[e.index] = e.deps.stream().mapToInt(Integer::intValue).toArray();
        long[] reach = new long[expanded.size()]; // bit k: the chunk's k-th ticket read from is this one or one it needs
        for (int c = 0; c < refsBySlotChunk.size(); c++) {
            if (refsBySlotChunk.get(c).isEmpty()) continue;
            java.util.Arrays.fill(reach, 0L);
            for (int k = c * 64; k < Math.min(slotTarget.size(), (c + 1) * 64); k++) reach[slotTarget.get(k)] |= 1L << (k - c * 64);
            for (Expanded e : ordered) {
                long bits = reach[e.index];
                for (int d : deps[e.index]) bits |= reach[d];
                reach[e.index] = bits;
            }
            for (int i : refsBySlotChunk.get(c)) {
                long up = 0;
                for (int d : deps[refs.get(i).ticket().index]) up |= reach[d];
                if ((up >>> (slot.get(targets.get(i)) - c * 64) & 1L) != 0) result.set(i);
            }
        }
        return result;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static <T> T first(Val<T> own, Val<T> fallback, T otherwise) {
        if (own != null) return own.value();
        if (fallback != null) return fallback.value();
        return otherwise;
    }

    private static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }
}
