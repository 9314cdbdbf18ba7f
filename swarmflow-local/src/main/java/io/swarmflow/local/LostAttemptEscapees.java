package io.swarmflow.local;

import io.swarmflow.sandbox.ProcessGroups;
import io.swarmflow.store.AttemptView;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The processes an attempt whose coordinator died left outside its process group, ended when {@code swarm resume} kills
 * the orphaned group ({@link LocalExecutor#killOrphan}): without bubblewrap's {@code --die-with-parent} or a cgroup
 * (an ordinary user's unsandboxed ticket) nothing else ends them. They are found by the attempt's {@code SWARM_RUN_ID},
 * {@code SWARM_TICKET_ID}, {@code SWARM_ATTEMPT} and {@code SWARM_SCRATCH} ({@link ProcessGroups#killOrphanEscapees}):
 * another state directory's attempt with the same ids has another scratch directory, and is left alone.
 */
final class LostAttemptEscapees {
    private LostAttemptEscapees() {}

    /**
     * Ends what {@code attempt} left outside its group and says so in {@code warnings} (one line naming the pids, and
     * those still running if some kept starting others); says nothing when there was none.
     *
     * @param scratch the attempt's {@code SWARM_SCRATCH}, exactly as its launch set it ({@link LocalExecutor#scratchVariable})
     */
    static void end(AttemptView attempt, String scratch, Consumer<String> warnings) {
        ProcessGroups.OrphanEscapees found;
        try {
            found = ProcessGroups.killOrphanEscapees(attempt.pid(), attempt.startTicks(),
                    LocalExecutor.ticksTimeNamespace(attempt), Map.of("SWARM_RUN_ID",
                    attempt.runId(), "SWARM_TICKET_ID", attempt.ticketId(), "SWARM_ATTEMPT", Integer.toString(attempt.attempt()),
                    "SWARM_SCRATCH", scratch));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the KILLs of the current scan were sent; the engine sees the interrupt
            return;
        }
        String warning = warning(attempt, found.ended(), found.left());
        if (warning != null) warnings.accept(warning);
        String other = otherScratch(attempt, scratch, found.otherScratch());
        if (other != null) warnings.accept(other);
    }

    /**
     * The warning for the processes ({@code pids}) that hold {@code attempt}'s ids but another {@code SWARM_SCRATCH} than
     * {@code scratch}, left alone; null when there is none (review DPROC F3: the lookup said nothing when it missed them).
     */
    static String otherScratch(AttemptView attempt, String scratch, List<Long> pids) {
        if (pids.isEmpty()) return null;
        boolean one = pids.size() == 1;
        return "ticket " + attempt.ticketId() + ": attempt " + attempt.attempt() + ": " + (one ? "a process" : pids.size()
                + " processes") + " outside its process group " + (one ? "holds" : "hold") + " its SWARM_RUN_ID, "
                + "SWARM_TICKET_ID and SWARM_ATTEMPT but another SWARM_SCRATCH than " + scratch + " (another state "
                + "directory's attempt, or this one launched with the state directory named by another path): left alone ("
                + pids(pids) + "); end " + (one ? "it" : "them") + " yourself (kill -KILL PID) once you know "
                + (one ? "it is" : "they are") + " this attempt's";
    }

    /** The warning for {@code ended} and {@code left} (pids), or null when both are empty. */
    static String warning(AttemptView attempt, List<Long> ended, List<Long> left) {
        if (ended.isEmpty() && left.isEmpty()) return null;
        int all = ended.size() + left.size();
        return "ticket " + attempt.ticketId() + ": attempt " + attempt.attempt() + ", left running by its stopped coordinator, "
                + "had " + (all == 1 ? "a process" : all + " processes") + " outside its process group (setsid, a daemon), "
                + "found by its SWARM_ variables: " + (left.isEmpty() ? "ended " + (all == 1 ? "it" : "them") + " (" + pids(ended) + ")"
                : (ended.isEmpty() ? "" : "ended " + ended.size() + " (" + pids(ended) + "), but ") + left.size()
                + " kept starting others and still " + (left.size() == 1 ? "runs" : "run") + " (" + pids(left) + "): end "
                + (left.size() == 1 ? "it" : "them") + " yourself (kill -KILL PID)");
    }

    /** {@code pid 5} or {@code pids 5, 6}. */
    private static String pids(List<Long> pids) {
        return (pids.size() == 1 ? "pid " : "pids ") + String.join(", ", pids.stream().map(String::valueOf).toList());
    }
}
