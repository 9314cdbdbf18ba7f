package io.swarmflow.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Per-ticket git worktrees through the git CLI ({@code git worktree}, see git-worktree(1)).
 * Every method runs git synchronously with a clean git environment (no inherited {@code GIT_*}
 * variables, no terminal prompts, no hooks on commit) and throws {@link GitException} with git's
 * message when a command fails.
 *
 * <p>git runs with this process's umask plus {@code 022} (see {@link #LAUNCHER}), so what it writes (a worktree's
 * administrative directory {@code .git/worktrees/<name>}, its {@code HEAD}, {@code index}, {@code gitdir}, logs, the
 * branches and objects it makes) is never writable by group or others, even when swarm runs under {@code umask 000}.
 * A repository's {@code core.sharedRepository} still applies: git sets those modes itself.
 */
public final class GitWorktrees {
    /** Author and committer of the commits Swarmflow makes. */
    public static final String AUTHOR_NAME = "Swarmflow";
    /** E-mail of the author and committer of the commits Swarmflow makes. */
    public static final String AUTHOR_EMAIL = "swarm@localhost";

    private static final long TIMEOUT_MINUTES = 10;
    /** How long one git command may run, in milliseconds: {@link #TIMEOUT_MINUTES}; tests shorten it. */
    static volatile long timeoutMillis = TimeUnit.MINUTES.toMillis(TIMEOUT_MINUTES);
    private static final String BASE_KEY = "swarmflowBase";

    private GitWorktrees() {}

    /** True when {@code dir} is inside a git working tree (and git is installed). */
    public static boolean isRepository(Path dir) {
        return notRepository(dir).isEmpty();
    }

    /**
     * What git wrote on stderr, as one line for a message: its lines stripped, blank ones dropped, and joined with {@code
     * ; }, or with a space after a line that ends with {@code :} (git's "To add an exception for this directory, call:",
     * then an indented command). Messages are printed one per line, their line breaks and tabs escaped.
     */
    static String oneLine(String stderr) {
        StringBuilder sb = new StringBuilder();
        for (String line : stderr.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty()) continue;
            if (!sb.isEmpty()) sb.append(sb.charAt(sb.length() - 1) == ':' ? " " : "; ");
            sb.append(l);
        }
        return sb.toString();
    }

    /**
     * Why {@code dir} is not inside a git working tree for git: git's own message, one line ({@code fatal: detected
     * dubious ownership in repository at '/r'; To add an exception for this directory, call: git config --global --add
     * safe.directory /r}), or why git could not run (not installed); empty when it is.
     */
    public static Optional<String> notRepository(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) return Optional.of(dir + " is not a directory");
        try {
            return git(dir, "rev-parse", "--is-inside-work-tree").trim().equals("true") ? Optional.empty()
                    : Optional.of("it is not inside a working tree");
        } catch (GitException e) {
            return Optional.of(e.gitSaid().isEmpty() ? e.getMessage() : "git rev-parse said: " + e.gitSaid());
        }
    }

    /** True when the repository at {@code repo} has a commit at {@code HEAD} (false also when git fails). */
    public static boolean hasCommit(Path repo) {
        return tryGit(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").isPresent();
    }

    /**
     * The branch {@code HEAD} names when it has no commit yet while other branches of the repository have commits
     * (an orphan branch checked out, {@code git switch --orphan}); empty otherwise, also when git fails.
     */
    public static Optional<String> unbornBranchWithOthers(Path repo) {
        if (hasCommit(repo)) return Optional.empty();
        boolean others = tryGit(repo, "for-each-ref", "--count=1", "--format=%(refname)", "refs/heads").filter(s -> !s.isEmpty()).isPresent();
        return others ? tryGit(repo, "symbolic-ref", "--quiet", "--short", "HEAD").filter(s -> !s.isEmpty()) : Optional.empty();
    }

    /**
     * A local branch whose name is a leading part of {@code branch} up to a {@code /} (for {@code swarm/r1/t}: {@code
     * swarm}, then {@code swarm/r1}), which keeps git from making {@code branch}: a branch's name cannot also be a
     * directory of branches ("'refs/heads/swarm' exists; cannot create 'refs/heads/swarm/r1/t'"). Empty when there is
     * none, also when git fails.
     *
     * @param branch a branch name, or a prefix ending in {@code /} ({@code swarm/} checks {@code swarm} alone)
     */
    public static Optional<String> branchInTheWay(Path repo, String branch) {
        for (int slash = branch.indexOf('/'); slash > 0; slash = branch.indexOf('/', slash + 1)) {
            String prefix = branch.substring(0, slash);
            if (tryGit(repo, "rev-parse", "--verify", "--quiet", "refs/heads/" + prefix).isPresent()) return Optional.of(prefix);
        }
        return Optional.empty();
    }

    /** What to say of a branch {@link #branchInTheWay} found, with the fix. */
    public static String inTheWay(Path repo, String inTheWay, String branch) {
        return repo + " has a branch named " + inTheWay + ", so git cannot make the worktree ticket's branch " + branch
                + " (a branch's name cannot also be a directory of branches); rename it (git -C " + repo + " branch -m "
                + inTheWay + " " + inTheWay + "-old) and run again";
    }

    /** The top-level directory of the working tree containing {@code dir}. */
    public static Path topLevel(Path dir) throws GitException {
        return Path.of(git(dir, "rev-parse", "--show-toplevel").trim());
    }

    /** The repository's shared git directory (usually {@code <repo>/.git}), absolute. */
    public static Path commonGitDir(Path repo) throws GitException {
        Path p = Path.of(git(repo, "rev-parse", "--git-common-dir").trim());
        return p.isAbsolute() ? p.normalize() : repo.resolve(p).toAbsolutePath().normalize();
    }

    /**
     * Whether {@code worktree}'s {@code .git} is git's own for a worktree of {@code repo}: a regular file (not a link)
     * saying {@code gitdir: DIR}, DIR a directory in {@code worktrees/} of the repository's git directory, whose own
     * {@code gitdir} file names this {@code .git} back (each path absolute, or relative as git 2.48+ writes them with
     * {@code worktree.useRelativePaths}: DIR to the worktree, the record's to the record). Anything else (deleted, a link, a directory, a file a ticket wrote
     * pointing at a repository of its own, perhaps in the run's scratch) would have git run in the worktree follow it, and
     * run what that repository configures ({@code core.fsmonitor}, hooks) on the host: a command suggested to the user must
     * not. Nor may it where a plain {@code git status} would start git inside a repository the ticket made: git enters
     * every gitlink's directory that is not empty (a repository the ticket made and Swarmflow's commit recorded as a link,
     * {@link #nestedWork}) and runs {@code git status} there, which runs that repository's {@code core.fsmonitor} and
     * hooks; so the worktree must have no such directory either. Reads the repository's git directory from git
     * ({@code rev-parse}, in {@code repo}, trusted) and the gitlinks through the worktree's administrative directory
     * ({@code ls-files}, {@code ls-tree}); never runs git in the worktree's {@code .git} or in a nested repository.
     *
     * @param repo     the repository the worktree was made from
     * @param worktree the worktree's directory
     * @return true only when all of the above holds (git may then be suggested in the worktree); false when anything
     *         cannot be read
     */
    public static boolean dotGitIsGitsOwn(Path repo, Path worktree) {
        return whyGitIsUnsafeIn(repo, worktree).isEmpty();
    }

    /**
     * Why git must not be suggested in {@code worktree} ({@link #dotGitIsGitsOwn} false), for a message that says which
     * it is: its {@code .git} is not git's own, or it holds repositories a ticket made (named, at most three), or the
     * worktree cannot be read.
     *
     * @return empty when git may be suggested there; else a clause such as {@code its .git is not git's own} or {@code it
     *         holds a repository the ticket made (sub)}
     */
    public static Optional<String> whyGitIsUnsafeIn(Path repo, Path worktree) {
        try {
            Optional<Path> admin = gitsOwnFile(repo, worktree);
            if (admin.isEmpty()) return Optional.of("its .git is not git's own");
            // a plain git status enters every gitlink's directory that holds a repository (git status --porcelain=2 in
            // it, with its own config): the ticket's, whose core.fsmonitor and hooks would run on the host
            List<String> nested = nestedWork(new Worktree(topLevel(repo), worktree, null, null, admin.get(), null, null));
            if (nested.isEmpty()) return Optional.empty();
            return Optional.of("it holds " + (nested.size() == 1 ? "a repository" : nested.size() + " repositories")
                    + " the ticket made (" + String.join(", ", nested.subList(0, Math.min(3, nested.size())))
                    + (nested.size() > 3 ? ", ..." : "") + "), which git status would enter and run the commands it configures");
        } catch (GitException | RuntimeException e) {
            return Optional.of("it cannot be read (" + e.getMessage() + ")");
        }
    }

    /**
     * For tests: runs in {@link #gitsOwnFile} and {@link #restoreGitFile} between the check of {@code .git}'s attributes and
     * the read of its content.
     */
    static volatile Runnable betweenCheckAndRead = () -> {};

    /**
     * The worktree's administrative directory (real path) when its {@code .git} is git's own, as {@link #dotGitIsGitsOwn}
     * says (that part of it); empty otherwise, also when anything cannot be read.
     */
    private static Optional<Path> gitsOwnFile(Path repo, Path worktree) {
        try {
            Path file = worktree.resolve(".git");
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > 4096) return Optional.empty();
            betweenCheckAndRead.run();
            // not through a link, nor a FIFO (whose open would block), put there since by a process the ticket left running
            byte[] bytes = readRegularFile(worktree, ".git", 4096);
            if (bytes == null) return Optional.empty();
            String content = new String(bytes, StandardCharsets.UTF_8);
            if (!content.startsWith("gitdir: ")) return Optional.empty();
            // absolute, or relative to the worktree, as git reads it (git 2.48+ with worktree.useRelativePaths writes that)
            Path admin = worktree.resolve(content.substring("gitdir: ".length()).strip());
            Path worktrees = commonGitDir(repo).toRealPath().resolve("worktrees");
            Path realAdmin = admin.toRealPath();
            if (!realAdmin.getParent().equals(worktrees)) return Optional.empty();
            // the record's own path: absolute, or relative to the record
            byte[] recorded = recordedGitdir(realAdmin);
            if (recorded == null) return Optional.empty();
            Path back = realAdmin.resolve(new String(recorded, StandardCharsets.UTF_8).strip());
            return back.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())
                    || back.toRealPath().equals(file.toRealPath()) ? Optional.of(realAdmin) : Optional.empty();
        } catch (IOException | GitException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes the {@code .git} of every worktree under {@code <runDir>/worktrees} that git records for the repository git's
     * own again ({@link #restoreGitFile}), for the worktrees of attempts whose coordinator was killed (kill -9, a crash)
     * while their ticket had deleted or replaced it: nothing restored those, and git run there later (by Swarmflow, by
     * the user, by a shell prompt that shows the branch) would follow what the ticket left. git's own content is {@code
     * gitdir: } and the real path of the worktree's administrative directory in the repository ({@code
     * .git/worktrees/<name>}, whose {@code gitdir} file names the worktree's {@code .git}), as git writes it: absolute, or
     * relative to the worktree when the record names the worktree by a relative path (git 2.48+ with {@code
     * worktree.useRelativePaths} writes both so). A {@code .git}
     * that is git's own already is left as it is; a worktree whose directory is gone, or not a directory, too. Never runs
     * git in a worktree.
     *
     * @param repo   the repository the worktrees were made from
     * @param runDir the run's directory
     * @return by worktree directory (as git records it), what its ticket had left instead ({@link #restoreGitFile}'s
     *         words), for those restored; empty when there was nothing to do
     * @throws GitException when git's records cannot be listed; {@link PartlyRestored} when a {@code .git} could not be
     *                      written back (the others are restored all the same, and it holds them; the message names each
     *                      one that was not, and says not to run git there). A record that cannot be read or decoded, or
     *                      names a path this JVM cannot map, is not this run's and is skipped
     */
    public static Map<Path, String> restoreGitFiles(Path repo, Path runDir) throws GitException {
        Path top = topLevel(repo);
        Path root = runDir.toAbsolutePath().normalize().resolve("worktrees");
        Path realRoot = real(root);
        Map<Path, String> restored = new java.util.TreeMap<>();
        Path admin = commonGitDir(top).resolve("worktrees");
        if (!Files.isDirectory(admin)) return restored;
        List<String> failures = new ArrayList<>();
        List<Path> records;
        try (Stream<Path> list = Files.list(admin)) {
            records = list.sorted().toList();
        } catch (IOException e) {
            throw new GitException("cannot read git's worktree records in " + admin + ": " + e.getMessage());
        }
        // each record on its own: one that cannot be read (the user's own worktree, another run's) stops no other
        for (Path record : records) {
            Optional<Recorded> wt;
            try {
                wt = recordedWorktreeUnder(record, root, realRoot);
            } catch (io.swarmflow.files.NonBlockingRead.UnavailableException e) {
                failures.add(record + ": " + e.getMessage());
                continue;
            }
            if (wt.isEmpty()) continue;
            Path dir = wt.get().worktree();
            try {
                if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) || gitsOwnFile(top, dir).isPresent()) continue;
                // in the record's form: a relative record (git 2.48+ with worktree.useRelativePaths) gets a relative .git
                // file, as git writes the two, so a repository moved with its worktrees (or mounted elsewhere) still works
                Path realRecord = record.toRealPath();
                String content = "gitdir: " + (wt.get().relative() ? dir.toRealPath().relativize(realRecord) : realRecord) + "\n";
                restoreGitFile(new Worktree(top, dir, null, null, record, null, content))
                        .ifPresent(found -> restored.put(dir, found));
            } catch (GitException e) {
                failures.add(e.getMessage());
            } catch (IOException | RuntimeException e) {
                failures.add("cannot restore the .git file of the worktree " + dir + " (its record " + record + ": " + e
                        + "); do not run git there before its .git file is git's own (git worktree repair " + dir + " writes it)");
            }
        }
        if (!failures.isEmpty()) throw new PartlyRestored(String.join("; ", failures), restored);
        return restored;
    }

    /**
     * {@link #restoreGitFiles} could not restore every {@code .git} it had to: the message names each one not restored;
     * {@link #restored} holds those that were, as {@link #restoreGitFiles} returns them.
     */
    public static final class PartlyRestored extends GitException {
        private final transient Map<Path, String> restored;

        PartlyRestored(String message, Map<Path, String> restored) {
            super(message);
            this.restored = Map.copyOf(restored);
        }

        /** By worktree directory, what its ticket had left instead, for those restored all the same. */
        public Map<Path, String> restored() {
            return new java.util.TreeMap<>(restored);
        }
    }

    /**
     * The bytes of a worktree record's {@code gitdir} file ({@code <record>/gitdir}), which a ticket without bubblewrap can
     * write: read only when it is a regular file, not through a link (a link to {@code /dev/zero} made {@code swarm status}
     * run out of memory; review D6 F5), nor a FIFO swapped in after the check (whose open would block: {@link
     * #readRegularFile}), at most 64 KiB; null otherwise.
     *
     * @throws IOException when it cannot be read
     */
    private static byte[] recordedGitdir(Path record) throws IOException {
        if (!Files.isRegularFile(record.resolve("gitdir"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) return null;
        betweenRecordCheckAndRead.run();
        return readRegularFile(record, "gitdir", 65536);
    }

    /** For tests: runs in {@link #recordedGitdir} between the check of the record's type and its read. */
    static volatile Runnable betweenRecordCheckAndRead = () -> {};

    /**
     * The bytes of the file {@code name} in the directory {@code dir}, read only when it is a regular file: not through a
     * symbolic link, and never blocking on a FIFO put there since it was looked at (a process a ticket left running may
     * swap one in, and opening a FIFO for reading waits for a writer), nor waiting on a lease its owner holds on it: it is
     * opened for reading only, with {@code O_NONBLOCK} ({@link io.swarmflow.files.NonBlockingRead}), and read only when the
     * opened descriptor is a regular file. Where that cannot be done (JNA not loaded), it is not opened at all.
     *
     * @param maxBytes the most bytes it may hold
     * @return its bytes; null when it is not a regular file (a link, a FIFO, a socket, a device, a directory) or holds more
     *         than {@code maxBytes}
     * @throws java.nio.file.NoSuchFileException   when it does not exist
     * @throws java.nio.file.AccessDeniedException when this user cannot open it for reading ({@code chmod 000})
     * @throws IOException                         when it cannot be read otherwise, also when this JVM cannot open a file
     *                                             without blocking ({@link io.swarmflow.files.NonBlockingRead.UnavailableException}, whose
     *                                             message says why)
     */
    private static byte[] readRegularFile(Path dir, String name, int maxBytes) throws IOException {
        try {
            return io.swarmflow.files.NonBlockingRead.read(dir.resolve(name), maxBytes);
        } catch (io.swarmflow.files.NonBlockingRead.NotRegularException | io.swarmflow.files.NonBlockingRead.TooLargeException e) {
            return null;
        }
    }

    /**
     * The worktree directory that git's worktree record {@code record} names (its {@code gitdir} file: the worktree's
     * {@code .git}, absolute or relative to the record), when it lies under {@code root} or {@code realRoot}; empty for
     * any other, also for a record that cannot be read, is not UTF-8, or names a path this JVM cannot map (a non-ASCII
     * name in the C locale): such a record is not under {@code root}, whose path the JVM did map. An absolute path is
     * compared as text before it is made a path.
     *
     * @throws io.swarmflow.files.NonBlockingRead.UnavailableException when no file can be read here without the risk of
     *         blocking (no readable {@code /proc/self/fd}, say): not knowing, the caller must not take the record for another's
     */
    private static Optional<Recorded> recordedWorktreeUnder(Path record, Path root, Path realRoot)
            throws io.swarmflow.files.NonBlockingRead.UnavailableException {
        try {
            byte[] bytes = recordedGitdir(record);
            if (bytes == null) return Optional.empty();
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString().strip();
            if (text.startsWith("/") && !text.startsWith(root + "/") && !text.startsWith(realRoot + "/")) return Optional.empty();
            // absolute, or relative to the record (git 2.48+ with worktree.useRelativePaths)
            Path dotGit = record.resolve(text).normalize();
            Path wt = dotGit.getParent();
            if (wt == null || !(wt.startsWith(root) || wt.startsWith(realRoot)) || dotGit.getFileName() == null
                    || !dotGit.getFileName().toString().equals(".git")) {
                return Optional.empty();
            }
            return Optional.of(new Recorded(wt, !text.startsWith("/")));
        } catch (io.swarmflow.files.NonBlockingRead.UnavailableException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A worktree directory as git's record names it, and whether the record names it by a path relative to the record
     * (git 2.48+ with {@code worktree.useRelativePaths}) rather than an absolute one.
     */
    private record Recorded(Path worktree, boolean relative) {}

    /**
     * The git operation in progress in the working tree of {@code repo} (its own git directory: a linked worktree has its
     * own), which leaves {@code HEAD} at an intermediate commit (detached during a rebase or a bisect) or before the
     * operation's commit (a merge, cherry-pick or revert stopped on conflicts): "a rebase", "a rebase or git am" ({@code
     * rebase-apply}), "a merge", "a cherry-pick", "a revert", "a cherry-pick or revert sequence" ({@code sequencer}),
     * "a bisect", by git's state files ({@code rebase-merge}, {@code rebase-apply}, {@code MERGE_HEAD}, {@code
     * CHERRY_PICK_HEAD}, {@code REVERT_HEAD}, {@code sequencer}, {@code BISECT_LOG}), with what ends it. A sequence is
     * "a cherry-pick sequence" or "a revert sequence" by its {@code sequencer/todo}, with that command's {@code --continue}
     * and {@code --abort}, also while it is stopped on a conflict ({@code CHERRY_PICK_HEAD} or {@code REVERT_HEAD} with
     * {@code sequencer}: its {@code HEAD} already holds the commits it made before); a bisect is ended only by {@code git bisect reset}, also once it has named the first bad commit. Empty when there is
     * none, also when git fails.
     *
     * @return the operation and its commands, for example {@code ["a rebase", "git rebase --continue", "git rebase --abort"]}
     */
    public static Optional<List<String>> operationInProgress(Path repo) {
        Optional<String> dir = tryGit(repo, "rev-parse", "--absolute-git-dir");
        if (dir.isEmpty()) return Optional.empty();
        Path gitDir = Path.of(dir.get());
        for (String[] state : new String[][] {{"rebase-merge", "a rebase", "git rebase --continue", "git rebase --abort"},
                {"rebase-apply", "a rebase or git am", "git rebase --continue or git am --continue", "git rebase --abort or git am --abort"},
                {"MERGE_HEAD", "a merge", "git commit", "git merge --abort"},
                {"CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"},
                {"REVERT_HEAD", "a revert", "git revert --continue", "git revert --abort"},
                {"sequencer", "a cherry-pick or revert sequence", "git cherry-pick --continue or git revert --continue",
                        "git cherry-pick --abort or git revert --abort"},
                // BISECT_LOG stays once the first bad commit is named: only git bisect reset ends a bisect
                {"BISECT_LOG", "a bisect", "git bisect good or bad until it names the first bad commit, then git bisect reset",
                        "git bisect reset"}}) {
            if (Files.exists(gitDir.resolve(state[0]), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // a cherry-pick or revert of several commits stopped on one of them: HEAD holds those made before it
                boolean several = (state[0].equals("CHERRY_PICK_HEAD") || state[0].equals("REVERT_HEAD"))
                        && Files.isDirectory(gitDir.resolve("sequencer"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (several) {
                    String named = state[0].equals("CHERRY_PICK_HEAD") ? "a cherry-pick sequence" : "a revert sequence";
                    return Optional.of(sequence(gitDir.resolve("sequencer")).orElse(List.of(named, state[2], state[3])));
                }
                if (state[0].equals("sequencer")) return Optional.of(sequence(gitDir.resolve("sequencer")).orElse(List.of(state[1], state[2], state[3])));
                return Optional.of(List.of(state[1], state[2], state[3]));
            }
        }
        return Optional.empty();
    }

    /**
     * A cherry-pick or revert of several commits whose {@code *_HEAD} is gone (a conflict resolved with {@code git
     * commit}), by the first command of git's {@code sequencer/todo} ({@code pick} or {@code revert}): each has its own
     * {@code --continue} and {@code --abort} (git cherry-pick refuses to go on with a revert). Empty when the file
     * cannot be read or names neither.
     */
    private static Optional<List<String>> sequence(Path sequencer) {
        try (java.util.stream.Stream<String> lines = Files.lines(sequencer.resolve("todo"), StandardCharsets.UTF_8)) {
            String first = lines.limit(1000).map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElse("");
            String command = first.split("\\s+", 2)[0];
            if (command.equals("pick") || command.equals("p")) {
                return Optional.of(List.of("a cherry-pick sequence", "git cherry-pick --continue", "git cherry-pick --abort"));
            }
            if (command.equals("revert")) return Optional.of(List.of("a revert sequence", "git revert --continue", "git revert --abort"));
        } catch (IOException | RuntimeException e) {
            // named as either
        }
        return Optional.empty();
    }

    /**
     * What {@code HEAD} is during {@code operation} (as {@link #operationInProgress} names it), for a message that says
     * which commit a run started from: a rebase's or a bisect's is a commit it checked out on the way ("an intermediate
     * commit of it", "a commit the bisect checked out"); a cherry-pick or revert sequence's (of several commits) holds
     * those it made so far ("the commits picked so far, without those still to come", "the reverts made so far, ...");
     * a single merge's, cherry-pick's or revert's is the commit before it, without what it brings ("the commit before
     * it, without what it would add").
     */
    public static String headDuring(String operation) {
        if (operation.contains("bisect")) return "a commit the bisect checked out";
        if (operation.contains("rebase") || operation.contains("git am")) return "an intermediate commit of it";
        if (operation.contains("cherry-pick or revert sequence")) return "the commits picked or reverted so far, without those still to come";
        if (operation.contains("cherry-pick sequence")) return "the commits picked so far, without those still to come";
        if (operation.contains("revert sequence")) return "the reverts made so far, without those still to come";
        return "the commit before it, without what it would add";
    }

    /** Whether the repository's {@code HEAD} is detached (names a commit, not a branch); false also when git fails. */
    public static boolean headDetached(Path repo) {
        return tryGit(repo, "symbolic-ref", "--quiet", "HEAD").isEmpty() && hasCommit(repo);
    }

    /** The sha of the repository's {@code HEAD} commit, or empty when it has none (or git fails). */
    public static Optional<String> headCommit(Path repo) {
        return tryGit(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}");
    }

    /** {@link #createWorktree(Path, Path, String, String)} without a pinned base: from {@code HEAD}, base recorded in git's config. */
    public static Worktree createWorktree(Path repo, Path dir, String branch) throws GitException {
        return createWorktree(repo, dir, branch, null);
    }

    /**
     * Creates a clean worktree at {@code dir} on {@code branch}, starting at {@code base}: the commit a run
     * pinned for all its worktree tickets. When the branch exists (an earlier attempt of the ticket), it is
     * reset, so a retry starts clean (commits only it held are then in git's reflog alone; the overload with {@code keepAs}
     * keeps them on a branch); a leftover worktree at {@code dir} is removed first. Branches made by
     * earlier versions recorded their base in git's config ({@code branch.<name>.swarmflowBase}), which then
     * wins; without a pinned base the branch starts at {@code HEAD} and its base is recorded that way.
     *
     * <p>The worktree is created locked ({@code git worktree add --lock}) until {@link #unlock}: a ticket may delete its
     * worktree's {@code .git} file, and any {@code git worktree prune} meanwhile (another worktree ticket starting, another
     * run, the user) would then delete the worktree's administrative directory, so its work could not be committed.
     *
     * <p>Worktrees of one repository are created one at a time in this process (git locks its config and
     * its worktree records), and a git command that finds another process's lock is retried (see {@link #git}).
     *
     * <p>The directory above {@code dir} (a run's {@code worktrees/}), and any missing above it, is created with mode
     * 0700 whatever the umask, as the run's directory is: the worktrees hold what the tickets wrote.
     *
     * @param base the pinned commit (sha), or null
     * @throws GitException when the repository has no commit yet, the pinned base is not a commit, or git fails
     */
    public static Worktree createWorktree(Path repo, Path dir, String branch, String base) throws GitException {
        return createWorktree(repo, dir, branch, base, null);
    }

    /**
     * {@link #createWorktree(Path, Path, String, String)}, keeping what an existing {@code branch} held: when its tip
     * has commits that the new base does not (a commit someone added to the branch by hand after an earlier attempt,
     * or one an attempt made before its coordinator died), a branch named {@code keepAs} is created at that tip
     * before {@code branch} is reset, and the returned worktree names it ({@link Worktree#kept()}).
     *
     * @param keepAs the name of the branch that keeps such commits (for example {@code swarm/<run>/<ticket>.before-attempt-3});
     *               null resets the branch without keeping them (they are then only in git's reflog)
     * @throws GitException as {@link #createWorktree(Path, Path, String, String)}, and when a branch {@code keepAs}
     *                      already exists at another commit (nothing is changed then)
     */
    public static Worktree createWorktree(Path repo, Path dir, String branch, String base, String keepAs) throws GitException {
        Path top = topLevel(repo);
        ReentrantLock lock = LOCKS.computeIfAbsent(top, t -> new ReentrantLock());
        lock.lock();
        try {
            return create(top, dir, branch, base, keepAs);
        } finally {
            lock.unlock();
        }
    }

    /** One lock per repository (its top-level directory) for what changes git's shared records. */
    private static final java.util.concurrent.ConcurrentHashMap<Path, ReentrantLock> LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Worktree create(Path top, Path dir, String branch, String pinned, String keepAs) throws GitException {
        Path target = dir.toAbsolutePath().normalize();
        boolean existing = tryGit(top, "rev-parse", "--verify", "--quiet", "refs/heads/" + branch).isPresent();
        Path holder = existing ? checkedOut(top, target, branch).get(branch) : null; // a first attempt's branch is new
        if (holder != null) { // git would refuse to reset it ("cannot force update the branch"); say why before changing anything
            throw new GitException("branch " + branch + " is checked out in " + holder + ", so the ticket cannot start again "
                    + "from a fresh worktree on it; switch that working tree to another branch (git -C " + holder
                    + " switch -) before the ticket runs again");
        }
        String head = tryGit(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
                .orElseThrow(() -> new GitException("repository " + top + " has no commit yet; make an initial commit first"));
        if (pinned != null && tryGit(top, "cat-file", "-e", pinned + "^{commit}").isEmpty()) {
            throw new GitException("the run's base commit " + pinned + " is not in " + top + " any more");
        }
        Optional<String> blocking = branchInTheWay(top, branch);
        if (blocking.isPresent()) throw new GitException(inTheWay(top, blocking.get(), branch));
        String base = pinned != null ? pinned : head;
        Optional<String> recorded = existing ? tryGit(top, "config", "--get", "branch." + branch + "." + BASE_KEY)
                .filter(sha -> tryGit(top, "cat-file", "-e", sha + "^{commit}").isPresent()) : Optional.empty();
        if (recorded.isPresent()) {
            base = recorded.get();
        } else if (existing && pinned == null) {
            base = tryGit(top, "merge-base", head, "refs/heads/" + branch).orElse(head);
        }
        String kept = existing && keepAs != null ? keep(top, branch, base, keepAs) : null;
        removeWorktree(top, target);
        try {
            ownerOnlyDirectories(target.getParent());
        } catch (IOException e) {
            throw new GitException("cannot create " + target.getParent() + ": " + e.getMessage());
        }
        // a full checkout also in a repository with a sparse checkout, whose settings git 2.35+ copies into a new
        // worktree: the ticket works on the whole base commit, and what it writes anywhere can be committed
        recordingGit(top, concat(List.of(concat(sameOnEveryMachine(top), FULL_CHECKOUT)), "worktree", "add", "--quiet", "--force", "--lock", "-B", branch,
                target.toString(), base));
        if (pinned == null) recordingGit(top, "config", "branch." + branch + "." + BASE_KEY, base);
        Path gitDir = Path.of(git(target, "rev-parse", "--absolute-git-dir").trim()); // nothing has run in it yet
        String gitFile;
        try {
            gitFile = Files.readString(target.resolve(".git"));
        } catch (IOException e) {
            throw new GitException("cannot read the .git file git wrote in the new worktree " + target + ": " + e.getMessage());
        }
        return new Worktree(top, target, branch, base, gitDir, kept, gitFile);
    }

    /**
     * Creates {@code dir} and its missing parents with mode 0700 (the umask only takes bits away); a directory that
     * exists keeps its mode. On a file system without POSIX modes, plainly: its own access rules apply.
     */
    private static void ownerOnlyDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        try {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        }
    }

    /**
     * Creates branch {@code keepAs} at {@code branch}'s tip when that tip has commits {@code base} does not have;
     * returns {@code keepAs} then, else null. A {@code keepAs} that already points at the tip is kept as it is.
     */
    private static String keep(Path top, String branch, String base, String keepAs) throws GitException {
        String tip = git(top, "rev-parse", "--verify", "--quiet", "refs/heads/" + branch + "^{commit}").strip();
        if (tryGit(top, "merge-base", "--is-ancestor", tip, base).isPresent()) return null; // nothing base does not hold
        Optional<String> existing = tryGit(top, "rev-parse", "--verify", "--quiet", "refs/heads/" + keepAs + "^{commit}").map(String::strip);
        if (existing.isPresent()) {
            if (existing.get().equals(tip)) return keepAs;
            throw new GitException("branch " + keepAs + " already exists (at " + existing.get() + "), so the commits on " + branch
                    + " that its new attempt would reset cannot be kept there; rename or delete it (git branch -m " + keepAs
                    + " NEW) and run the ticket again");
        }
        recordingGit(top, "branch", "--no-track", keepAs, tip);
        return keepAs;
    }

    /** git add's message for a nested repository with no commit, naming its path. */
    private static final java.util.regex.Pattern EMPTY_NESTED = java.util.regex.Pattern.compile("error: '(.+?)/?' does not have a commit checked out");

    /**
     * Unlocks a worktree {@link #createWorktree} made, once its work is committed (or its attempt failed): git may then
     * prune its record when its directory is gone. Quiet: an unlocked or removed worktree is left as it is.
     */
    public static void unlock(Worktree worktree) {
        tryGit(worktree.repo(), "worktree", "unlock", worktree.dir().toString());
    }

    /**
     * Makes the worktree's {@code .git} git's own again: a regular file holding exactly what git wrote when it made the
     * worktree ({@link Worktree#gitFile}), which names the worktree's administrative directory in the main repository.
     * A ticket may have deleted it (packaging scripts run {@code rm -rf .git}), pointed it at a repository of its own,
     * or put a directory or a symbolic link in its place: git run in the worktree afterwards (by a person looking at
     * a failed ticket's work, by a shell prompt that shows the branch) would follow that and run what the ticket's
     * repository configures ({@code core.fsmonitor}, hooks), on the host. What is there is replaced: a file or link by
     * an atomic rename of git's content over it, a directory (the ticket's repository) deleted first. Swarmflow's own
     * commands never read that file ({@link #commitAll}), and git never commits a {@code .git}, so nothing of the
     * ticket's work on its branch is lost.
     *
     * <p>Nothing is done when the worktree's directory is gone or is no longer a directory (a symbolic link the ticket
     * put in its place): the attempt fails for that already, and writing through a link would write elsewhere.
     *
     * @return what the ticket had left instead (for example {@code "deleted"}, {@code "a directory"}, {@code "a symbolic
     *         link to /x"}, {@code "a file saying gitdir: /x"}); empty when the file was git's own
     * @throws GitException when it cannot be restored (the message says what is there and why)
     */
    public static Optional<String> restoreGitFile(Worktree worktree) throws GitException {
        Path dir = worktree.dir();
        if (worktree.gitFile() == null || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        Path file = dir.resolve(".git");
        String found;
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile()) {
                byte[] content = null;
                String unreadable = null;
                boolean swapped = false;
                if (a.size() <= 4096) {
                    // not through a link, nor a FIFO whose open would block, the ticket put there since (a process it
                    // left running, without bubblewrap)
                    betweenCheckAndRead.run();
                    try {
                        content = readRegularFile(dir, ".git", 4096);
                        swapped = content == null;
                    } catch (java.nio.file.NoSuchFileException e) {
                        swapped = true;
                    } catch (IOException e) { // chmod 000 .git (an ordinary user's): replaced all the same, unread
                        unreadable = "a file that cannot be read (" + modeOf(file) + (e instanceof io.swarmflow.files.NonBlockingRead.UnavailableException
                                ? e.getMessage() : e.getClass().getSimpleName()) + ")";
                    }
                }
                if (swapped) unreadable = "a file replaced while it was read (by a link, a FIFO or another file)";
                if (content != null && new String(content, StandardCharsets.UTF_8).equals(worktree.gitFile())) return Optional.empty();
                String text = content == null ? "" : new String(content, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
                found = unreadable != null ? unreadable : content == null ? "a file of " + a.size() + " bytes"
                        : text.isEmpty() ? "an empty file" : "a file saying " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
            } else if (a.isSymbolicLink()) {
                found = "a symbolic link to " + Files.readSymbolicLink(file);
            } else if (a.isDirectory()) {
                found = "a directory (a repository of the ticket's own)";
            } else {
                found = "a special file (a FIFO, a socket or a device)";
            }
        } catch (java.nio.file.NoSuchFileException e) {
            found = "deleted";
        } catch (IOException e) {
            throw new GitException("cannot read the worktree's .git file " + file + " to check that it is git's own: " + e.getMessage());
        }
        try {
            restore(dir, file, worktree.gitFile());
        } catch (java.nio.file.AccessDeniedException e) {
            try { // the ticket took away its own write permission on the worktree (chmod a-w .): it is ours to give back
                Files.setPosixFilePermissions(dir, java.util.EnumSet.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE, java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE));
                restore(dir, file, worktree.gitFile());
            } catch (IOException | UnsupportedOperationException again) {
                throw notRestored(file, found, again);
            }
        } catch (IOException e) {
            throw notRestored(file, found, e);
        }
        return Optional.of(found);
    }

    /** {@code "mode 000, "} for a file's permission bits (not following a link), or nothing when they cannot be read. */
    private static String modeOf(Path file) {
        try {
            int mode = 0;
            for (java.nio.file.attribute.PosixFilePermission p : Files.getPosixFilePermissions(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                mode |= 1 << (8 - p.ordinal()); // OWNER_READ first: 0400
            }
            return "mode " + String.format("%03o", mode) + ", ";
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static GitException notRestored(Path file, String found, Exception e) {
        return new GitException("the ticket left its worktree's .git as " + found + ", and git's own .git file could not be "
                + "written back (" + e.getMessage() + "); do not run git in " + file.getParent() + " (git would follow what the "
                + "ticket left, and run what its configuration says) before you have looked at " + file);
    }

    /** Writes {@code content} to a new file beside {@code file} and renames it over {@code file}, a directory there deleted first. */
    private static void restore(Path dir, Path file, String content) throws IOException {
        Path temporary = dir.resolve(".git.swarmflow-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) io.swarmflow.files.FileTrees.delete(file);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Stages everything in the worktree ({@code git add -A}) and commits it with {@code message} as
     * {@value #AUTHOR_NAME} &lt;{@value #AUTHOR_EMAIL}&gt;, without running hooks.
     *
     * <p>The ticket had the worktree to itself, including its {@code .git} file: a {@code git -C <worktree>} would
     * follow whatever that file now says (another repository whose {@code core.fsmonitor}, say, runs a command on
     * this host, outside the sandbox). So git is pointed at the worktree's administrative directory recorded at
     * creation ({@code --git-dir}, which lies in the main repository, read-only to sandboxed tickets) and at the
     * worktree as its work tree ({@code --work-tree}), with no hooks ({@code core.hooksPath=/dev/null}) and no
     * file-system monitor ({@code core.fsmonitor=false}). git never stages a path named {@code .git}. No filter driver
     * runs ({@link #withoutFilters}): a {@code .gitattributes} the ticket wrote could otherwise send its files through
     * any clean or process command git's configuration defines (git-lfs's, say), on the host; each file is committed
     * as the bytes the ticket left. What the repository's ignore rules leave out is not committed; a user's own
     * ({@code core.excludesFile}, {@code ~/.config/git/ignore}) do not apply. A repository's sparse checkout does not
     * apply either ({@link #FULL_CHECKOUT}). Nor does anything of the worktree's index, which a ticket without the
     * sandbox can write (its "assume unchanged" and "skip worktree" bits, an entry's recorded file status): the work is
     * staged in an index of Swarmflow's own ({@link #PRIVATE_INDEX}), made from {@code HEAD}'s tree, every file's
     * content read once, which then replaces the worktree's index. A file the ticket added to the index though git
     * ignores it ({@code git add -f}) is left out as any ignored file. Line endings, the global attributes file, the
     * executable bit, symbolic links
     * and the other settings that decide what is staged of a file are the repository's own, else git's defaults, never
     * the user's or the system's ({@link #sameOnEveryMachine}), as when the worktree was made.
     *
     * <p>git skips a directory it cannot open (a ticket's {@code chmod 000}; a path longer than {@code PATH_MAX}) with
     * only a warning, so the commit would miss its files: then nothing is committed. A directory git ignores, or one
     * inside a nested repository, is not opened and does not count.
     *
     * @return the new commit's sha, or empty when there was nothing to commit
     * @throws UnopenedDirectories when git could not open directories of the work (nothing committed)
     * @throws GitException when git fails
     */
    public static Optional<String> commitAll(Worktree worktree, String message) throws GitException {
        restoreCommonDir(worktree);
        List<String> pinned = List.of(concat(List.of(concat(List.of(concat(withoutFilters(worktree), ONLY_THE_REPOSITORYS_IGNORES)),
                FULL_CHECKOUT)), sameOnEveryMachine(worktree.repo()).toArray(String[]::new)));
        // a ticket (without the sandbox, which keeps the index read-only) can write its worktree's index: mark its edits
        // "assume unchanged" or "skip worktree" (git update-index --assume-unchanged FILE), or give an entry the status of
        // the edited file and the base's content, and git add -A then passes them over. The commit is staged in an index
        // of Swarmflow's own instead, made afresh from HEAD's tree, which takes nothing from the ticket's
        Path index = worktree.gitDir().resolve(PRIVATE_INDEX);
        Path lock = worktree.gitDir().resolve(PRIVATE_INDEX + ".lock");
        try {
            try {
                Files.deleteIfExists(index); // left by a coordinator killed while committing; or the ticket's (not followed)
                Files.deleteIfExists(lock);
            } catch (IOException e) {
                throw new GitException("cannot remove " + index + " before committing the worktree " + worktree.dir() + ": " + e);
            }
            boolean staged = false;
            try {
                gitIndexed(worktree.repo(), index, null, concat(pinned, "read-tree", "HEAD"));
                // each entry's status recorded once, from the file's content: read-tree leaves them empty, and git add and
                // git commit would each hash every file again
                gitIndexed(worktree.repo(), index, null, concat(pinned, "update-index", "-q", "--refresh"));
                // git add -A skips a directory it cannot open (a ticket's chmod 000, a path past PATH_MAX) with only a warning
                List<Path> unopened = new ArrayList<>();
                boolean tooLong = false;
                java.util.regex.Matcher m = UNOPENED.matcher(gitIndexed(worktree.repo(), index, null, concat(pinned, "add", "-A")).stderr());
                staged = true;
                while (m.find()) {
                    unopened.add(worktree.dir().resolve(m.group(1).replaceFirst("/$", "")));
                    // git cuts a message at 4,096 bytes: a path that long loses its end, and the reason
                    tooLong |= m.group(2) == null || m.group(2).equals("File name too long");
                }
                if (!unopened.isEmpty()) throw new UnopenedDirectories(worktree, unopened, tooLong);
            } catch (UnopenedDirectories e) {
                install(index, worktree); // the rest of the work staged, as the exception says
                throw e;
            } catch (GitException e) {
                java.util.regex.Matcher empty = EMPTY_NESTED.matcher(e.getMessage());
                if (staged || !empty.find()) throw e;
                throw new GitException(empty.group(1) + " in the worktree is a git repository without a commit, which git cannot "
                        + "record (it records a nested repository as a link to its current commit); commit in it, or delete its .git "
                        + "to have its files committed with the rest");
            }
            if (tryGitIndexed(worktree.repo(), index, concat(pinned, "diff", "--cached", "--quiet"))) {
                install(index, worktree);
                return Optional.empty();
            }
            // the message on stdin, not the command line, where Linux takes at most 32 pages per argument (128 KiB with 4 KiB
            // pages: a long title); verbatim, whatever commit.cleanup says (strip would drop a title that begins with #)
            gitIndexed(worktree.repo(), index, message, concat(pinned, "-c", "user.name=" + AUTHOR_NAME, "-c", "user.email=" + AUTHOR_EMAIL,
                    "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "--cleanup=verbatim", "-F", "-"));
            install(index, worktree);
            return Optional.of(git(worktree.repo(), concat(pinned, "rev-parse", "HEAD")).trim());
        } finally {
            try {
                Files.deleteIfExists(index); // when it was not installed: a failed git command
            } catch (IOException e) {
                // a file git's next commit here removes first
            }
        }
    }

    /**
     * The file name, in a worktree's administrative directory, of the index {@link #commitAll} stages the ticket's work in
     * ({@code GIT_INDEX_FILE}), apart from the worktree's own {@code index}, which the ticket could write.
     */
    static final String PRIVATE_INDEX = "swarmflow-commit-index";

    /**
     * Makes {@code index}, which {@link #commitAll} staged the work in, the worktree's own index (renamed over it): what
     * {@code git status} and {@link #nestedWork} read in the worktree then agrees with the commit, and no mark the ticket
     * set is left in it.
     */
    private static void install(Path index, Worktree worktree) throws GitException {
        try {
            Files.move(index, worktree.gitDir().resolve("index"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new GitException("cannot make " + index + " the index of the worktree " + worktree.dir() + ": " + e);
        }
    }

    /**
     * git's warning for a directory it could not open, {@code warning: could not open directory 'PATH/': REASON} (dir.c,
     * {@code LC_ALL=C}; the path relative to the work tree), cut after 4,096 bytes (git's message buffer), when the path
     * and the reason may be missing their end.
     */
    private static final java.util.regex.Pattern UNOPENED =
            java.util.regex.Pattern.compile("(?m)^warning: could not open directory '(.*?)(?:': ([^\\n]*))?$");

    /**
     * {@link #commitAll} found directories that git could not open (a ticket's {@code chmod 000}, a path longer than
     * {@code PATH_MAX}) and so would have left their files out of the commit without an error: nothing was committed
     * (the rest of the work is staged).
     */
    public static final class UnopenedDirectories extends GitException {
        private final transient List<Path> directories;
        private final boolean tooLong;

        UnopenedDirectories(Worktree worktree, List<Path> directories, boolean tooLong) {
            super("git could not open " + directories.size() + " director" + (directories.size() == 1 ? "y" : "ies")
                    + " in the worktree " + worktree.dir());
            this.directories = List.copyOf(directories);
            this.tooLong = tooLong;
        }

        /** The directories, absolute, in the order git met them (a path git cut short as it was too long, cut short). */
        public List<Path> directories() {
            return directories;
        }

        /** Whether one of them could not be opened as its path is longer than {@code PATH_MAX}. */
        public boolean tooLong() {
            return tooLong;
        }
    }

    /**
     * The sha of the worktree's {@code HEAD}, read through its recorded administrative directory (as
     * {@link #commitAll} does): the commit a ticket made itself (possible without bubblewrap), or the base.
     */
    public static String head(Worktree worktree) throws GitException {
        return git(worktree.repo(), concat(pinned(worktree), "rev-parse", "HEAD")).trim();
    }

    /**
     * The full name of the branch the worktree has checked out ({@code refs/heads/...}), read through its recorded
     * administrative directory; empty for a detached {@code HEAD}.
     *
     * @throws GitException when git fails otherwise
     */
    public static Optional<String> checkedOutBranch(Worktree worktree) throws GitException {
        restoreCommonDir(worktree);
        String ref = git(worktree.repo(), concat(pinned(worktree), "rev-parse", "--symbolic-full-name", "HEAD")).trim();
        return ref.startsWith("refs/") ? Optional.of(ref) : Optional.empty();
    }

    /**
     * What the ticket left unfinished in its worktree that committing would seal (possible only without bubblewrap):
     * a merge, cherry-pick, revert or rebase in progress (their state files in the worktree's recorded administrative
     * directory), or paths with conflicts in the index ({@code git ls-files --unmerged}, as a {@code git stash pop} leaves
     * them). Empty when there is none.
     *
     * @throws GitException when git fails
     */
    public static Optional<String> unfinishedOperation(Worktree worktree) throws GitException {
        restoreCommonDir(worktree); // the first of the commit's git commands: none reads a commondir the ticket chose
        String operation = null;
        String finish = null;
        String abort = null;
        Path gitDir = worktree.gitDir();
        // rebase-apply is git am's or an apply-backend rebase's: its "applying" or "rebasing" file says which (git's wt-status.c)
        String[] apply = Files.exists(gitDir.resolve("rebase-apply/applying"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? new String[] {"rebase-apply", "a git am", "git am --continue", "git am --abort"}
                : Files.exists(gitDir.resolve("rebase-apply/rebasing"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? new String[] {"rebase-apply", "a rebase", "git rebase --continue", "git rebase --abort"}
                : new String[] {"rebase-apply", "a rebase or git am", "git rebase --continue or git am --continue",
                        "git rebase --abort or git am --abort"};
        // each with the command that finishes it: a rebase's git commit would leave the rebase stopped, on a detached HEAD
        for (String[] state : new String[][] {{"MERGE_HEAD", "a merge", "git commit", "git merge --abort"},
                {"CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"},
                {"REVERT_HEAD", "a revert", "git revert --continue", "git revert --abort"},
                {"rebase-merge", "a rebase", "git rebase --continue", "git rebase --abort"}, apply}) {
            if (Files.exists(gitDir.resolve(state[0]), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                operation = state[1];
                finish = state[2];
                abort = state[3];
                break;
            }
        }
        java.util.TreeSet<String> conflicts = new java.util.TreeSet<>();
        for (String entry : git(worktree.repo(), concat(pinned(worktree), "ls-files", "--unmerged", "-z")).split("\0")) {
            if (entry.indexOf('\t') > 0) conflicts.add(entry.substring(entry.indexOf('\t') + 1));
        }
        if (operation == null && conflicts.isEmpty()) return Optional.empty();
        String paths = conflicts.isEmpty() ? "" : "conflicts in " + String.join(", ", conflicts.stream().limit(10).toList())
                + (conflicts.size() > 10 ? " and " + (conflicts.size() - 10) + " more" : "");
        return Optional.of(operation == null ? "unresolved " + paths + " (resolve them and git add them, or git checkout them)"
                : operation + " in progress" + (paths.isEmpty() ? "" : " with " + paths)
                + " (finish it with " + finish + ", or abort it with " + abort + ")");
    }

    /**
     * The repository's common git directory of a linked worktree's git directory {@code COMMON/worktrees/ID}: {@code
     * COMMON}. Empty for any other directory.
     */
    static Optional<Path> commonDirOf(Path gitDir) {
        Path worktrees = gitDir.getParent();
        if (worktrees == null || worktrees.getFileName() == null || !worktrees.getFileName().toString().equals("worktrees")
                || worktrees.getParent() == null) return Optional.empty();
        return Optional.of(worktrees.getParent());
    }

    /**
     * Writes back the {@code commondir} file of the worktree's git directory as {@code git worktree add} wrote it
     * ({@code ../..}: the repository's git directory, two levels up) when it says anything else: a ticket without the
     * sandbox can rewrite it to a copy of the repository, and git would then commit the ticket's work there, leaving the
     * repository's branch at its base (review G HIGH-1). Nothing is done for a git directory not below {@code worktrees/}.
     */
    static void restoreCommonDir(Worktree worktree) throws GitException {
        if (commonDirOf(worktree.gitDir()).isEmpty()) return;
        Path file = worktree.gitDir().resolve("commondir");
        try {
            if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && Files.readString(file, StandardCharsets.UTF_8).equals("../..\n")) return;
            restore(worktree.gitDir(), file, "../..\n");
        } catch (IOException | RuntimeException e) {
            throw new GitException("cannot write back " + file + ", which the ticket changed: " + e.getMessage()
                    + "; do not run git in " + worktree.dir() + " before you have looked at it");
        }
    }

    /** git options that use the worktree's recorded git directory, never its {@code .git} file, with hooks and fsmonitor off. */
    private static List<String> pinned(Worktree worktree) {
        return List.of("--git-dir=" + worktree.gitDir(), "--work-tree=" + worktree.dir(),
                "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null");
    }

    /**
     * {@link #pinned}, and every filter driver that git's configuration defines for the worktree (the repository's,
     * the user's, the system's: {@code filter.<driver>.*}, as {@code git config --list} in that same environment shows
     * them, {@link #driversListed}) turned off for the command: an empty {@code clean}, {@code smudge} and {@code process} command, which git
     * takes as no filter, and {@code required=false}, so a file whose attributes name the driver is read and written as
     * its bytes are (gitattributes(5), "filter"). For the commands that read the files of a worktree a ticket wrote,
     * along with its {@code .gitattributes}: the driver's command would run on the host, outside the sandbox, on
     * content the ticket chose. git 2.40's {@code --attr-source} would do it otherwise, and is not there before.
     *
     * @throws GitException when git fails, or a driver's name cannot be named in {@code git -c}
     *     ({@link #whyFilterDriverCannotBeNamed}: it holds {@code =}, or is not UTF-8)
     */
    private static List<String> withoutFilters(Worktree worktree) throws GitException {
        List<String> options = new ArrayList<>(pinned(worktree));
        for (String driver : driversListed(git(worktree.repo(), concat(options, "config", "--list", "--name-only", "-z")))) {
            Optional<String> why = whyFilterDriverCannotBeNamed(driver);
            if (why.isPresent()) {
                throw new GitException("git's configuration defines a filter driver named '" + driver + "', which git -c cannot "
                        + "name to keep it from running on the worktree's files: " + why.get()
                        + "; rename it (git config --rename-section)");
            }
            for (String variable : List.of("clean", "smudge", "process")) options.addAll(List.of("-c", "filter." + driver + "." + variable + "="));
            options.addAll(List.of("-c", "filter." + driver + ".required=false"));
        }
        return options;
    }

    /**
     * The names of the filter drivers ({@code filter.<driver>.<variable>}) that git's configuration defines for a git
     * command run in {@code dir} ({@code git -C dir}) from this process's environment, its {@code GIT_*} variables
     * included: the repository's configuration and the files it includes ({@code include.path}, {@code includeIf}, as
     * git applies them in {@code dir}: {@code onbranch:} by the branch checked out there), the user's and the system's.
     * That is, the drivers a {@code git -C dir status} started from the same shell may run, each of which
     * {@code -c filter.<driver>.clean= -c filter.<driver>.process= -c filter.<driver>.required=false} turns off
     * (gitattributes(5)). Runs {@code git config --list}, which reads configuration only: it runs no filter, hook or
     * fsmonitor.
     *
     * @param dir a directory in a repository (a worktree)
     * @param deadline how long {@code git config} may take before it is killed: a configuration that includes a FIFO
     *     blocks it for good
     * @return the names, sorted, each once, the empty name too ({@code [filter ""]}), as git prints them decoded as UTF-8
     *     (a byte that is not part of UTF-8 is U+FFFD); check each with {@link #whyFilterDriverCannotBeNamed}
     * @throws GitException when git cannot be run, fails (not a repository, dubious ownership, a broken configuration)
     *     or does not finish within {@code deadline}
     */
    public static List<String> filterDrivers(Path dir, java.time.Duration deadline) throws GitException {
        // git's stdout and stderr go to files, not pipes: no thread of this JVM reads, or waits, for a git that blocks
        // (a reader blocked in a pipe's read can hold a carrier of the virtual threads); the deadline counts from the start
        String command = "the command: git config --list --name-only -z (in " + dir + ")";
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("swarmflow-git-config", ".out");
            err = Files.createTempFile("swarmflow-git-config", ".err");
            List<String> cmd = new ArrayList<>(LAUNCHER);
            cmd.addAll(List.of("-C", dir.toString(), "config", "--list", "--name-only", "-z"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put(NO_LAZY_FETCH, "1"); // reads configuration only, but never a fetch either
            Process p = pb.start();
            if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new GitException("git config did not finish within " + deadline.toMillis() + " ms (a file its configuration "
                        + "includes may be a FIFO; " + command + ")");
            }
            String msg = new String(Files.readAllBytes(err), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new GitException("git config failed" + (msg.isEmpty() ? "" : ": " + oneLine(msg)) + " (exit code " + p.exitValue()
                        + "; " + command + ")");
            }
            return driversListed(new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new GitException("cannot run git config: " + e.getMessage() + " (" + command + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException("git config was interrupted (" + command + ")");
        } finally {
            for (Path f : new Path[] {out, err}) {
                try {
                    if (f != null) Files.deleteIfExists(f);
                } catch (IOException e) {
                    // a temporary file left in java.io.tmpdir
                }
            }
        }
    }

    /**
     * Why {@code git -c filter.<driver>.clean=} (as an argument, no shell between) cannot name the filter driver
     * {@code driver} ({@link #filterDrivers}), so that it cannot be turned off for a command; empty when it can. Its name
     * holds {@code =} (git cuts a {@code -c} at its first {@code =}: {@code -c filter.a=b.clean=} sets {@code filter.a}),
     * or U+FFFD, which {@link #filterDrivers} gives for bytes that are not UTF-8 and which names other bytes than the
     * driver's.
     *
     * @return the reason, a phrase ("its name holds '='")
     */
    public static Optional<String> whyFilterDriverCannotBeNamed(String driver) {
        if (driver.contains("=")) return Optional.of("its name holds '=', at which git -c cuts the setting's name");
        if (driver.indexOf('\uFFFD') >= 0) return Optional.of("its name is not UTF-8 (or holds U+FFFD), which git -c cannot name as git wrote it");
        return Optional.empty();
    }

    /**
     * The filter drivers' names in {@code listing}, {@code git config --list --name-only -z}'s output: from each key
     * {@code filter.<driver>.<variable>} (the section and the variable lower case, the driver's name as written, which
     * may be empty or hold dots), sorted, each once.
     */
    private static List<String> driversListed(String listing) {
        java.util.Set<String> drivers = new java.util.TreeSet<>();
        for (String key : listing.split("\0")) {
            // the last dot ends the driver's name: filter..clean is [filter ""]'s, filter.clean ([filter] clean) names none
            if (key.regionMatches(true, 0, "filter.", 0, "filter.".length()) && key.lastIndexOf('.') >= "filter.".length()) {
                drivers.add(key.substring("filter.".length(), key.lastIndexOf('.')));
            }
        }
        return List.copyOf(drivers);
    }

    /**
     * The ignore rules of the repository ({@code .gitignore} files, the ticket's among them, and {@code info/exclude} of
     * its git directory) and no others: not {@code core.excludesFile}, which is {@code ~/.config/git/ignore} by default,
     * so what is committed of a ticket's work does not depend on whose machine runs it.
     */
    private static final String[] ONLY_THE_REPOSITORYS_IGNORES = {"-c", "core.excludesFile=/dev/null"};

    /**
     * No sparse checkout for a ticket's worktree, whatever the repository's ({@code core.sparseCheckout} in its config or
     * in the {@code config.worktree} git copies into a new worktree): made with every file of the base commit, and
     * committed with every file the ticket wrote, also outside the sparse checkout's directories ({@code git add}
     * refuses those otherwise).
     */
    private static final String[] FULL_CHECKOUT = {"-c", "core.sparseCheckout=false"};

    /**
     * The settings that decide what git makes of a worktree's files when it checks them out and stages them (line
     * endings, the global attributes file, the executable bit, symbolic links, case, Unicode normalization, errors), each
     * with what a repository that does not set it gets: git's built-in default, except {@code core.attributesFile}, whose
     * built-in default is the user's own {@code ~/.config/git/attributes}. Keys as {@code git config --list} prints them
     * (section and variable lower case).
     */
    private static final Map<String, String> WHAT_IS_COMMITTED = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Map.of(
            "core.autocrlf", "false", "core.eol", "native", "core.safecrlf", "warn", "core.attributesfile", "/dev/null",
            "core.filemode", "true", "core.symlinks", "true", "core.ignorecase", "false", "add.ignoreerrors", "false",
            "core.precomposeunicode", "false")));

    /**
     * {@code -c} options that set each of {@link #WHAT_IS_COMMITTED} to the repository's own value (its {@code config},
     * {@code git config --local}, with the files it includes: {@code include.path}, {@code includeIf}) when it sets one, else to the value for a repository that does not: the user's and the
     * system's configuration ({@code ~/.gitconfig}, {@code /etc/gitconfig}: {@code core.autocrlf=true}, a global
     * attributes file saying {@code * text eol=crlf}, {@code core.fileMode=false}, ...) do not change the worktree a
     * ticket starts from or what is committed of its work, so the same spec commits the same tree on every machine.
     * ({@code add.ignore-errors}, the other spelling git reads, counts as {@code add.ignoreErrors}.) The system's
     * attributes file is left out by {@link #environment} ({@code GIT_ATTR_NOSYSTEM}). A {@code -c} option wins over every
     * configuration file, included ones too: an {@code [includeIf "onbranch:swarm/**"]} of the user's, which git reads
     * for a worktree on a {@code swarm/} branch and not here, in the main worktree, changes none of these settings; a
     * filter driver it defines is turned off as any other ({@link #withoutFilters} reads the configuration as the
     * worktree's commands do). Then {@link #EVERY_CHANGE_SEEN}, whatever even the repository says, so that no edit of
     * the ticket's goes unseen.
     *
     * @throws GitException when git cannot read the repository's configuration
     */
    static List<String> sameOnEveryMachine(Path top) throws GitException {
        Map<String, String> values = new java.util.LinkedHashMap<>(WHAT_IS_COMMITTED);
        for (String entry : git(top, "config", "--local", "--includes", "--list", "-z").split("\0")) {
            if (entry.isEmpty()) continue;
            int newline = entry.indexOf('\n');
            String key = (newline < 0 ? entry : entry.substring(0, newline)).toLowerCase(java.util.Locale.ROOT);
            if (key.equals("add.ignore-errors")) key = "add.ignoreerrors";
            // a key without "=" ([core] autocrlf) is a boolean true
            if (values.containsKey(key)) values.put(key, newline < 0 ? "true" : entry.substring(newline + 1));
        }
        List<String> options = new ArrayList<>();
        values.forEach((key, value) -> options.addAll(List.of("-c", key + "=" + value)));
        options.addAll(List.of(EVERY_CHANGE_SEEN));
        return options;
    }

    /**
     * How git tells a changed file of a worktree from its index, whatever any configuration says, the repository's
     * included: every field of the file's status compared ({@code core.checkStat=default}: {@code minimal} compares only
     * the size and the whole second of the modification time), its change time too ({@code core.trustctime=true}), and
     * no file taken as unchanged without looking ({@code core.ignoreStat=false}: with {@code true} the checkout marks
     * every file "assume unchanged", and {@code git add -A} then misses every edit of a tracked file). A ticket that
     * rewrites a file in place with as many bytes and puts its modification time back (a tool that keeps times, {@code
     * touch -r}) changes its change time, which only these settings make git look at: without them its work would not
     * be committed. {@code sameOnEveryMachine} ends with them; at worst git reads a file whose status changed to compare its content.
     */
    private static final String[] EVERY_CHANGE_SEEN = {"-c", "core.checkStat=default", "-c", "core.trustctime=true",
            "-c", "core.ignoreStat=false"};

    private static String[] concat(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    /**
     * The tracked paths of the repository's working tree with changes not committed (modified, staged or deleted; untracked
     * files not counted), as {@code git status --porcelain} names them (a rename as {@code old -> new}), with paths as they
     * are ({@code core.quotePath=false}).
     *
     * @throws GitException when git fails
     */
    public static List<String> uncommittedTrackedPaths(Path repo) throws GitException {
        List<String> paths = new ArrayList<>();
        for (String line : git(repo, "-c", "core.quotePath=false", "status", "--porcelain", "--untracked-files=no",
                "--ignore-submodules=dirty").split("\n")) {
            if (line.length() > 3) paths.add(line.substring(3));
        }
        return paths;
    }

    /**
     * The files below the directory {@code dir} that its repository tracks (in its index, {@code git ls-files}), relative
     * to {@code dir}, as they are ({@code core.quotePath=false}); empty when none is. One git command.
     *
     * @throws GitException when git fails (not installed, {@code dir} not in a working tree, a repository git refuses)
     */
    public static List<String> trackedFiles(Path dir) throws GitException {
        String out = git(dir, "-c", "core.quotePath=false", "ls-files", "-z", "--", ".");
        return out.isEmpty() ? List.of() : List.of(out.split("\0"));
    }

    /**
     * Whether each of {@code files} is a file of the commit the repository's {@code HEAD} names now (a blob of its tree:
     * a regular file or a symbolic link; not a directory, nor a submodule), as {@link io.swarmflow.spec.CommittedFiles}
     * asks it: false for every file when {@code HEAD} has no commit yet. Read from the commit's trees alone ({@code git
     * ls-tree}, paths taken literally), never from a file's content: a partial clone that has every tree ({@code
     * --filter=blob:none} or {@code blob:limit}) is answered without fetching anything; one that may lack trees (another
     * filter, such as {@code tree:0}, or a promisor remote without a filter) is not asked at all, as git would fetch
     * them from its promisor remote, over the network (git before 2.44 has no way to forbid that; from 2.44 on,
     * {@link #NO_LAZY_FETCH} makes it fail instead). A few git commands,
     * whatever the number of files (at most {@value #PATHS_PER_COMMAND} paths in one).
     *
     * @param repo  the top of the repository's working tree
     * @param files paths relative to {@code repo}, normalized and '/'-separated
     * @return the answer for each file that git could be asked about. Left out: a path holding a NUL character; a path
     *         below a submodule or a committed symbolic link (HEAD's tree does not say what is there); a path whose bytes
     *         on git's command line, in the locale's encoding ({@code sun.jnu.encoding}), are not its UTF-8 bytes (as in
     *         a Latin-1 or C locale for {@code données.txt}); every file when git fails (not installed, a repository it
     *         refuses) or the repository is a partial clone that may lack trees
     */
    public static Map<String, Boolean> filesInHead(Path repo, java.util.Collection<String> files) {
        return filesInHead(repo, files, ARGV_CHARSET);
    }

    /** How the JDK encodes a process's arguments ({@code sun.jnu.encoding}); null when it cannot be named here. */
    private static final java.nio.charset.Charset ARGV_CHARSET = argvCharset();

    private static java.nio.charset.Charset argvCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@link #filesInHead(Path, java.util.Collection)} with the arguments of git's command line encoded as {@code argv}. */
    static Map<String, Boolean> filesInHead(Path repo, java.util.Collection<String> files, java.nio.charset.Charset argv) {
        List<String> asked = files.stream().filter(f -> !f.isEmpty() && f.indexOf('\0') < 0 && reachesGitAsUtf8(f, argv))
                .distinct().toList();
        if (asked.isEmpty()) return Map.of();
        Optional<String> head = headCommit(repo);
        if (head.isEmpty()) {
            if (!notRepository(repo).isEmpty()) return Map.of();
            Map<String, Boolean> none = new java.util.LinkedHashMap<>();
            asked.forEach(f -> none.put(f, false)); // no commit yet holds no file
            return none;
        }
        if (mayLackTrees(repo)) return Map.of();
        // each file and every directory leading to it: ls-tree stops at a submodule (a gitlink, "commit") and at a
        // symbolic link, printing nothing for a path below them, which must not read as "not in the commit"
        java.util.Set<String> paths = new java.util.LinkedHashSet<>();
        for (String f : asked) {
            for (int slash = f.indexOf('/'); slash > 0; slash = f.indexOf('/', slash + 1)) paths.add(f.substring(0, slash));
            paths.add(f);
        }
        List<String> all = List.copyOf(paths);
        Map<String, String> modes = new java.util.HashMap<>(); // path -> "<mode> <type>" of each entry found
        try {
            for (int from = 0; from < all.size(); from += PATHS_PER_COMMAND) {
                List<String> args = new ArrayList<>(List.of("--literal-pathspecs", "ls-tree", "-z", "--full-tree", head.get(), "--"));
                args.addAll(all.subList(from, Math.min(all.size(), from + PATHS_PER_COMMAND)));
                // "<mode> <type> <object>\t<path>" for each entry found, NUL-terminated, the path as it is
                for (String entry : git(repo, args.toArray(String[]::new)).split("\0")) {
                    int tab = entry.indexOf('\t');
                    if (tab < 0) continue;
                    String[] fields = entry.substring(0, tab).split(" ");
                    if (fields.length == 3) modes.put(entry.substring(tab + 1), fields[0] + " " + fields[1]);
                }
            }
        } catch (GitException e) {
            return Map.of();
        }
        Map<String, Boolean> answers = new java.util.LinkedHashMap<>();
        for (String f : asked) {
            boolean known = true;
            for (int slash = f.indexOf('/'); slash > 0 && known; slash = f.indexOf('/', slash + 1)) {
                String above = modes.get(f.substring(0, slash));
                // a submodule's files are in its own commits; a symbolic link's target is anywhere
                known = above == null || !(above.endsWith(" commit") || above.startsWith("120000 "));
            }
            String own = modes.get(f);
            if (known) answers.put(f, own != null && own.endsWith(" blob"));
        }
        return answers;
    }

    /**
     * Whether {@code path} reaches git as its UTF-8 bytes, the form git's trees hold it in, when the JDK encodes it as
     * {@code argv} for the command line; an ASCII path always does in an ASCII-compatible encoding.
     */
    private static boolean reachesGitAsUtf8(String path, java.nio.charset.Charset argv) {
        if (path.chars().allMatch(c -> c < 0x80)) return argv != null && argv.newEncoder().canEncode(path);
        return argv != null && java.util.Arrays.equals(path.getBytes(argv), path.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether the repository is a partial clone that may lack trees, which {@code git ls-tree} would fetch from its
     * promisor remote: a promisor remote ({@code remote.<name>.promisor}, {@code extensions.partialClone}) whose filter
     * ({@code remote.<name>.partialCloneFilter}) is not a {@code blob:} one, which leaves every tree in. False when git
     * cannot read the configuration (then ls-tree fails too).
     */
    private static boolean mayLackTrees(Path repo) {
        String out;
        try {
            out = git(repo, "config", "-z", "--get-regexp", "^(extensions\\.partialclone|remote\\..*\\.(promisor|partialclonefilter))$");
        } catch (GitException e) {
            return false; // exit 1: none of them set
        }
        java.util.Set<String> promisors = new java.util.HashSet<>();
        Map<String, String> filters = new java.util.HashMap<>();
        // "<key>\n<value>" each, NUL-terminated; keys in lower case but a remote's name as it is
        for (String entry : out.split("\0")) {
            int nl = entry.indexOf('\n');
            String key = nl < 0 ? entry : entry.substring(0, nl);
            String value = nl < 0 ? "true" : entry.substring(nl + 1);
            if (key.equals("extensions.partialclone")) {
                promisors.add(value);
            } else if (key.startsWith("remote.") && key.endsWith(".promisor")) {
                if (List.of("true", "yes", "on", "1").contains(value.toLowerCase(java.util.Locale.ROOT))) {
                    promisors.add(key.substring("remote.".length(), key.length() - ".promisor".length()));
                }
            } else if (key.startsWith("remote.") && key.endsWith(".partialclonefilter")) {
                filters.put(key.substring("remote.".length(), key.length() - ".partialclonefilter".length()), value);
            }
        }
        return promisors.stream().anyMatch(r -> filters.get(r) == null || !filters.get(r).startsWith("blob:"));
    }

    /** Paths given to one {@code git ls-tree} by {@link #filesInHead}: well within Linux's 2 MiB for a command line. */
    static final int PATHS_PER_COMMAND = 500;

    /**
     * {@code git diff --stat --summary base..branch} as git prints it (each line starts with a space), without the final
     * newline; empty when the branch has no changes. The summary after the stat names what {@code --stat} alone does not
     * show: mode changes ({@code mode change 100644 => 100755 run.sh}, which the stat shows as {@code | 0}), files
     * created and deleted with their modes ({@code create mode 120000 link}: a symbolic link), renames. The stat names at
     * most {@value #STAT_FILES} files (then git's {@code ...} and its line with the totals), and the summary is cut after
     * {@value #SUMMARY_LINES} lines with a line saying how many more there are: the totals stay within an output's size. Paths with non-ASCII characters are printed as they are ({@code
     * core.quotePath=false}), not as octal escapes ({@code "\303\274.txt"}).
     */
    public static String diffStat(Path repo, String base, String branch) throws GitException {
        String out = git(repo, "-c", "core.quotePath=false", "diff", "--stat", "--stat-count=" + STAT_FILES, "--summary",
                base + ".." + branch).stripTrailing();
        // git lists every file created or deleted in the summary: a ticket that writes 200,000 files would push the line
        // that says how much changed ("N files changed") out of the 64 KiB an output holds
        List<String> lines = out.lines().toList();
        int total = 0;
        while (total < lines.size() && !FILES_CHANGED.matcher(lines.get(total)).find()) total++;
        int more = lines.size() - (total + 1) - SUMMARY_LINES;
        if (total >= lines.size() || more <= 0) return out;
        return String.join("\n", lines.subList(0, total + 1 + SUMMARY_LINES)) + "\n … and " + more + " more lines of the summary "
                + "(git diff --summary " + base + ".." + branch + " shows them all)";
    }

    /** How many files diffStat's stat names before git's {@code ...}; the line with the totals follows all the same. */
    static final int STAT_FILES = 400;
    /** How many lines of git's summary (files created, deleted, mode changes) diffStat keeps. */
    static final int SUMMARY_LINES = 100;
    /**
     * git's line with the totals, {@code 3 files changed, 2 insertions(+), 1 deletion(-)} (diff.c, print_stat_summary),
     * whole: a ticket's file named {@code 3 files changed} has a stat line that begins the same way (and sorts first).
     */
    private static final java.util.regex.Pattern FILES_CHANGED = java.util.regex.Pattern.compile(
            "^ \\d+ files? changed(, \\d+ insertions?\\(\\+\\))?(, \\d+ deletions?\\(-\\))?$");

    /**
     * Removes every worktree under {@code <runDir>/worktrees} (left by a crashed coordinator), deletes what
     * remains of their directories and prunes git's worktree records. Branches are kept.
     */
    public static void pruneStale(Path repo, Path runDir) throws GitException {
        Path top = topLevel(repo);
        ReentrantLock lock = LOCKS.computeIfAbsent(top, t -> new ReentrantLock());
        lock.lock();
        try {
            prune(top, runDir);
        } finally {
            lock.unlock();
        }
    }

    private static void prune(Path top, Path runDir) throws GitException {
        Path root = runDir.toAbsolutePath().normalize().resolve("worktrees");
        Path realRoot = real(root);
        for (String line : git(top, "worktree", "list", "--porcelain").split("\n")) {
            if (!line.startsWith("worktree ")) continue;
            // compared as text: another worktree's path (the user's, non-ASCII in the C locale) may not map to a Path here
            String wt = line.substring("worktree ".length());
            if (wt.startsWith(root + "/") || wt.startsWith(realRoot + "/")) {
                tryGit(top, "worktree", "unlock", wt); // a locked record is never pruned: see removeWorktree
                tryGit(top, "worktree", "remove", "--force", "--force", wt);
            }
        }
        deleteTree(root);
        git(top, "worktree", "prune");
    }

    /**
     * What removing a worktree would lose.
     *
     * @param changedPaths paths with changes not committed (modified, staged, deleted or untracked), as
     *                     {@code git status --porcelain} lists them
     * @param nested       paths of gitlinks (mode 160000: submodules, or repositories the ticket created and the commit
     *                     recorded only as a link) whose directory in the worktree is not empty: their content and commits
     *                     are not in the branch, and {@code git status} does not show them
     */
    public record Uncommitted(int changedPaths, List<String> nested) {
        /** Copies {@code nested}, which must not be null or hold nulls. */
        public Uncommitted {
            nested = List.copyOf(nested);
        }
    }

    /**
     * The worktrees under {@code <runDir>/worktrees} holding work that removing them would lose ({@link Uncommitted}):
     * changes not committed, and content in the directories of gitlinks. git reads each one through its
     * administrative directory in the main repository (whose {@code gitdir} file names the worktree), never through
     * the worktree's own {@code .git} file, with hooks and fsmonitor off, as {@link #commitAll} does, and never enters
     * a gitlink's directory (it only looks whether it is empty).
     *
     * @throws GitException when git fails, and when git's records cannot be read here without the risk of blocking (JNA
     *                      not loaded: {@link io.swarmflow.files.NonBlockingRead}), rather than count no worktree as
     *                      holding work (the message says why)
     */
    public static Map<Path, Uncommitted> uncommitted(Path repo, Path runDir) throws GitException {
        Path top = topLevel(repo);
        Path given = runDir.toAbsolutePath().normalize().resolve("worktrees");
        Path root = real(given);
        Map<Path, Uncommitted> dirty = new java.util.TreeMap<>();
        Path admin = commonGitDir(top).resolve("worktrees");
        if (!Files.isDirectory(admin)) return dirty;
        try (Stream<Path> records = Files.list(admin)) {
            for (Path record : records.toList()) {
                // a record that cannot be read, decoded or mapped (the user's own worktree) is not this run's; one that
                // cannot be read here at all (JNA not loaded, no readable /proc/self/fd) is not known to be another's:
                // unread, each would be "not the run's" and its work not counted
                Optional<Recorded> recorded;
                try {
                    recorded = recordedWorktreeUnder(record, given, root);
                } catch (io.swarmflow.files.NonBlockingRead.UnavailableException e) {
                    throw new GitException("cannot tell which worktrees of " + runDir + " hold uncommitted work: git's record "
                            + record + " cannot be read here without the risk of blocking on a FIFO (" + e.getMessage() + ")");
                }
                if (recorded.isEmpty()) continue;
                Path wt = real(recorded.get().worktree());
                if (!wt.startsWith(root) || !Files.isDirectory(wt)) continue;
                Worktree w = new Worktree(top, wt, null, null, record, null, null);
                // --ignore-submodules=all: for a submodule path git would run another git inside it, which reads the
                // config the ticket wrote there (a clean filter runs a command); nestedWork looks at those paths instead
                // without filter drivers (withoutFilters): git status runs a clean filter on a file whose stat changed
                // the commit's ignore rules: a file only the user's own excludes leave out would have been committed
                List<String> options = new ArrayList<>(withoutFilters(w));
                options.addAll(List.of(ONLY_THE_REPOSITORYS_IGNORES));
                options.addAll(sameOnEveryMachine(top)); // the commit's view of a file: changed when the commit would change it
                String status = git(top, concat(options, "-c", "submodule.recurse=false", "status", "--porcelain",
                        "--untracked-files=all", "--ignore-submodules=all"));
                // git status skips a directory it cannot open (a ticket's chmod 000 d) with only a warning: what is in
                // it is unknown, so it counts as a change rather than be deleted unseen
                long paths = status.lines().filter(l -> !l.isBlank()).count() + io.swarmflow.files.FileTrees.unreadableDirectories(wt).size();
                List<String> nested = nestedWork(w);
                if (paths > 0 || !nested.isEmpty()) dirty.put(wt, new Uncommitted((int) paths, nested));
            }
        } catch (IOException e) {
            throw new GitException("cannot read git's worktree records in " + admin + ": " + e.getMessage());
        }
        return dirty;
    }

    /**
     * The gitlinks (mode 160000) in the worktree's index or {@code HEAD} whose path in the worktree is not an empty
     * directory, sorted. Worktrees get submodules uninitialized (an empty directory), so anything there is the
     * ticket's: files written into a submodule's directory, or a repository it created or cloned, which
     * {@link #commitAll} records only as a link to a commit that exists only inside the worktree. git lists the
     * links from its own records ({@code ls-files}, {@code ls-tree}), through the worktree's recorded git directory;
     * the directories are only listed, never entered by git.
     */
    public static List<String> nestedWork(Worktree worktree) throws GitException {
        java.util.TreeSet<String> links = new java.util.TreeSet<>();
        List<String> pinned = pinned(worktree);
        for (String entry : git(worktree.repo(), concat(pinned, "ls-files", "--stage", "-z")).split("\0")) {
            if (entry.startsWith("160000 ") && entry.indexOf('\t') > 0) links.add(entry.substring(entry.indexOf('\t') + 1));
        }
        for (String entry : git(worktree.repo(), concat(pinned, "ls-tree", "-r", "-z", "--full-tree", "HEAD")).split("\0")) {
            if (entry.startsWith("160000 ") && entry.indexOf('\t') > 0) links.add(entry.substring(entry.indexOf('\t') + 1));
        }
        List<String> nested = new ArrayList<>();
        for (String link : links) {
            Path dir = worktree.dir().resolve(link);
            if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
            if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isEmpty()) continue;
                } catch (IOException e) {
                    // unreadable: it may hold work, so it counts
                }
            }
            nested.add(link);
        }
        return nested;
    }

    /** Local branches under {@code prefix} (for example {@code swarm/RUN/}), by name. */
    public static List<String> branches(Path repo, String prefix) throws GitException {
        String out = git(topLevel(repo), "for-each-ref", "--format=%(refname:short)", "refs/heads/" + prefix);
        List<String> names = new java.util.ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) names.add(line.strip());
        return names;
    }

    /** The full sha of the commit local branch {@code branch} points to. */
    public static String tip(Path repo, String branch) throws GitException {
        return git(topLevel(repo), "rev-parse", "--verify", "--quiet", "refs/heads/" + branch + "^{commit}").strip();
    }

    /** The base recorded in git's config for a branch made without a pinned base ({@link #createWorktree}), if any. */
    public static Optional<String> recordedBase(Path repo, String branch) {
        return tryGit(repo, "config", "--get", "branch." + branch + "." + BASE_KEY);
    }

    /** How many commits {@code to} has that {@code from} does not ({@code git rev-list --count from..to}); -1 when git cannot say. */
    public static int commitsAfter(Path repo, String from, String to) {
        return tryGit(repo, "rev-list", "--count", from + ".." + to).map(Integer::parseInt).orElse(-1);
    }

    /**
     * The local branches under {@code prefix} checked out in a working tree that is not one of the run's
     * ({@code <runDir>/worktrees/*}, which cleaning removes first) and that git would not prune (its directory still
     * exists, or it is locked): git refuses to delete such a branch. By branch name, the working tree's path.
     */
    public static Map<String, Path> checkedOutElsewhere(Path repo, Path runDir, String prefix) throws GitException {
        return checkedOut(topLevel(repo), runDir.toAbsolutePath().normalize().resolve("worktrees"), prefix);
    }

    /** The local branches under {@code prefix} checked out in a working tree outside {@code root} that git would not prune. */
    private static Map<String, Path> checkedOut(Path top, Path root, String prefix) throws GitException {
        Path realRoot = real(root);
        Map<String, Path> found = new java.util.TreeMap<>();
        // records are separated by an empty line: worktree PATH, HEAD sha, branch refs/heads/NAME, [locked], [prunable]
        for (String record : git(top, "worktree", "list", "--porcelain").split("\n\n")) {
            Path wt = null;
            String branch = null;
            boolean prunable = false;
            for (String line : record.split("\n")) {
                if (line.startsWith("worktree ")) wt = Path.of(line.substring("worktree ".length()));
                else if (line.startsWith("branch refs/heads/")) branch = line.substring("branch refs/heads/".length());
                else if (line.equals("prunable") || line.startsWith("prunable ")) prunable = true;
            }
            if (wt == null || branch == null || !branch.startsWith(prefix) || prunable) continue;
            if (wt.startsWith(root) || wt.startsWith(realRoot)) continue;
            found.put(branch, wt);
        }
        return found;
    }

    /** Deletes a local branch even when it is not merged ({@code git branch -D}); returns the commit it pointed to. */
    public static String deleteBranch(Path repo, String branch) throws GitException {
        Path top = topLevel(repo);
        String commit = git(top, "rev-parse", "--short", "refs/heads/" + branch).strip();
        git(top, "branch", "-D", branch);
        return commit;
    }

    private static void removeWorktree(Path top, Path dir) throws GitException {
        // the record of a worktree of ours is still locked when its coordinator was killed; `worktree remove` then fails
        // when the ticket had deleted or replaced its .git file (git cannot validate it), and `worktree prune` skips a
        // locked record, so git would go on holding the branch as checked out at this very path
        tryGit(top, "worktree", "unlock", dir.toString());
        tryGit(top, "worktree", "remove", "--force", "--force", dir.toString());
        deleteTree(dir);
        git(top, "worktree", "prune");
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static void deleteTree(Path dir) throws GitException {
        try {
            io.swarmflow.files.FileTrees.delete(dir);
        } catch (IOException e) {
            throw new GitException("cannot delete stale worktree directory " + dir + ": " + e.getMessage());
        }
    }

    private static Optional<String> tryGit(Path dir, String... args) {
        try {
            return Optional.of(git(dir, args).trim());
        } catch (GitException e) {
            return Optional.empty();
        }
    }

    /** How often a git command that met another process's lock file is tried in all. */
    static final int LOCK_ATTEMPTS = 8;

    /**
     * Runs {@code git -C dir args...}; returns stdout, throws with stderr on a non-zero exit. A failure because
     * another git process held a lock ({@code .git/config.lock}, a ref's or the index's {@code .lock}: "File
     * exists", "could not lock", "cannot lock ref") is retried after a random pause of up to 25 ms × 2^n
     * (full jitter), {@value #LOCK_ATTEMPTS} tries in all: git itself gives up at once on a held lock.
     */
    private static String git(Path dir, String... args) throws GitException {
        return gitOutput(dir, null, args).stdout();
    }

    /** {@link #git} with {@code input} (UTF-8) on git's stdin. */
    private static String gitWithInput(Path dir, String[] args, String input) throws GitException {
        return gitOutput(dir, input, args).stdout();
    }

    /** What a git command printed. */
    private record Output(String stdout, String stderr) {}

    /** {@link #git}, with stderr too (git's warnings, as it succeeded). */
    private static Output gitOutput(Path dir, String... args) throws GitException {
        return gitOutput(dir, null, args);
    }

    /** {@link #gitOutput(Path, String...)} with {@code input} on stdin, or none ({@code /dev/null}) when null. */
    private static Output gitOutput(Path dir, String input, String... args) throws GitException {
        return gitIndexed(dir, null, input, args);
    }

    /** {@link #gitIndexed} that says whether git succeeded (exit code 0) rather than throw. */
    private static boolean tryGitIndexed(Path dir, Path index, String... args) {
        try {
            gitIndexed(dir, index, null, args);
            return true;
        } catch (GitException e) {
            return false;
        }
    }

    /**
     * {@link #gitOutput(Path, String, String...)} with the index file {@code index} ({@code GIT_INDEX_FILE}, absolute),
     * or git's own when null.
     */
    private static Output gitIndexed(Path dir, Path index, String input, String... args) throws GitException {
        for (int attempt = 1; ; attempt++) {
            try {
                return gitOnce(dir, index, input, args);
            } catch (GitException e) {
                if (attempt >= LOCK_ATTEMPTS || !lockContention(e.getMessage())) throw e;
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(1, 25L << attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static boolean lockContention(String message) {
        if (message == null) return false;
        // line by line: git's stderr may hold warnings ("unable to access '/root/.config/git/ignore': Permission
        // denied" with another user's HOME) before the lock line, whose own cause alone decides
        for (String line : message.split("\n")) {
            boolean lock = (line.contains(".lock") && line.contains("File exists"))
                    || line.contains("could not lock") || line.contains("cannot lock ref");
            if (lock && PERMANENT.stream().noneMatch(line::contains)) return true;
        }
        return false;
    }

    /** What git says after "cannot lock ref" or "could not lock" when no other process holds the lock: no retry helps. */
    private static final List<String> PERMANENT = List.of("unable to create directory", "Permission denied",
            "Read-only file system", "No space left on device", "Disk quota exceeded",
            // a branch swarm/... when a branch swarm exists ("'refs/heads/swarm' exists; cannot create 'refs/heads/swarm/r/t'"),
            // or the other way round ("'refs/heads/swarm/r/t' exists; cannot create 'refs/heads/swarm'")
            "exists; cannot create");

    /**
     * {@link #git} for a command that writes the repository's shared records (a branch, a worktree record, its
     * configuration), whose failure is led by the cause when they cannot be written ({@link #unwritable}).
     */
    private static String recordingGit(Path top, String... args) throws GitException {
        try {
            return git(top, args);
        } catch (GitException e) {
            throw unwritable(top, e);
        }
    }

    /**
     * {@code failure} of a command that writes git's records in {@code top}, led by the cause when the repository's
     * git directory (or its {@code refs/heads} or {@code worktrees}) is not writable: by this user (its mode), or by
     * anyone (a read-only mount, which no change of mode fixes). git's own words ("cannot lock ref ...: unable to
     * create directory for ...", "could not lock config file") do not say it.
     */
    private static GitException unwritable(Path top, GitException failure) {
        Path dir;
        try {
            dir = commonGitDir(top); // not --path-format=absolute, which git before 2.31 prints back as a path
        } catch (GitException e) {
            return failure;
        }
        for (Path p : List.of(dir, dir.resolve("refs").resolve("heads"), dir.resolve("worktrees"))) {
            if (Files.isDirectory(p) && !Files.isWritable(p)) {
                String fix = readOnlyMount(p)
                        ? " is on a read-only mount, and a worktree ticket makes its branch and worktree records there; "
                                + "mount it read-write, or point repo: at a clone on a writable file system, or give "
                        : " is not writable by you (user " + System.getProperty("user.name") + "), and a worktree ticket makes "
                                + "its branch and worktree records there; give yourself write access to the repository's git "
                                + "directory, or give ";
                return new GitException(p + fix + "the ticket workspace: repo (read-only) or run. git said: " + failure.getMessage());
            }
        }
        return failure;
    }

    /**
     * Whether {@code p} lies on a mount whose options (in {@code /proc/self/mountinfo}, proc(5)) hold {@code ro}: the
     * mount with the longest mount point above {@code p}'s real path. Not {@code FileStore.isReadOnly()}, which takes
     * the mount of {@code p}'s device and so misses a read-only bind mount of a directory of a writable file system.
     * False where it cannot tell.
     */
    static boolean readOnlyMount(Path p) {
        try {
            Path real = p.toRealPath();
            Path best = null;
            boolean readOnly = false;
            // decoded as this JVM decodes file names, leniently: one mount point that is not valid UTF-8 (an old USB
            // stick's label) must not make the whole file unreadable
            java.nio.charset.Charset names = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"),
                    StandardCharsets.UTF_8);
            for (String line : new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), names).split("\n")) {
                String[] f = line.split(" ");
                if (f.length < 6) continue;
                Path mountPoint;
                try {
                    mountPoint = Path.of(unescapeMountinfo(f[4]));
                } catch (java.nio.file.InvalidPathException e) {
                    continue; // a name this JVM cannot hold (other letters in the C locale) is above no path it holds
                }
                if (real.startsWith(mountPoint) && (best == null || mountPoint.getNameCount() >= best.getNameCount())) {
                    best = mountPoint; // a later line with the same mount point is mounted over the earlier one
                    readOnly = List.of(f[5].split(",")).contains("ro");
                }
            }
            return readOnly;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A path of mountinfo, where the kernel writes space, tab, newline and backslash as octal escapes ({@code \040}). */
    private static String unescapeMountinfo(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The name {@link #LAUNCHER}'s shell goes by ({@code $0}), which starts its own messages: git's never do.
     */
    private static final String LAUNCHER_NAME = "swarmflow-git";

    /**
     * What every git command is started through, its arguments after it: {@code /bin/sh} adds {@code 022} to the umask it
     * inherits ({@code umask go-w}, POSIX symbolic mode: a stricter umask such as {@code 077} is kept) and {@code exec}s
     * git with the arguments unchanged. Under a permissive umask ({@code 000}, a misconfigured CI runner or container)
     * git would otherwise make a worktree's administrative directory {@code 0777} and its files {@code 0666}, so any
     * local user could rewrite a ticket's branch or index; a {@code chmod} after the fact misses what git writes later.
     * Neither {@link ProcessBuilder} nor posix_spawn can set a child's umask, hence the shell.
     */
    static final List<String> LAUNCHER = List.of("/bin/sh", "-c", "umask go-w && exec git \"$@\"", LAUNCHER_NAME);

    /**
     * The variable that, set to {@code 1}, keeps git from fetching an object a partial clone lacks ({@code --filter=blob:none},
     * {@code tree:0}) from its promisor remote when a command needs it (git(1), git 2.44 and later): the command fails at
     * once instead, where it would otherwise reach over the network, and hang on a remote that does not answer. Set for
     * every git command Swarmflow runs; git before 2.44 does not know it and ignores it.
     */
    static final String NO_LAZY_FETCH = "GIT_NO_LAZY_FETCH";

    /**
     * Sets {@code env} (a child's, inherited) for git: no inherited {@code GIT_*} variable, no terminal prompt, messages in
     * the C locale, and no system-wide attributes file ({@code GIT_ATTR_NOSYSTEM=1}: {@code /etc/gitattributes}, which
     * {@link #sameOnEveryMachine}'s {@code core.attributesFile} does not reach), so that what a worktree is checked out as
     * and what is committed of it is the same on every machine (gitattributes(5)); and no lazy fetch
     * ({@link #NO_LAZY_FETCH}).
     */
    static void environment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("GIT_"));
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ATTR_NOSYSTEM", "1");
        env.put(NO_LAZY_FETCH, "1");
        env.put("LC_ALL", "C");
    }

    /**
     * Runs git once. A failure's message leads with git's own words, after a short name of the command ({@code git add -A
     * failed: fatal: f.dat: clean filter 'x' failed}), and ends with the whole command and where it ran, each argument
     * longer than 1,000 characters cut: a reason shown cut after 200 characters keeps the cause.
     */
    private static Output gitOnce(Path dir, Path index, String input, String... args) throws GitException {
        List<String> cmd = new ArrayList<>(LAUNCHER);
        cmd.addAll(List.of("-C", dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (input == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        environment(pb.environment());
        if (index != null) pb.environment().put("GIT_INDEX_FILE", index.toAbsolutePath().toString());
        String name = "git " + commandName(args);
        String command = "the command: git " + String.join(" ", List.of(args).stream()
                .map(a -> a.length() > 1000 ? a.substring(0, 1000) + "… (" + a.length() + " characters)" : a).toList())
                + " (in " + dir + ")";
        try {
            Process p = pb.start();
            if (input != null) {
                Thread.ofVirtual().start(() -> {
                    try (java.io.OutputStream in = p.getOutputStream()) {
                        in.write(input.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        // git ended without reading it all: its exit code and stderr say why
                    }
                });
            }
            // both streams read on threads of their own while this one waits with the deadline: read here first, a git
            // blocked before it wrote anything (a FIFO its configuration includes) held this thread past any deadline.
            // Platform threads: readers blocked in read(2) on virtual threads can hold every carrier (seen on 2 cores)
            CompletableFuture<String> stderr = readOnItsOwnThread(p.getErrorStream(), "stderr");
            CompletableFuture<String> stdoutRead = readOnItsOwnThread(p.getInputStream(), "stdout");
            long limit = timeoutMillis;
            if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new GitException(name + " did not finish within " + (limit % 60_000 == 0 ? limit / 60_000 + " minutes"
                        : limit + " ms") + " (" + command + ")");
            }
            String stdout = stdoutRead.join();
            if (p.exitValue() != 0) {
                String msg = stderr.join().strip();
                if ((p.exitValue() == 126 || p.exitValue() == 127) && msg.startsWith(LAUNCHER_NAME + ":")) {
                    // the shell could not exec git (not found, not executable): what it said, as when git is started directly
                    throw new GitException("cannot run " + name + ": " + msg + "; is git installed? (" + command + ")");
                }
                throw new GitException(name + " failed" + (msg.isEmpty() ? "" : ": " + oneLine(msg)) + " (exit code " + p.exitValue()
                        + "; " + command + ")", oneLine(msg));
            }
            return new Output(stdout, stderr.join());
        } catch (IOException e) {
            // the launcher's shell could not be started: missing, or the arguments too long for exec (E2BIG), when no
            // installing of git would help
            String why = String.valueOf(e.getMessage());
            throw new GitException("cannot run " + name + ": " + why
                    + (why.contains("Argument list too long") ? " (Linux takes at most 128 KiB in one argument)"
                            : why.contains("No such file") ? "; is /bin/sh there, and git installed?" : "")
                    + " (" + command + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitException(name + " was interrupted (" + command + ")");
        }
    }

    /**
     * A short name of the git command {@code args} run, for the start of a message: the subcommand after the global
     * options ({@code --git-dir=...}, {@code -c name=value}), with a second word for {@code worktree} and the short
     * options that follow ({@code add -A}, {@code worktree add --quiet --force --lock -B}).
     */
    static String commandName(String... args) {
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) i += args[i].equals("-c") || args[i].equals("-C") ? 2 : 1;
        if (i >= args.length) return "";
        StringBuilder b = new StringBuilder(args[i++]);
        if (b.toString().equals("worktree") && i < args.length) b.append(' ').append(args[i++]);
        while (i < args.length && args[i].startsWith("-") && args[i].length() <= 20) b.append(' ').append(args[i++]);
        return b.toString();
    }

    /** {@link #read} on a daemon platform thread; the future completes when {@code in} ends (or fails: empty text). */
    private static CompletableFuture<String> readOnItsOwnThread(InputStream in, String what) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(() -> text.complete(read(in)), "swarm-git-" + what);
        t.setDaemon(true);
        t.start();
        return text;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
