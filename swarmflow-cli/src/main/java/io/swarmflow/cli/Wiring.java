package io.swarmflow.cli;

import io.swarmflow.agent.Executor;
import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.engine.RunService;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.sql.SqlRunStore;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds the store, the executor and the {@link RunService} for a command; closes them. */
final class Wiring implements AutoCloseable {
    /** Name of the database file inside the state directory. */
    static final String DB_FILE = "swarm.db";

    final Path stateDir;
    final RunStore store;
    final Executor executor;
    final RunService service;

    private Wiring(Path stateDir, RunStore store, Executor executor) {
        this.stateDir = stateDir;
        this.store = store;
        this.executor = executor;
        this.service = new RunService(store, executor, "the state directory " + stateDir, stateDir.resolve(DB_FILE));
    }

    /**
     * Points JNA at a directory only this user can write to for its native library ({@link
     * io.swarmflow.sandbox.JnaTempDir#ownerOnly}): called by {@link SwarmCli#main} before anything loads JNA.
     */
    static void jnaOwnerOnly() {
        io.swarmflow.sandbox.JnaTempDir.ownerOnly();
    }

    /**
     * Which files a repository's {@code HEAD} commit holds, for the spec loader ({@link
     * io.swarmflow.spec.SpecLoader#withCommittedFiles}): git's answer ({@link io.swarmflow.git.GitWorktrees#filesInHead}).
     */
    /**
     * The filter drivers a git started in {@code dir} would run ({@link io.swarmflow.git.GitWorktrees#filterDrivers}).
     *
     * @throws java.io.IOException with git's reason when they cannot be listed (git missing or failing, or not done
     *                             within {@code deadline})
     */
    static java.util.List<String> filterDrivers(Path dir, java.time.Duration deadline) throws java.io.IOException {
        try {
            return io.swarmflow.git.GitWorktrees.filterDrivers(dir, deadline);
        } catch (io.swarmflow.git.GitException e) {
            throw new java.io.IOException(e.getMessage(), e);
        }
    }

    /** Why {@code git -c} cannot name filter driver {@code driver} ({@link io.swarmflow.git.GitWorktrees#whyFilterDriverCannotBeNamed}). */
    static java.util.Optional<String> whyFilterDriverCannotBeNamed(String driver) {
        return io.swarmflow.git.GitWorktrees.whyFilterDriverCannotBeNamed(driver);
    }

    static io.swarmflow.spec.CommittedFiles committedFiles() {
        return io.swarmflow.git.GitWorktrees::filesInHead;
    }

    /**
     * Why git must not be suggested in a ticket's kept {@code worktree} of {@code repo} ({@code
     * GitWorktrees.whyGitIsUnsafeIn}): its {@code .git} is not git's own (a lost attempt's worktree keeps whatever the
     * ticket left there), or it holds repositories the ticket made; empty when git may be suggested there.
     */
    static java.util.Optional<String> whyGitIsUnsafeIn(Path repo, Path worktree) {
        return repo == null ? java.util.Optional.of("its repository is not recorded")
                : io.swarmflow.git.GitWorktrees.whyGitIsUnsafeIn(repo, worktree);
    }

    /** How {@code swarm resume --take-over} signals a coordinator: kill(2) on a pinned process ({@code Kill.signalProcess}). */
    static io.swarmflow.engine.StalledCoordinatorTakeOver.Signaller coordinatorSignaller() {
        return io.swarmflow.sandbox.Kill::signalProcess;
    }

    /**
     * Why whether the process group of {@code attempt} (its recorded pid and start ticks) still runs cannot be told here
     * ({@code ProcessGroups.orphanGroupUncheckable}: a {@code /proc} of another PID namespace, a pid it hides, a process
     * of another time namespace), or null when it can; null as well when no process was recorded.
     */
    static String orphanUncheckable(io.swarmflow.store.AttemptView attempt) {
        return attempt.pid() <= 0 ? null : io.swarmflow.sandbox.ProcessGroups.orphanGroupUncheckable(attempt.pid(),
                attempt.startTicks(), io.swarmflow.engine.Owners.timeNamespaceOf(attempt.coordinator()));
    }

    /**
     * An executor alone (for validation and preflight, before any state exists). Its warnings go to {@code warnings}
     * as {@code swarm: warning: ...} lines with their control characters made visible ({@link
     * io.swarmflow.cli.view.Printable#of}): they carry text a ticket chooses (the names of nested repositories it made,
     * the command lines of processes it left running), which must not set the clipboard or the window title.
     */
    static Executor executor(Path stateDir, PrintStream warnings) {
        return EnvironmentEncoding.guard(new LocalExecutor(LocalExecutor.Options.of(stateDir, warningsTo(warnings))));
    }

    /** Prints each warning to {@code warnings} as one {@code swarm: warning: ...} line, control characters made visible. */
    static java.util.function.Consumer<String> warningsTo(PrintStream warnings) {
        return w -> warnings.println(io.swarmflow.cli.view.Printable.of("swarm: warning: " + w));
    }

    /**
     * What agents run under here, for {@code swarm version} and bug reports: the sandbox ({@code sandbox
     * bubblewrap 0.8.0 (/usr/bin/bwrap)}, or why bubblewrap is not usable) and the process launcher.
     */
    static List<String> agentEnvironment() {
        io.swarmflow.sandbox.Bubblewrap.Status bwrap = io.swarmflow.sandbox.Bubblewrap.probe();
        return List.of(bwrap.usable() ? "sandbox " + bwrap.version() + " (" + bwrap.path() + ")"
                        : "sandbox: bubblewrap not usable: " + bwrap.problem(),
                "launcher " + io.swarmflow.sandbox.Sandbox.launcherDescription());
    }

    /**
     * What is wrong with the first of {@code path} and its ancestors that is a symbolic link leading nowhere: {@code "L is a
     * symbolic link to T, which does not exist"} (its real path cannot be found: NoSuchFileException), or {@code "L is in
     * a loop of symbolic links (L -> T1 -> T2 -> T1)"} (ELOOP); null when there is none.
     */
    private static String brokenLink(Path path) {
        for (Path p = path; p != null; p = p.getParent()) {
            if (!Files.isSymbolicLink(p)) continue;
            try {
                p.toRealPath();
            } catch (java.nio.file.NoSuchFileException gone) {
                return p + " is a symbolic link to " + linkTarget(p) + ", which does not exist";
            } catch (java.nio.file.FileSystemException e) {
                String loop = linkLoop(p);
                if (loop != null) return p + " is in a loop of symbolic links (" + loop + ")";
                if (e.getReason() != null && e.getReason().startsWith("Too many levels of symbolic links")) {
                    return p + " leads through a loop of symbolic links, or more than " + MAX_LINKS + " of them (" + p
                            + " -> " + linkTarget(p) + " -> ...)";
                }
            } catch (java.io.IOException | SecurityException other) {
                // not a link leading nowhere: the error itself says what is wrong
            }
        }
        return null;
    }

    /**
     * The loop that following the symbolic link {@code link} link by link runs into: {@code "L -> T1 -> T2 -> T1"} (the
     * link, then each target as it is written), or null when the links followed end elsewhere.
     */
    private static String linkLoop(Path link) {
        List<Path> seen = new java.util.ArrayList<>(List.of(link.toAbsolutePath().normalize()));
        StringBuilder chain = new StringBuilder(link.toString());
        Path at = seen.getFirst();
        for (int i = 0; i < MAX_LINKS && Files.isSymbolicLink(at); i++) {
            String target = linkTarget(at);
            if (target.equals("?")) return null;
            Path next = (at.getParent() == null ? at : at.getParent()).resolve(target).normalize();
            chain.append(" -> ").append(target);
            if (seen.contains(next)) return chain.toString();
            seen.add(next);
            at = next;
        }
        return null;
    }

    /** Where the symbolic link {@code link} points, as it is written, or "?" when it cannot be read. */
    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (java.io.IOException | SecurityException e) {
            return "?";
        }
    }

    /** {@code owned by NAME, mode rwx------}, or as much of it as can be read. */
    private static String ownerAndMode(Path path) {
        try {
            return "owned by " + Files.getOwner(path).getName() + ", mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return "its owner and mode cannot be read either";
        }
    }

    /** Makes a directory Swarmflow created {@code rwx------}, where the file system has POSIX permissions. */
    private static void ownerOnly(Path dir) throws java.io.IOException {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions: its own access rules apply
        }
    }

    /**
     * A state directory owned by another user than the one running swarm (root's is accepted: root can read and
     * change yours anyway). Root is refused a user's too: as root, swarm would run what that user can write there with
     * root's rights, and leave files there the user cannot change; the message says to run swarm as its owner. Its owner would read the plans, logs and worktrees of your runs, and could change the
     * database swarm reads and the folders it writes: a {@code .swarm} that is a symbolic link, committed in a repository
     * you cloned, can lead to such a directory in {@code /tmp}. git refuses a repository owned by another user the same way
     * ({@code safe.directory}). The problem, or null when the directory is missing, yours or root's, or
     * {@code me} is -1.
     */
    private static Problem anotherUsersProblem(Path stateDir, long me) {
        if (me < 0 || !Files.exists(stateDir)) return null;
        long owner;
        try {
            owner = ((Number) Files.getAttribute(stateDir, "unix:uid")).longValue(); // the directory a link leads to
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException
                 | LinkageError notUnix) {
            return null; // no POSIX owners here: the file system's own rules apply
        }
        if (owner == me || owner == 0) return null;
        Path real;
        try {
            real = stateDir.toRealPath();
        } catch (java.io.IOException e) {
            real = stateDir;
        }
        return new Problem("belongs to another user (" + ownerAndMode(stateDir) + "), who could read your runs' plans, logs "
                + "and worktrees and change its database", withNfsHint(real, owner,
                "Point --state-dir (or SWARM_STATE_DIR) at a directory of yours" + (Files.isSymbolicLink(stateDir) ? " ("
                + stateDir + " is a symbolic link: remove it to have swarm create the directory)" : "") + (owner == overflowUid()
                ? "" // nobody: no user to run swarm as, or to give it to you (what NFS squashing shows, said after)
                // root taking it (chown) would lock its owner out of their own project's runs
                : me == 0 ? ", or, if it is that user's project, run swarm as them: sudo -u " + sudoUser(stateDir, owner)
                + " swarm ..." : ", or, if you trust that user, have them give it to you (chown)")));
    }

    /** The uid of the user running swarm, or -1 where there are no POSIX owners (or no way to tell who we are). */
    private static long myUid() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (UnsupportedOperationException | SecurityException | LinkageError notUnix) {
            return -1;
        }
    }

    /**
     * Refuses a state directory for every reason found at once ({@link #throwIfAny}): it belongs to another user
     * ({@link #anotherUsersProblem}), another user could replace it or what is in it ({@link #refuseReplaceable(Path,
     * long, Path)}), and, with {@code tracked}, a git repository tracks its files ({@link #refuseTracked}, with
     * {@code path} as the {@code PATH} to find git on). Fixing one and running again only to hear of the next would take
     * as many rounds as problems. That git is not on PATH, so whether its files are tracked cannot be told, is said on
     * its own, when nothing else is wrong.
     *
     * @param me        the uid of the user running swarm, or -1 where there are no POSIX owners (only {@code tracked} is
     *                  checked then)
     * @param madeBelow as {@link #refuseReplaceable(Path, long, Path)}
     * @throws InvalidRequestException for one problem, naming it and its fix; for several, all of them in one message
     *                                 ({@link InvalidRequestException#listing}), each with its fix
     */
    static void refuseUnsafe(Path stateDir, long me, Path madeBelow, boolean tracked, String path) {
        Lookups walk = lookups(stateDir);
        Path real = walk.end();
        List<Problem> problems = new java.util.ArrayList<>();
        Problem owner = anotherUsersProblem(stateDir, me);
        if (owner != null) problems.add(owner);
        // another user's directory: its own mode, default ACL and runs/ are that user's to set, and judged for you they
        // would only say again that it is not yours (the fix of the problem above); the path to it and what a repository
        // tracks in it are problems of their own
        if (me >= 0) problems.addAll(replaceableProblems(walk, me, madeBelow, owner == null));
        if (tracked) {
            try {
                Problem t = trackedProblem(stateDir, real, path);
                if (t != null) problems.add(t);
            } catch (InvalidRequestException noGit) {
                if (problems.isEmpty()) throw noGit;
            }
        }
        throwIfAny(stateDir, real, problems);
    }

    /**
     * Whether the real path {@code real} is {@code stateDir} as given (made absolute against the working directory, and
     * normalized): a message names the real path only when it says more.
     */
    private static boolean sameAs(Path real, Path stateDir) {
        return real.equals(stateDir.toAbsolutePath().normalize());
    }

    /** The owner of {@code path} as {@code sudo -u} takes it: the name, or {@code '#UID'} when it has none. */
    private static String sudoUser(Path path, long uid) {
        try {
            String name = Files.getOwner(path).getName();
            if (!name.chars().allMatch(Character::isDigit)) return name;
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            // no name to give
        }
        return "'#" + uid + "'";
    }

    /**
     * The real path of the state directory {@code stateDir}, every symbolic link resolved as the kernel resolves it
     * ({@link #lookups}); for one not made yet, its nearest existing ancestor's real path with the rest of {@code stateDir}
     * after it (where it will be made).
     */
    static Path realPath(Path stateDir) {
        return lookups(stateDir).end();
    }

    /**
     * How the kernel resolves a path: {@code directories}, every directory a name is looked up in, in order and each once
     * (the real paths of the directories holding each symbolic link followed among them); {@code links}, the symbolic
     * links followed, as paths whose directory is real; {@code end}, the real path reached, followed by the names not
     * made yet (or not searchable), {@code ..} among them resolved by name.
     */
    record Lookups(List<Path> directories, List<Path> links, Path end) {
    }

    /** Symbolic links followed before the kernel gives up with ELOOP (Linux's MAXSYMLINKS). */
    private static final int MAX_LINKS = 40;

    /**
     * Walks {@code path} (made absolute against the working directory) one name at a time from {@code /}, as the kernel
     * does: a symbolic link's target replaces it, from {@code /} when absolute, from the directory holding the link
     * otherwise; {@code ..} goes to the parent of where the walk is. Whoever can replace a name in one of the {@link
     * Lookups#directories} chooses where the path leads, as with a symbolic link: checking the real path alone misses the
     * directories that hold the links. Stops at the first name that does not exist or is not a directory, or after {@value
     * #MAX_LINKS} links.
     */
    static Lookups lookups(Path path) {
        Path abs = path.toAbsolutePath();
        Path root = abs.getRoot();
        java.util.Set<Path> dirs = new java.util.LinkedHashSet<>();
        List<Path> links = new java.util.ArrayList<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>();
        abs.forEach(name -> todo.add(name.toString()));
        Path cur = root;
        int followed = 0;
        while (!todo.isEmpty()) {
            String name = todo.peek();
            if (name.isEmpty() || name.equals(".")) {
                todo.poll();
                continue;
            }
            if (name.equals("..")) {
                todo.poll();
                dirs.add(cur);
                if (cur.getParent() != null) cur = cur.getParent();
                continue;
            }
            Path next = cur.resolve(name);
            if (Files.isSymbolicLink(next) && followed < MAX_LINKS) {
                Path target;
                try {
                    target = Files.readSymbolicLink(next);
                } catch (java.io.IOException | SecurityException e) {
                    break;
                }
                todo.poll();
                dirs.add(cur);
                links.add(next);
                followed++;
                List<String> names = new java.util.ArrayList<>();
                target.forEach(n -> names.add(n.toString()));
                for (int i = names.size() - 1; i >= 0; i--) todo.addFirst(names.get(i));
                if (target.isAbsolute()) cur = root;
                continue;
            }
            dirs.add(cur); // looked up here, made here when missing
            if (!Files.isDirectory(next, java.nio.file.LinkOption.NOFOLLOW_LINKS)) break;
            todo.poll();
            cur = next;
        }
        Path end = cur;
        for (String name : todo) end = end.resolve(name);
        return new Lookups(List.copyOf(dirs), List.copyOf(links), end.normalize());
    }

    /**
     * Refuses a state directory that another user than you or root can replace: OpenSSH's StrictModes rule ({@code
     * safe_path()} in OpenSSH's misc.c) on every directory the path passes through as the kernel resolves it ({@link
     * #lookups}): those above its real path, and those holding the symbolic links on the way. Each must be owned by you or
     * root and writable by no one else, except for a directory with the sticky bit ({@code /tmp}), whose entries only
     * their owner (and the directory's) can rename or delete, so a symbolic link in one must be yours or root's; the
     * state directory itself must be writable by no one else, and so must its {@code runs} directory when there is one
     * (it holds the runs' directories), with no default POSIX ACL on the state directory letting anyone else write what
     * swarm makes in it ({@link #defaultAclWriters}).
     * Unlike OpenSSH, a directory writable by its group is accepted when that group is its owner's user private group
     * ({@link #sharedGroup}: umask 002 on distributions that give each user a group of their own), which no other user has
     * as primary group. Whoever can write to a
     * directory above it can rename the state directory and put one of theirs in its place, with runs that {@code swarm
     * resume} would run; git checks the repository's own directory only ({@code safe.directory}).
     *
     * @param me        the uid of the user running swarm
     * @param madeBelow the nearest directory above {@code stateDir} that existed before {@link #create} made it (the ones
     *                  below are removed when it is refused, so the refusal names that one instead), or null when the
     *                  state directory existed
     * @throws InvalidRequestException naming the directory, its owner and mode, and what to do; when several are found
     *                                 (a default ACL and a {@code runs} directory others can write to), every one of
     *                                 them in one message ({@link InvalidRequestException#listing}), each with its fix
     */
    static void refuseReplaceable(Path stateDir, long me, Path madeBelow) {
        Lookups walk = lookups(stateDir);
        throwIfAny(stateDir, walk.end(), replaceableProblems(walk, me, madeBelow, true));
    }

    /** {@link #refuseReplaceable(Path, long, Path)} of a state directory that existed. */
    static void refuseReplaceable(Path stateDir, long me) {
        refuseReplaceable(stateDir, me, null);
    }

    /**
     * The problems {@link #refuseReplaceable(Path, long, Path)} refuses for, of the path {@code walk} resolved; with
     * {@code ownDir} false, only those of the directories and links on the way to it, not of the state directory itself
     * (its mode, default ACL and {@code runs} directory).
     */
    private static List<Problem> replaceableProblems(Lookups walk, long me, Path madeBelow, boolean ownDir) {
        Path real = walk.end();
        List<Problem> problems = new java.util.ArrayList<>();
        if (ownDir && Files.isDirectory(real)) {
            String why = replaceableBy(real, me, false);
            if (why != null) {
                problems.add(new Problem("is " + why + ", who could replace its database with theirs and have swarm run "
                        + "their commands", withNfsHint(real, owner(real), "Run chmod go-w " + real + ", or point --state-dir "
                        + "(or SWARM_STATE_DIR) at a directory of yours that only you can write to")));
            }
            String inherited = defaultAclWriters(real, owner(real), gidOf(real));
            if (inherited != null && madeBelow != null) {
                // made just now (with the directories between it and madeBelow), it inherited madeBelow's default ACL
                // through them; they are removed on this refusal, so only madeBelow, which stays, is named
                problems.add(new Problem("would inherit the default POSIX ACL of " + madeBelow + " (getfacl " + madeBelow
                        + "), which makes what is made in it with a wide mode (a runs directory made by hand or by an older "
                        + "swarm) writable by " + inherited + ", who could replace the runs' directories with theirs", "Run "
                        + "setfacl -k " + madeBelow + " (it removes the default ACL that new directories in it inherit), or "
                        + "point --state-dir (or SWARM_STATE_DIR) at a directory of yours that only you can write to"));
            } else if (inherited != null) {
                problems.add(new Problem("has a default POSIX ACL (getfacl " + real + ") that makes what is made in it with "
                        + "a wide mode (a runs directory made by hand or by an older swarm) writable by " + inherited + ", who "
                        + "could replace the runs' directories with theirs", "Run setfacl -k " + real + " (it removes the "
                        + "default ACL)" + (real.getParent() != null && defaultAclWriters(real.getParent(), -1, -1) != null
                        ? " and setfacl -k " + real.getParent() + ", whose default ACL new directories in it inherit" : "")
                        + ", or point --state-dir (or SWARM_STATE_DIR) at a directory of yours that only you can write to"));
            }
            // its runs/ holds the runs' directories: one made with a wide mode (by hand, or by a swarm that made it 0777
            // under a default ACL, mask rwx) keeps its own ACL and mode when the state directory's default ACL is removed
            Path runs = real.resolve("runs");
            String runsWhy = Files.isDirectory(runs) ? replaceableBy(runs, me, false) : null;
            if (runsWhy != null) {
                problems.add(new Problem("holds " + runs + ", which is " + runsWhy + ", who could replace the runs' "
                        + "directories with theirs", withNfsHint(runs, owner(runs), "Run chmod 700 " + runs + " (and setfacl "
                        + "-b " + runs + ", which removes its POSIX ACL, if it has one), or point --state-dir (or "
                        + "SWARM_STATE_DIR) at a directory of yours that only you can write to")));
            }
        }
        for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
            if (!Files.isDirectory(dir)) continue; // not made yet
            String why = replaceableBy(dir, me, true);
            if (why == null) continue;
            boolean mine = owner(dir) == me;
            problems.add(new Problem("is inside " + dir + ", which is " + why + ", who could rename the state directory and "
                    + "put theirs in its place, with runs swarm would run", withNfsHint(dir, owner(dir), (mine ? "Run chmod "
                    + "go-w " + dir + " (or chmod +t, for a directory others share), or point" : me == 0 && owner(dir) > 0
                    && owner(dir) != overflowUid() ? "If it is that user's project, run swarm as them: sudo -u "
                    + sudoUser(dir, owner(dir)) + " swarm ...; or point" : "Point") + " --state-dir (or SWARM_STATE_DIR) at "
                    + "a directory of yours that only you and root can write to, and whose parent directories are the same "
                    + "(one under your home directory)")));
        }
        problems.addAll(replaceableLinks(walk, me));
        return problems;
    }

    /**
     * Refuses state directory {@code stateDir} (real path {@code real}) for {@code problems}, when there are any: one
     * said in a sentence, several in one listing ({@link InvalidRequestException#listing}), each with its fix.
     */
    private static void throwIfAny(Path stateDir, Path real, List<Problem> problems) {
        String named = "the state directory " + stateDir + (sameAs(real, stateDir) ? "" : " (" + real + ")");
        if (problems.size() == 1) {
            throw new InvalidRequestException(named + " " + problems.getFirst().what() + "; nothing was changed. "
                    + problems.getFirst().fix());
        }
        if (!problems.isEmpty()) {
            // all at once: fixing one and running again only to hear of the next would take as many rounds as problems
            throw InvalidRequestException.listing(named + " is refused for " + problems.size() + " reasons; nothing was "
                    + "changed:", problems.stream().map(p -> "it " + p.what() + ". " + p.fix()).toList(), "Fix each of "
                    + "them and run swarm again, or point --state-dir (or SWARM_STATE_DIR) at a directory of yours that only "
                    + "you can write to");
        }
    }

    /**
     * One reason a state directory is refused: {@code what} is wrong, said after the state directory's name ({@code "is
     * writable by ..., who could ..."}), and what to do about it, {@code fix}, one or more sentences.
     */
    record Problem(String what, String fix) {
    }

    /**
     * The rest of {@link #refuseReplaceable(Path, long, Path)}: the directories the path passes through on its way that are not above
     * its real path (those that hold its symbolic links), and the links themselves. A link in a directory another user can
     * write to, or in another user's directory, can be pointed elsewhere by them; a link in a sticky directory ({@code
     * /tmp}) can be by its owner, so it must be yours or root's (the kernel's {@code fs.protected_symlinks} rule).
     */
    private static List<Problem> replaceableLinks(Lookups walk, long me) {
        Path real = walk.end();
        List<Problem> problems = new java.util.ArrayList<>();
        String fix = "Point --state-dir (or SWARM_STATE_DIR) at its real path, " + real + ", if that is where you meant it to be";
        for (Path dir : walk.directories()) {
            if (real.startsWith(dir)) continue; // checked above
            String why = replaceableBy(dir, me, true);
            if (why == null) continue;
            Path link = walk.links().stream().filter(l -> dir.equals(l.getParent())).findFirst().orElse(null);
            problems.add(new Problem("is reached through " + (link == null ? dir + ", which is " : "the symbolic link "
                    + link + " -> " + linkTarget(link) + " (" + linkOwner(link) + "), in " + dir + ", which is ") + why
                    + ", who could " + (link == null ? "change where the path leads" : "point that link at a directory of "
                    + "theirs") + ", with runs swarm would run", withNfsHint(dir, owner(dir), fix + (link == null ? ""
                    : ", or remove the link if it is yours and have it made where only you can write"))));
        }
        for (Path link : walk.links()) {
            Path dir = link.getParent();
            long owner = linkUid(link);
            if (owner == me || owner == 0 || owner == -1 || dir == null || (mode(dir) & 01000) == 0) continue;
            problems.add(new Problem("is reached through the symbolic link " + link + " -> " + linkTarget(link) + ", "
                    + linkOwner(link) + " (another user) in the sticky directory " + dir + " (" + ownerAndMode(dir) + "), who "
                    + "could replace it with a link to a directory of theirs, with runs swarm would run", fix + ", or remove "
                    + "the link (rm " + link + ") and make your own"));
        }
        return problems;
    }

    /**
     * What to do about a refused directory {@code dir} owned by {@code uid}: {@code fix}, unless {@code uid} is the
     * kernel's overflow uid ({@code /proc/sys/fs/overflowuid}, usually 65534, {@code nobody}), which is how NFS shows a
     * file when the server squashes root ({@code root_squash}) or the client cannot map its owner's id. Then, when {@code
     * dir}'s file store is NFS, that and what to do instead of {@code fix}; when it is not, or cannot be told (another
     * network file system shows ids the same way), {@code fix} and then "If DIR is on NFS: ...".
     */
    private static String withNfsHint(Path dir, long uid, String fix) {
        if (uid < 0 || uid != overflowUid()) return fix;
        String type;
        try {
            type = Files.getFileStore(dir).type();
        } catch (java.io.IOException | SecurityException | UnsupportedOperationException e) {
            type = null;
        }
        return withNfsHint(dir, uid, idName(false, uid), type, fix);
    }

    /**
     * {@link #withNfsHint(Path, long, String)} for the overflow uid {@code uid}, named {@code name}, and the file system
     * type {@code type} ({@code nfs}, {@code nfs4}, {@code ext4}; null when unknown).
     */
    static String withNfsHint(Path dir, long uid, String name, String type, String fix) {
        String owner = "uid " + uid + (name.equals(Long.toString(uid)) ? "" : " (" + name + ")");
        String how = "how NFS shows files when the server squashes root (root_squash) or cannot map their owner's id "
                + "between server and client (idmapping): point --state-dir (or SWARM_STATE_DIR) at a directory on a local "
                + "disk (one under /tmp, or under $XDG_STATE_HOME, default ~/.local/state, when your home directory is not "
                + "on NFS), or have the NFS id mapping fixed";
        if (type != null && type.startsWith("nfs")) {
            return dir + " is on NFS (" + type + ") and owned by " + owner + ", which is " + how;
        }
        return fix + (fix.endsWith(".") ? " If " : ". If ") + dir + " is on NFS: " + owner + " as its owner is " + how;
    }

    /**
     * The kernel's overflow uid ({@code /proc/sys/fs/overflowuid}), or 65534 when it cannot be read. Read in one read of
     * a line: {@link Files#readString} reads a file of size 0 a byte first, and a sysctl gives nothing past offset 0, so
     * it would read "6".
     */
    private static long overflowUid() {
        try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/fs/overflowuid"))) {
            return Long.parseLong(String.valueOf(r.readLine()).strip());
        } catch (java.io.IOException | NumberFormatException | SecurityException e) {
            return 65534;
        }
    }

    /** The uid owning the symbolic link {@code link} itself, or -1 when it cannot be read. */
    private static long linkUid(Path link) {
        try {
            return ((Number) Files.getAttribute(link, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return -1;
        }
    }

    /** {@code owned by NAME} for the symbolic link {@code link} itself, or what cannot be read. */
    private static String linkOwner(Path link) {
        try {
            return "owned by " + Files.getOwner(link, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return "its owner cannot be read";
        }
    }

    /** The mode bits of {@code p} ({@code 01777} and below), or 0 when they cannot be read. */
    private static int mode(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode");
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return 0;
        }
    }

    /**
     * Who other than {@code me} (a uid) and root can replace what is in the directory {@code dir}: {@code "owned by another
     * user (OWNER:GROUP, mode rwxrwxrwx sticky)"}, {@code "writable by every user (...)"}, {@code "writable by the users
     * of the group GROUP (...)"} or, for one writable by its owner's private group, {@code "writable by the user NAME
     * through its ACL (...)"} ({@link #aclWriters}); null when no one can. With {@code stickyExcuses}, the sticky bit excuses the write bits
     * (not another owner). Null too when its attributes cannot be read (no POSIX file system).
     */
    static String replaceableBy(Path dir, long me, boolean stickyExcuses) {
        java.nio.file.attribute.PosixFileAttributes a;
        int mode;
        long uid;
        long gid;
        try {
            a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class);
            mode = (Integer) Files.getAttribute(dir, "unix:mode");
            uid = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
            gid = ((Number) Files.getAttribute(dir, "unix:gid")).longValue();
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return null; // no POSIX attributes: the file system's own rules apply
        }
        String how = a.owner().getName() + ":" + a.group().getName() + ", mode "
                + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + ((mode & 01000) != 0 ? " sticky" : "");
        if (uid != me && uid != 0) return "owned by another user (" + how + ")";
        if (stickyExcuses && (mode & 01000) != 0) return null;
        if ((mode & 0002) != 0) return "writable by every user (" + how + ")";
        if ((mode & 0020) != 0) {
            String shared = sharedGroup(dir, uid, gid, a.group().getName(), how);
            if (shared != null) return shared;
            String acl = aclWriters(dir, uid, gid);
            // "getfacl DIR" shows an ACL that was read; one that cannot be read says why itself
            if (acl != null && acl.endsWith(THROUGH_ACL)) return acl + " (" + how + ", with a POSIX ACL: getfacl " + dir + ")";
            if (acl != null) return GROUP + " (" + how + ")" + acl.substring(GROUP.length());
        }
        return null;
    }

    /** libc's getxattr(2), bound by JNA's direct mapping: Java's attribute views cannot read the {@code system.} names. */
    private static final class Xattr {
        /** Why JNA could not bind getxattr, or null. */
        static final String PROBLEM = load();
        static final int ENODATA = 61;
        static final int ENOTSUP = 95;
        static final int ERANGE = 34;

        private Xattr() {
        }

        private static String load() {
            try {
                com.sun.jna.Native.register(Xattr.class, "c");
                return null;
            } catch (LinkageError | RuntimeException e) {
                return e.toString();
            }
        }

        static native long getxattr(String path, String name, byte[] value, long size);
    }

    /** How {@link #aclWriters} ends when it read the ACL and found writers in it. */
    private static final String THROUGH_ACL = " through its ACL";

    /** How {@link #aclWriters} starts when it could not read the ACL. */
    private static final String GROUP = "writable by its group";

    /** Tags and the write bit of a POSIX ACL entry in {@code system.posix_acl_access} (linux/posix_acl_xattr.h). */
    private static final int ACL_USER = 0x02;
    private static final int ACL_GROUP = 0x08;
    private static final int ACL_MASK = 0x10;
    private static final int ACL_OTHER = 0x20;
    private static final int ACL_WRITE = 0x02;

    /**
     * Who the POSIX ACL of the group-writable directory {@code dir} (owner {@code uid}, group {@code gid}) lets write to
     * it besides its owner and group: {@code "writable by the user NAME through its ACL"}, or null when no one (no ACL,
     * or a file system without them). The rule: refused when its {@code system.posix_acl_access} holds a named user
     * entry (other than the owner) or a named group entry (other than its group) with the write bit, which the mask
     * (the group bits of a group-writable directory's mode) lets through. Also refused when the ACL cannot be read (JNA
     * not loaded, an unknown error): its writers are unknown; then {@code "writable by its group, and maybe by other users
     * through a POSIX ACL that ..."}, with why and what to do. A read that fails with ERANGE (the ACL grew between asking
     * its size and reading it) is tried once more.
     */
    static String aclWriters(Path dir, long uid, long gid) {
        if (Xattr.PROBLEM != null) {
            return GROUP + ", and maybe by other users through a POSIX ACL that swarm cannot read (JNA could not load its "
                    + "native library: " + Xattr.PROBLEM + "; if the temporary directory is mounted noexec, set SWARM_JAVA_OPTS="
                    + "-Djna.tmpdir=DIR, a directory of yours that allows executables)";
        }
        String path = dir.toString();
        String name = "system.posix_acl_access";
        byte[] acl = null;
        long size = -1;
        int errno = 0;
        for (int attempt = 0; attempt < 2; attempt++) { // once more when the ACL grew between the size and the read
            size = Xattr.getxattr(path, name, null, 0);
            acl = size < 0 ? null : new byte[(int) size];
            if (acl != null) size = Xattr.getxattr(path, name, acl, acl.length);
            errno = size < 0 ? com.sun.jna.Native.getLastError() : 0;
            if (errno != Xattr.ERANGE) break;
        }
        if (size < 0) {
            if (errno == Xattr.ENODATA || errno == Xattr.ENOTSUP) return null;
            return GROUP + ", and maybe by other users through a POSIX ACL that cannot be read (getxattr "
                    + name + ": errno " + errno + ")";
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(acl, 0, (int) size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<String> writers = new java.util.ArrayList<>();
        for (int at = 4; at + 8 <= size; at += 8) { // a version (2), then entries of tag (16 bits), perm (16), id (32)
            int tag = b.getShort(at) & 0xffff;
            int perm = b.getShort(at + 2) & 0xffff;
            long id = b.getInt(at + 4) & 0xffffffffL;
            if ((perm & ACL_WRITE) == 0) continue;
            if (tag == ACL_USER && id != uid) writers.add("the user " + idName(false, id));
            if (tag == ACL_GROUP && id != gid) writers.add("the group " + idName(true, id));
        }
        return writers.isEmpty() ? null : "writable by " + String.join(" and ", writers) + THROUGH_ACL;
    }

    /**
     * The name of the gid ({@code group}) or uid {@code id}, looked up through NSS ({@link UnixIds}); else the number,
     * with why when the lookup failed.
     */
    private static String idName(boolean group, long id) {
        try {
            return (group ? UnixIds.group(id).map(UnixIds.Group::name) : UnixIds.userName(id)).orElse(Long.toString(id));
        } catch (UnixIds.LookupException e) {
            return id + " (" + e.getMessage() + ")";
        }
    }

    /** The gid of {@code p}, or -1 when it cannot be read. */
    private static long gidOf(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:gid")).longValue();
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return -1;
        }
    }

    /**
     * Who the default POSIX ACL of the state directory {@code dir} (owner {@code uid}, group {@code gid}) would let write to
     * what is created in it: {@code "the user NAME and the group NAME"}, or null when no one else. A default ACL is
     * inherited by every file and directory made in {@code dir} (and, as their default ACL, by directories below them),
     * its group-class entries cut down to the group bits of the mode they are made with (their mask; the umask does not
     * apply). The files and directories swarm makes are made with mode {@code rw-------} or {@code rwx------} (the
     * database and its journal files, the {@code runs} directory, a run's directory) and get an empty mask, so no named
     * entry can write them: this refusal is a second defence. What it guards against is an entry made with a wide mode
     * (a {@code runs} directory made 0777 by an older swarm, or one made by hand), which gets the whole mask: a named
     * user or group entry (other than the owner or {@code gid}) or the other entry, with the write bit that the default
     * mask (when there is one) lets through, could then replace a run's directory. So such an entry is refused; the owning
     * group's entry is not (new files take the creating user's group, as for the mode).
     * Null also when the default ACL cannot be read (JNA not loaded, no ACLs on the file system, an error): the access
     * ACL check ({@link #aclWriters}) is what guards a directory's own entries.
     */
    static String defaultAclWriters(Path dir, long uid, long gid) {
        if (Xattr.PROBLEM != null) return null;
        String path = dir.toString();
        String name = "system.posix_acl_default";
        long size = Xattr.getxattr(path, name, null, 0);
        if (size <= 0) return null;
        byte[] acl = new byte[(int) size];
        size = Xattr.getxattr(path, name, acl, acl.length);
        if (size <= 0) return null;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(acl, 0, (int) size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<String> writers = new java.util.ArrayList<>();
        boolean maskWrites = true;
        for (int at = 4; at + 8 <= size; at += 8) { // a version (2), then entries of tag (16 bits), perm (16), id (32)
            int tag = b.getShort(at) & 0xffff;
            int perm = b.getShort(at + 2) & 0xffff;
            long id = b.getInt(at + 4) & 0xffffffffL;
            if (tag == ACL_MASK) maskWrites = (perm & ACL_WRITE) != 0;
            if ((perm & ACL_WRITE) == 0) continue;
            if (tag == ACL_USER && id != uid) writers.add("the user " + idName(false, id));
            if (tag == ACL_GROUP && id != gid) writers.add("the group " + idName(true, id));
            if (tag == ACL_OTHER) writers.add("every user (its other entry)");
        }
        if (!maskWrites) writers.removeIf(w -> !w.startsWith("every user"));
        return writers.isEmpty() ? null : String.join(" and ", writers);
    }

    /** The uid owning {@code p}, or -1 when it cannot be read. */
    private static long owner(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:uid")).longValue();
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return -1;
        }
    }

    /**
     * Null when the group {@code gid} (named {@code groupName} in messages) of the directory {@code dir} is the user private
     * group of {@code uid}: named as the user, listing no other member (as useradd makes it with USERGROUPS_ENAB, the default
     * of Debian, Fedora and most distributions), and no other user's primary group ({@link UnixIds#primaryUsers}: the user
     * database enumerated once per process, and only for a group-writable directory); or, for a group that no name
     * service knows, when the user has no name either and the gid is the uid (a container run as {@code --user 4242:4242}: no one else has that
     * group). Else {@code "writable by the users of the group NAME (HOW)"} ({@code how}: owner, group and mode), with why
     * its members cannot be told when the group has no name, why they are unknown when they could not be looked up, or the
     * users (up to 3, then "and N more") whose primary group it is, and how to fix it. Users and groups are looked up
     * through NSS ({@link UnixIds}), so those of LDAP, sssd or systemd-homed count; but users whose primary group it is are
     * seen only when their name service lists its users when enumerated: those of sssd with {@code enumerate = false} (its
     * default) or of LDAP without enumeration are not, the documented limit of this check.
     */
    private static String sharedGroup(Path dir, long uid, long gid, String groupName, String how) {
        String shared = "writable by the users of the group " + groupName;
        try {
            java.util.Optional<String> user = UnixIds.userName(uid);
            java.util.Optional<UnixIds.Group> group = UnixIds.group(gid);
            if (group.isEmpty()) {
                return user.isEmpty() && uid == gid ? null : shared + ", which has no entry in the group database, so who is "
                        + "in it cannot be told (" + (user.isPresent() ? "its owner has a name of their own" : "its gid is not "
                        + "its owner's uid") + ") (" + how + ")";
            }
            boolean own = user.isPresent() && group.get().name().equals(user.get())
                    && group.get().members().stream().allMatch(user.get()::equals);
            if (!own) return shared + " (" + how + ")";
            List<UnixIds.User> others = UnixIds.primaryUsers(gid, uid);
            if (others.isEmpty()) return null;
            List<String> names = others.stream().limit(3).map(UnixIds.User::name).toList();
            return shared + " (" + how + "), among them " + (others.size() == 1 ? "the user " : "the users ")
                    + String.join(", ", names) + (others.size() > 3 ? " and " + (others.size() - 3) + " more" : "")
                    + ", whose primary group it is though the group does not list them (chgrp " + dir + " to a group only you "
                    + "are in, or chmod g-w " + dir + ")";
        } catch (UnixIds.LookupException e) {
            return shared + ", whose members cannot be looked up (" + e.getMessage() + ") (" + how + ")";
        }
    }

    /**
     * A state directory's own file, relative to it: the database and its companions (SQLite's {@code -wal}, {@code -shm},
     * {@code -journal}; the migration lock), or a file below {@code runs/<run id>/} (ids {@code yyyyMMdd-HHmmss-xxxx},
     * {@code RunService.newRunId}). A project's own {@code runs/} folder or {@code swarm.db.md} is not one.
     */
    private static final java.util.regex.Pattern STATE_ENTRY = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(DB_FILE) + "(-wal|-shm|-journal|\\.migration-lock)?|runs/[0-9]{8}-[0-9]{6}-[0-9a-z]+/.+");

    /**
     * Refuses an existing state directory, inside a git working tree, that holds files the repository tracks (other than its
     * {@code .gitignore}): a {@code .swarm/swarm.db} committed to a repository comes with every clone, owned by whoever
     * cloned it, so that the ownership checks cannot tell its runs were not theirs; {@code swarm resume RUN} would run the
     * commands of a plan someone else wrote. One {@code git ls-files}, only when a directory above holds {@code .git}. When
     * git is not on {@code path} (the {@code PATH} value) and the state directory holds a database, it is refused too:
     * whether the repository tracks it cannot be told. When git runs but fails (refusing a repository another user owns,
     * which {@link #refuseReplaceable} refuses first when it is above the state directory; a {@code .git} that is no
     * repository, which tracks nothing) nothing is refused.
     *
     * @throws InvalidRequestException naming the files and the repository, and how to untrack or remove them; or saying
     *                                 that git is not on PATH, and what to do
     */
    static void refuseTracked(Path stateDir, Path real, String path) {
        Problem p = trackedProblem(stateDir, real, path);
        if (p != null) throwIfAny(stateDir, real, List.of(p));
    }

    /**
     * What {@link #refuseTracked} refuses for, or null.
     *
     * @throws InvalidRequestException when git is not on {@code path} and the state directory holds a database
     */
    private static Problem trackedProblem(Path stateDir, Path real, String path) {
        if (!Files.isDirectory(real)) return null;
        Path top = null;
        for (Path p = real; p != null && top == null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) top = p;
        }
        if (top == null) return null;
        if (!onPath("git", path) && Files.exists(real.resolve(DB_FILE), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidRequestException("the state directory " + stateDir + (sameAs(real, stateDir) ? "" : " (" + real
                    + ")") + " is inside the git repository " + top + ", and git is not on PATH, so swarm cannot tell whether "
                    + "the repository tracks its files (runs committed to a repository come with every clone, and swarm resume "
                    + "would run commands that someone else wrote); nothing was changed. Install git (or add its directory to "
                    + "PATH), or point --state-dir (or SWARM_STATE_DIR) at a directory outside the repository");
        }
        List<String> tracked;
        try {
            tracked = io.swarmflow.git.GitWorktrees.trackedFiles(real).stream().filter(f -> !f.equals(".gitignore"))
                    .sorted(java.util.Comparator.comparingLong((String f) -> f.chars().filter(c -> c == '/').count())
                            .thenComparing(java.util.Comparator.naturalOrder())) // swarm.db before the runs' files
                    .toList();
        } catch (io.swarmflow.git.GitException e) {
            return null;
        }
        if (tracked.isEmpty()) return null;
        String shown = String.join(", ", tracked.subList(0, Math.min(3, tracked.size())))
                + (tracked.size() > 3 ? ", ... " + tracked.size() + " in all" : "");
        // the entries of a state directory (swarm.db and its companions, runs/) that the repository tracks: the git advice
        // names these, never the whole directory, which may be the project's own (a mistyped --state-dir docs)
        java.util.SortedSet<String> swarmEntries = new java.util.TreeSet<>();
        for (String f : tracked) {
            if (STATE_ENTRY.matcher(f).matches()) swarmEntries.add(f.contains("/") ? f.substring(0, f.indexOf('/')) : f);
        }
        if (swarmEntries.isEmpty()) {
            return new Problem("is a directory with files that the git repository " + top + " tracks (" + shown + "), none "
                    + "of them a state directory's (" + DB_FILE + ", runs/): swarm would keep its database and the runs' "
                    + "logs among them", "Point --state-dir (or SWARM_STATE_DIR) at a new directory (the default is .swarm "
                    + "in the working directory) or at one outside the repository");
        }
        String prefix = top.equals(real) ? "" : top.relativize(real) + "/";
        String paths = swarmEntries.stream().map(e -> prefix + e).collect(java.util.stream.Collectors.joining(" "));
        String git = "git -C " + top + " rm -r -q ";
        return new Problem("holds files that the git repository " + top + " tracks (" + shown + "): runs "
                + "committed to a repository come with every clone, and swarm resume would run commands that someone else "
                + "wrote", "If they came with the repository, delete them: " + git + "-- " + paths + ", then commit; if they "
                + "are your own runs, stop tracking them: " + git + "--cached -- " + paths + ", then commit. Or point "
                + "--state-dir (or SWARM_STATE_DIR) at a directory outside the repository");
    }

    /**
     * Refuses the default state directory, {@code .swarm} in the working directory ({@code stateDir}, absolute), when it
     * is a symbolic link: swarm would keep the runs, logs and database where the link leads while saying {@code
     * <dir>/.swarm}, and a {@code .swarm} link committed in a repository you cloned leads where its author chose (an
     * existing directory of yours is not refused by the ownership and mode checks). A state directory named on purpose
     * ({@code --state-dir}, {@code SWARM_STATE_DIR}) may be a link: the caller calls this for the default one only.
     * Called before anything is read or written there.
     *
     * @throws InvalidRequestException naming the link, where it points (as written and its real path), and how to use
     *                                 that directory on purpose ({@code --state-dir TARGET}) or to remove the link
     */
    static void refuseLinkedDefault(Path stateDir) {
        if (!Files.isSymbolicLink(stateDir)) return;
        String target = linkTarget(stateDir);
        Path real = realPath(stateDir);
        throw new InvalidRequestException("the default state directory " + stateDir + " (.swarm in the working directory) is "
                + "a symbolic link to " + target + (target.equals(real.toString()) ? "" : " (" + real + ")") + ": swarm does "
                + "not follow a .swarm link unasked, since one committed in a repository you cloned would lead your runs, "
                + "logs and database wherever its author chose; nothing was changed. To keep the state there on purpose, "
                + "name it: --state-dir " + real + " (or SWARM_STATE_DIR=" + real + "); else remove the link (rm "
                + stateDir + ") and swarm makes .swarm here");
    }

    /**
     * Refuses, for a command that makes or writes state ({@code run}, {@code resume}, and the others that change a run),
     * a state directory the sandbox could not hide from tickets ({@link #unhideableProblem}); a command that only reads
     * one ({@code runs}, {@code status}, {@code logs}) may still read it.
     *
     * @param path swarm's own {@code PATH} (null when unset)
     * @throws InvalidRequestException saying what the directory is, why tickets would read it, and what to do; nothing is
     *                                 written or listed before
     */
    static void refuseUnhideable(Path stateDir, String path) {
        Path real = realPath(stateDir);
        Problem p = unhideableProblem(stateDir.toAbsolutePath().normalize(), real, path);
        if (p != null) throwIfAny(stateDir, real, List.of(p));
    }

    /**
     * Why the sandbox could not hide the state directory {@code given} (absolute, normalized; real path {@code real})
     * from tickets, or null when it can. Two cases:
     * <ul>
     * <li>{@code /}: the sandbox shows tickets the host's root read-only and never hides or rebinds {@code /} itself
     *     ({@code Sandbox.rule}), so every ticket would read {@code /swarm.db} and every run's logs under {@code /runs};
     *     an empty variable does it ({@code SWARM_STATE_DIR="$WORKSPACE/"} with {@code WORKSPACE} unset);</li>
     * <li>a directory that is or holds a directory of the {@code PATH} tickets find programs on (swarm's own {@code
     *     PATH}, where the sandbox finds a ticket's program, or the sandbox's default {@code PATH}, {@link
     *     io.swarmflow.sandbox.Sandbox#DEFAULT_PATH}), each entry as written and as its real path ({@link
     *     io.swarmflow.spec.StatePaths#entryInside}, the scan a ticket's {@code PATH} gets): the runs started later, which
     *     hide the state directories of the user's list, would take those programs away from their tickets, and refuse
     *     the tickets whose {@code PATH} names one; {@code --state-dir /usr/local} would be one.</li>
     * </ul>
     *
     * @param path swarm's own {@code PATH} (null when unset)
     */
    static Problem unhideableProblem(Path given, Path real, String path) {
        if (real.getNameCount() == 0 || given.getNameCount() == 0) {
            return new Problem("is the root of the file system, which the sandbox shows every ticket (read-only) and cannot "
                    + "hide, so the tickets of this run and of every later one would read its " + DB_FILE + " and every "
                    + "run's logs under /runs", "Point --state-dir (or SWARM_STATE_DIR) at a directory of its own, such as "
                    + ".swarm in your project (leave both out for that); SWARM_STATE_DIR=\"$WORKSPACE/\" with WORKSPACE unset "
                    + "gives /");
        }
        String[] values = {path, io.swarmflow.spec.StatePaths.DEFAULT_PATH};
        for (int i = 0; i < values.length; i++) {
            String value = values[i];
            boolean own = i == 0;
            // the scan the spec's PATH gets too (StatePaths.hits): each entry as written and as its real path
            io.swarmflow.spec.StatePaths.Entry found = io.swarmflow.spec.StatePaths.entryInside(value, given, real, Wiring::realPath, true);
            if (found == null) continue;
            String entry = found.written();
            return new Problem((found.is() ? "is " + entry + ", " : "holds " + entry + ", ") + "a directory of the PATH tickets "
                    + "find programs on (" + (own ? "swarm's own PATH" : "the sandbox's default PATH, "
                    + value) + "), so the runs started later cannot hide it from their tickets without taking those "
                    + "programs away, and their tickets would read its " + DB_FILE + " and every run's logs", "Point "
                    + "--state-dir (or SWARM_STATE_DIR) at a directory that holds no directory of the PATH, such as .swarm "
                    + "in your project (leave both out for that)" + (own ? ", or take " + entry + " off PATH" : ""));
        }
        return null;
    }

    /**
     * Opens (creating if needed) the state directory. One this creates, and each directory above it that it makes, is
     * {@code rwx------} from birth, whatever the umask (the plan, with its {@code --var} values and environment, the logs
     * and worktrees may hold secrets); an existing one keeps its mode.
     *
     * @throws InvalidRequestException when {@code stateDir} is not a directory and cannot be made one, belongs to another
     *                                 user (not root), is or would be replaceable by another user ({@link
     *                                 #refuseReplaceable}, checked again once the directories are made, before anything
     *                                 is written in them), or holds files a git repository tracks ({@link #refuseTracked});
     *                                 nothing is written then (the directories it made are removed, while empty and
     *                                 yours)
     */
    static Wiring create(Path stateDir, Executor executor) {
        return create(stateDir, executor, false);
    }

    /**
     * {@link #create(Path, Executor)}; with {@code forReading} (a command that only reads, on an existing state
     * directory), its database is opened read-only ({@link SqlRunStore#openSqliteReadOnly(Path, boolean)}: neither
     * written nor migrated), and a state directory or database that cannot be written ({@link #writable}) is read as it
     * is instead of refused.
     */
    private static Wiring create(Path stateDir, Executor executor, boolean forReading) {
        boolean fresh = !Files.exists(stateDir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        // before anything is written: a directory another user owns, or can replace, or a repository's committed runs
        long me = myUid();
        // one the sandbox could not hide from tickets: refused to the commands that write, not to those that only read it
        if (!forReading) refuseUnhideable(stateDir, System.getenv("PATH"));
        refuseUnsafe(stateDir, me, null, true, System.getenv("PATH")); // every problem found, in one refusal
        // the nearest ancestor that exists (as createDirectories finds it): what swarm makes is below it
        Path existed = stateDir.toAbsolutePath();
        while (existed != null && !Files.exists(existed)) existed = existed.getParent();
        racing.accept(stateDir);
        try {
            makeOwnerOnly(stateDir);
        } catch (java.io.IOException | SecurityException e) {
            throw cannotCreate(stateDir, e);
        }
        // again, before anything is written in it: another user could have made a directory on the path (in a sticky
        // directory such as /tmp, where nothing was there to refuse) between the check and createDirectories
        try {
            refuseUnsafe(stateDir, me, fresh ? existed : null, false, null);
        } catch (InvalidRequestException replaced) {
            if (fresh) {
                // the directories made, from the state directory up to the one that was there: each while empty and yours
                for (Path p = stateDir.toAbsolutePath(); p != null && !p.equals(existed) && removeIfEmptyAndMine(p);) {
                    p = p.getParent();
                }
            }
            throw replaced;
        }
        if (fresh) {
            try {
                // the plan (with --var values and env), logs and worktrees may hold secrets: the owner's alone
                ownerOnly(stateDir);
                // a state directory inside a git repository (.swarm/ by default) stays out of `git status` and commits
                Files.writeString(stateDir.resolve(".gitignore"), "# Swarmflow's state: not for version control\n*\n");
            } catch (java.io.IOException | SecurityException e) {
                throw cannotCreate(stateDir, e);
            }
        }
        // SQLite would fail with "unable to open database file" or "attempt to write a readonly database"
        boolean readOnly = false;
        for (String name : List.of("", DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm")) {
            Path p = name.isEmpty() ? stateDir : stateDir.resolve(name);
            if (Files.exists(p) && !writable.test(p)) {
                if (forReading) { // a read-only mount, an archived copy: read it as it is
                    readOnly = true;
                    continue;
                }
                throw new InvalidRequestException("the state directory " + stateDir + " cannot be written: " + p
                        + " is read-only for you (its permissions, an immutable attribute or a read-only mount); nothing was changed. "
                        + "Make it writable, or point --state-dir (or SWARM_STATE_DIR) at a directory you can write to");
            }
        }
        Path db = stateDir.resolve(DB_FILE);
        if (readOnly && Files.exists(db) && !readable.test(db)) { // SQLite would say "unable to open database file" (exit 4)
            throw new InvalidRequestException("the state directory " + stateDir + " cannot be read: its database " + db
                    + " is not readable for you (" + ownerAndMode(db) + "); nothing was changed. Run swarm as its owner, or "
                    + "point --state-dir (or SWARM_STATE_DIR) at a state directory you can read");
        }
        if (!readOnly) createDatabaseFile(stateDir, db);
        // a command waiting for the database's write lock, or for another swarm's migration of it, says so; a run's
        // coordinator says the former on the run's output instead
        PrintStream err = Streams.err(null); // this command's, not the writer thread's
        java.util.function.Consumer<String> notices = warningsTo(err);
        // a command that only reads never writes the database, nor migrates it, whether or not it could
        SqlRunStore store = forReading ? SqlRunStore.openSqliteReadOnly(stateDir, !readOnly)
                : SqlRunStore.openSqlite(stateDir, notices);
        store.noticesTo(notices);
        return new Wiring(stateDir, store, executor);
    }

    /**
     * Whether an executable {@code command} is in one of the directories of {@code path} (a {@code PATH} value; null when
     * PATH is unset, for {@code /bin:/usr/bin}, where {@link ProcessBuilder} then looks), where {@link ProcessBuilder}
     * looks for it.
     */
    static boolean onPath(String command, String path) {
        if (path == null) path = "/bin:/usr/bin"; // what ProcessBuilder (posix_spawnp, execvp) searches without a PATH
        for (String dir : path.split(java.io.File.pathSeparator, -1)) {
            try {
                Path p = Path.of(dir.isEmpty() ? "." : dir, command);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return true;
            } catch (java.nio.file.InvalidPathException notAPath) {
                // an entry no file can be in
            }
        }
        return false;
    }

    /**
     * Runs between the checks of {@link #create} and its {@code createDirectories}, with the state directory: a test's way
     * into that window (another user making a directory on the path). Does nothing otherwise.
     */
    static volatile java.util.function.Consumer<Path> racing = stateDir -> {
    };

    /**
     * Whether swarm can write the file or directory {@code path} ({@link Files#isWritable}: its permissions, an immutable
     * attribute, a read-only mount). A test's way to make a state directory read-only where root's rights would write it
     * anyway (root passes permissions, and needs CAP_LINUX_IMMUTABLE for an immutable attribute).
     */
    static volatile java.util.function.Predicate<Path> writable = Files::isWritable;

    /** Whether swarm can read the file {@code path} ({@link Files#isReadable}); a test's way, as {@link #writable}, for root. */
    static volatile java.util.function.Predicate<Path> readable = Files::isReadable;

    /**
     * Deletes the directory {@code dir} that {@link #create} made, when it is still empty, a directory (not a symbolic
     * link) and yours; else leaves it. Whether it was deleted.
     */
    private static boolean removeIfEmptyAndMine(Path dir) {
        try {
            if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && owner(dir) == new com.sun.security.auth.module.UnixSystem().getUid()) {
                Files.delete(dir); // fails when not empty
                return true;
            }
        } catch (java.io.IOException | SecurityException | UnsupportedOperationException | LinkageError e) {
            // left as it is: the refusal says what is wrong
        }
        return false;
    }

    /**
     * {@code createDirectories(dir)}, every directory it makes {@code rwx------} from birth (less what the umask takes
     * away), where the file system has POSIX permissions: never open to the group or others, not even for the moment
     * between its making and a chmod. An existing directory keeps its mode.
     *
     * @throws java.io.IOException as {@link Files#createDirectories} does
     */
    private static void makeOwnerOnly(Path dir) throws java.io.IOException {
        try {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir); // the file system's own access rules apply
        }
    }

    /** Why the state directory {@code stateDir} cannot be made ({@code e}), with what to do. */
    private static InvalidRequestException cannotCreate(Path stateDir, Exception e) {
        Path existing = stateDir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        String broken = brokenLink(stateDir.toAbsolutePath());
        String why = broken != null ? broken
                : existing != null && !Files.isDirectory(existing) ? existing + " is a file, not a directory"
                : reason(e) + (existing == null ? "" : " (" + existing + " is not a directory you can write to)");
        return new InvalidRequestException("the state directory " + stateDir + " cannot be created: " + why
                + "; point --state-dir (or SWARM_STATE_DIR) at a directory you can write to");
    }

    /** Why a file operation failed ({@code e}), as a user reads it: {@link io.swarmflow.files.FileErrors#reason}. */
    static String reason(Exception e) {
        return io.swarmflow.files.FileErrors.reason(e);
    }

    /**
     * Creates the state directory's database file {@code db}, empty and {@code rw-------}, when there is none (SQLite
     * takes an empty file for a new database; {@link SqlRunStore#openSqlite} would create it the same way, but its
     * failure is an unavailable store, exit 4), first refusing run files without their database ({@link
     * SqlRunStore#refuseLostDatabase}), so that a lost database is not replaced by an empty one.
     *
     * @throws InvalidRequestException when it cannot be created (a directory such as {@code /proc}, or one not writable):
     *                                 the reason and the fix, nothing changed
     */
    private static void createDatabaseFile(Path stateDir, Path db) {
        if (Files.exists(db, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        SqlRunStore.refuseLostDatabase(stateDir, db);
        try {
            try {
                Files.createFile(db, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(db);
            }
        } catch (java.nio.file.FileAlreadyExistsException made) {
            // by another swarm meanwhile: SQLite opens what is there
        } catch (java.io.IOException | SecurityException e) {
            throw new InvalidRequestException("the state directory " + stateDir + " cannot be used: cannot create " + db + ": "
                    + reason(e) + " (" + stateDir + " is not a directory you can write to); point "
                    + "--state-dir (or SWARM_STATE_DIR) at a directory you can write to");
        }
    }

    /**
     * Opens an existing state directory.
     *
     * @throws InvalidRequestException when there is none
     */
    static Wiring existing(Path stateDir, PrintStream warnings) {
        return existing(stateDir, warnings, false);
    }

    /**
     * Opens an existing state directory for a command that only reads it ({@code runs}, {@code status}, {@code logs}):
     * as {@link #existing(Path, PrintStream)}, but its database opened read-only ({@link
     * SqlRunStore#openSqliteReadOnly(Path, boolean)}: never written nor migrated), and one that cannot be written (a
     * read-only mount, an archived copy) is read as it is rather than refused.
     *
     * @throws InvalidRequestException when there is none, as {@link #existing(Path, PrintStream)}
     * @throws io.swarmflow.store.StoreException.Unavailable when its database cannot be read without writing (see {@link
     *                                                       SqlRunStore#openSqliteReadOnly})
     */
    static Wiring forReading(Path stateDir, PrintStream warnings) {
        return existing(stateDir, warnings, true);
    }

    private static Wiring existing(Path stateDir, PrintStream warnings, boolean forReading) {
        if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
            throw new InvalidRequestException("the state directory " + stateDir + " is a file, not a directory"
                    + (stateDir.getFileName() != null && stateDir.getFileName().toString().equals(DB_FILE)
                    ? "; point --state-dir (or SWARM_STATE_DIR) at the directory that holds it, " + stateDir.getParent()
                    : "; point --state-dir (or SWARM_STATE_DIR) at the directory that holds swarm.db"));
        }
        if (Files.isDirectory(stateDir) && !(Files.isReadable(stateDir) && Files.isExecutable(stateDir))) {
            // its files would look absent ("no Swarmflow state"): say whose it is instead
            throw new InvalidRequestException("the state directory " + stateDir + " cannot be read by you (user "
                    + System.getProperty("user.name") + "): permission denied (" + ownerAndMode(stateDir) + "); run swarm as "
                    + "its owner, or point --state-dir (or SWARM_STATE_DIR) at a state directory of yours");
        }
        if (!Files.isRegularFile(stateDir.resolve(DB_FILE))) {
            SqlRunStore.refuseLostDatabase(stateDir, stateDir.resolve(DB_FILE)); // run files without their database
            throw new InvalidRequestException("no Swarmflow state in " + stateDir + enclosingStateDir(stateDir)
                    .map(d -> "; it is inside the state directory " + d + ": point --state-dir (or SWARM_STATE_DIR) at that")
                    .orElse("; start a run with `swarm run SPEC`, or point --state-dir (or SWARM_STATE_DIR) at the right directory"));
        }
        return create(stateDir, executor(stateDir, warnings), forReading);
    }

    /**
     * The state directory {@code dir} is inside (its {@code runs} folder, or a run's folder or one of its own), up to five
     * levels up: the one to name instead of {@code dir}; else empty.
     */
    static java.util.Optional<Path> enclosingStateDir(Path dir) {
        Path p = dir.toAbsolutePath().normalize().getParent();
        for (int i = 0; i < 5 && p != null; i++, p = p.getParent()) { // runs/RUN/logs/TICKET/N
            if (Files.isRegularFile(p.resolve(DB_FILE)) && Files.isDirectory(p.resolve("runs"))) return java.util.Optional.of(p);
        }
        return java.util.Optional.empty();
    }

    /** {@link SqlRunStore#quickCheck} of the store's database; empty for a store that is not SQL. */
    java.util.Optional<String> quickCheck() {
        return store instanceof SqlRunStore sql ? sql.quickCheck() : java.util.Optional.empty();
    }

    /** {@link SqlRunStore#ticketCount}; 0 for a store that is not SQL. */
    long ticketCount() {
        return store instanceof SqlRunStore sql ? sql.ticketCount() : 0;
    }

    /** {@link SqlRunStore#unreadable} of run {@code runId}; empty for a store that is not SQL. */
    java.util.Optional<String> unreadable(String runId) {
        return store instanceof SqlRunStore sql ? sql.unreadable(runId) : java.util.Optional.empty();
    }

    Path runDir(String runId) {
        return stateDir.resolve("runs").resolve(runId);
    }

    @Override
    public void close() {
        try {
            executor.close();
        } catch (Exception ignored) {
            // nothing to do on close failure of the executor
        }
        store.close();
    }
}
