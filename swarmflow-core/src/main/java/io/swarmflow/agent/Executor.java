package io.swarmflow.agent;

import io.swarmflow.spec.Plan;
import io.swarmflow.store.AttemptView;

import java.nio.file.Path;
import java.util.List;

/**
 * Where attempts run (the local sandbox today; SSH hosts, pull workers and Kubernetes later).
 * The engine calls {@link #execute} on a virtual thread per attempt.
 */
public interface Executor extends AutoCloseable {

    /**
     * Problems that make the plan impossible to run here (for example {@code sandbox: required}
     * without bubblewrap, a worktree ticket without a git repository). Empty when it can run.
     */
    List<String> preflight(Plan plan);

    /**
     * What the user should know before a new run of {@code plan} starts, though it can run (for example uncommitted
     * changes in the repository, which worktree tickets will not see). One line each; empty when there is nothing.
     */
    default List<String> notes(Plan plan) {
        return List.of();
    }

    /**
     * The state directories (absolute) the sandbox hides from the tickets of {@code plan}, as they are now: a ticket
     * whose {@code PATH} names a directory inside one is refused ({@link io.swarmflow.spec.StatePaths}). Writes no file
     * (the user's list of state directories is only read), but an executor may keep what it looked up (a scan of the
     * repository) for the run's attempts, and warn once about it (a repository too large to scan whole). Empty when
     * this executor hides none. The first is the one the run's directory is in ({@code runs/RUN}), whose scratch and
     * worktrees the sandbox shows again ({@link io.swarmflow.spec.StatePaths#hits}).
     */
    default List<Path> hiddenStateDirs(Plan plan) {
        return List.of();
    }

    /**
     * Prepares the run's directories before its first attempt, and again when the run resumes. What the
     * tickets left (worktrees, scratch files) is kept: an attempt that needs a clean workspace gets one.
     */
    void prepareRun(String runId, Plan plan, Path runDir);

    /**
     * Removes what the run left outside its state directory's records: its git worktrees and, when
     * {@code deleteBranches}, its branches ({@code swarm/<run>/<ticket>}, which hold the commits of
     * worktree tickets). Called only for a run that no coordinator executes. Does what it can: what git or the file
     * system refused is in {@link Cleaned#failed()}, not thrown.
     *
     * @return what was removed or kept, and what could not be removed
     */
    default Cleaned cleanRun(String runId, Plan plan, Path runDir, boolean deleteBranches) {
        return new Cleaned(List.of(), List.of());
    }

    /**
     * What {@link #cleanRun} did.
     *
     * @param done   one line per thing removed or kept, for the user; empty when there was nothing
     * @param failed one line per thing that could not be removed, with why (for example a branch git refused to delete)
     */
    record Cleaned(List<String> done, List<String> failed) {
        /** Copies both lists, which must not be null or hold nulls. */
        public Cleaned {
            done = List.copyOf(done);
            failed = List.copyOf(failed);
        }
    }

    /**
     * The run's branches whose tip is not what the run recorded for its ticket ({@code recorded}: ticket id to the
     * {@code commit} output of its succeeded attempt; a ticket without one is expected to have its branch
     * at the run's base): commits no succeeded attempt recorded (made by hand, or by an attempt that failed or whose end
     * a stopped coordinator did not record), which deleting the branches would lose. One line each for the user, saying
     * where such commits may come from; empty when there are none.
     *
     * @throws WorkspaceException when git cannot read the branches
     */
    default List<String> unrecordedBranchWork(String runId, Plan plan, Path runDir, java.util.Map<String, String> recorded) {
        return List.of();
    }

    /**
     * The run's branches checked out in a working tree other than the run's own worktrees, which cannot be deleted
     * until something else is checked out there. One line each for the user; empty when there are none.
     *
     * @throws WorkspaceException when git cannot list the working trees
     */
    default List<String> branchesInUse(String runId, Plan plan, Path runDir) {
        return List.of();
    }

    /**
     * The run's worktrees holding changes that were never committed (a failed attempt's work, edits made
     * after the run, or content in nested repositories and submodule directories, which a commit records only as
     * a link), which {@link #cleanRun} would delete, one line each for the user ({@code ticket: 3
     * changed paths in DIR}); empty when there are none.
     *
     * @throws WorkspaceException when git cannot read a worktree (a corrupt index, say)
     */
    default List<String> uncommittedWork(String runId, Plan plan, Path runDir) {
        return List.of();
    }

    /**
     * Kills what is left of an attempt whose coordinator died (its process group), if the
     * process recorded in {@code attempt} still exists and is the same process (start time).
     * The caller decides first that the attempt's process can be on this machine at all: its launching coordinator
     * ({@link AttemptView#coordinator()}, else the run's last lease holder) is of this host and of this boot
     * ({@code Owners.isOnThisHost}, {@code Owners.isOfThisBoot}): pids and start times mean nothing across machines or
     * a restart.
     *
     * @return true when something was killed
     */
    boolean killOrphan(AttemptView attempt);

    /**
     * {@link #killOrphan(AttemptView)} of an attempt of the run whose directory is {@code runDir}
     * ({@code <stateDir>/runs/<runId>}, as {@link #prepareRun} got it): what the engine calls when it recovers a run. An
     * executor that tells the attempt's processes by where they ran (the run's scratch directory, which another state
     * directory's copy of the run does not share) overrides it; one wrapping another executor forwards it. By default
     * {@link #killOrphan(AttemptView)}.
     *
     * @return true when something was killed
     */
    default boolean killOrphan(AttemptView attempt, Path runDir) {
        return killOrphan(attempt);
    }

    /**
     * Runs one attempt to its end. Blocking; honours {@code control}'s cancellation and the
     * ticket's timeout. Never throws for a failure of the ticket's work: that is a result.
     *
     * @throws InterruptedException if the calling thread is interrupted
     */
    AttemptResult execute(AttemptRequest request, AttemptControl control) throws InterruptedException;

    @Override
    default void close() {}
}
