package io.swarmflow.cli;

import io.swarmflow.store.AttemptView;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line under {@code swarm status}'s ticket table on the processes a stopped coordinator left running: one ticket, or
 * several (the first 5 named, the others counted), and none for processes that no longer run.
 */
class OrphansNoteTest {
    private static QueryCommands.Status.Orphan orphan(String ticket, long pid, boolean alive) {
        return new QueryCommands.Status.Orphan(new AttemptView("r1", ticket, 1, null, null, null, 1, 0, pid, 42, null), alive);
    }

    @Test
    void namesTheTicketsWhoseProcessesStillRunTheFirstFiveAndCountsTheOthers() {
        Map<String, QueryCommands.Status.Orphan> orphans = new LinkedHashMap<>();
        orphans.put("gone", orphan("gone", 90, false));
        assertThat(QueryCommands.Status.orphansNote(orphans, "r1")).isNull();

        orphans.put("a", orphan("a", 101, true));
        assertThat(QueryCommands.Status.orphansNote(orphans, "r1")).isEqualTo("a: its process (group 101) still runs, left by the "
                + "stopped coordinator; `swarm resume r1` kills it as it resumes the run, and what the attempt started outside its "
                + "group (setsid, a daemon) that still holds its SWARM_ variables (`swarm cancel` cannot: no coordinator "
                + "executes the run)");

        for (int i = 2; i <= 7; i++) orphans.put("t" + i, orphan("t" + i, 100 + i, true));
        assertThat(QueryCommands.Status.orphansNote(orphans, "r1")).isEqualTo("7 tickets' processes still run, left by the stopped "
                + "coordinator: a (group 101), t2 (group 102), t3 (group 103), t4 (group 104), t5 (group 105) and 2 more; "
                + "`swarm resume r1` kills them as it resumes the run, and what the attempt started outside its group (setsid, a "
                + "daemon) that still holds its SWARM_ variables (`swarm cancel` cannot: no coordinator executes the run)");
    }
}
