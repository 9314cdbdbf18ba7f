package io.swarmflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmflow.cli.RunsCommandCalls.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.swarmflow.cli.RunsCommandCalls.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review S F3: {@code swarm runs} reads the runs' own rows alone, so a run whose ticket rows sit on a damaged page was
 * listed as succeeded (exit 0) though {@code swarm status} cannot read it. Now quick_check finds the damage, the run is
 * listed as {@code unreadable: ...} (and {@code "unreadable"} in {@code --json}), the intact run as it is, and the
 * command exits 2 naming the database and the way out. With {@code --limit}, the listed runs are read whole instead,
 * unless they hold more than half of all tickets.
 */
class RunsDamagedPagesTest {
    @TempDir
    Path tmp;

    @Test
    void aRunWhoseTicketPagesAreDamagedIsListedUnreadable_andRunsExits2() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = RunsCommandCalls.manySpec(tmp, 400);
        for (int i = 0; i < 2; i++) {
            Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
            assertThat(run.code()).as("%s", run).isZero();
        }
        JsonNode listed = new ObjectMapper().readTree(swarm("runs", "--json", "--state-dir", state.toString()).out());
        String newer = listed.get(0).get("id").asText();
        String older = listed.get(1).get("id").asText();
        Path db = state.resolve("swarm.db");
        // a leaf page of the tickets table holding the older run's rows alone (WITHOUT ROWID: ordered by run id, and
        // two runs made in one second order by their random suffix, so the older run's rows may come first or last)
        List<long[]> leaves = new ArrayList<>(); // page number, cells
        int pageSize;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro"); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA page_size")) {
                pageSize = r.getInt(1);
            }
            try (ResultSet r = s.executeQuery("SELECT pageno, ncell FROM dbstat WHERE name = 'tickets' AND pagetype = 'leaf' ORDER BY path")) {
                while (r.next()) leaves.add(new long[] {r.getLong(1), r.getLong(2)});
            }
        }
        byte[] bytes = new byte[pageSize];
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            long page = -1;
            long cells = 0;
            for (long[] leaf : leaves) {
                f.seek((leaf[0] - 1) * pageSize);
                f.readFully(bytes);
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                if (text.contains(older) && !text.contains(newer) && leaf[1] > cells) { // the fullest such page
                    page = leaf[0];
                    cells = leaf[1];
                }
            }
            assertThat(page).as("a leaf page of the tickets table with the older run's rows alone").isPositive();
            assertThat(cells).isPositive();
            // over the end of its cell content area, which ends at the page's end (SQLite's file format, section 1.6:
            // no reserved bytes here), so the junk lands on rows whatever free space a page that is not full has
            byte[] junk = new byte[200];
            Arrays.fill(junk, (byte) 0xff);
            f.seek(page * pageSize - junk.length);
            f.write(junk);
        }

        Result runs = swarm("runs", "--state-dir", state.toString());

        assertThat(runs.code()).as("%s", runs).isEqualTo(ExitCodes.INVALID_INPUT);
        String olderLine = runs.out().lines().filter(l -> l.startsWith(older)).findFirst().orElseThrow();
        String newerLine = runs.out().lines().filter(l -> l.startsWith(newer)).findFirst().orElseThrow();
        assertThat(olderLine).contains("unreadable: [SQLITE_CORRUPT]").doesNotContain("succeeded");
        assertThat(newerLine).contains("succeeded").doesNotContain("unreadable");
        assertThat(runs.err()).contains(db + " is damaged (SQLite's quick_check: ", "1 run listed is unreadable (" + older + ")",
                "If a swarm process started or ended in this state directory meanwhile, or wrote it through another mount, run the "
                        + "command again; if it says so again, restore " + db + " together with swarm.db-wal from a backup");

        Result json = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(json.code()).as("%s", json).isEqualTo(ExitCodes.INVALID_INPUT);
        JsonNode a = new ObjectMapper().readTree(json.out());
        assertThat(a.get(1).get("id").asText()).isEqualTo(older);
        assertThat(a.get(1).get("unreadable").asText()).contains("SQLITE_CORRUPT");
        assertThat(a.get(0).has("unreadable")).isFalse();

        // a listing cut by --limit reads its runs whole, no quick_check, while they hold half the tickets or fewer: the
        // newest alone is intact
        Result newest = swarm("runs", "--limit", "1", "--state-dir", state.toString());
        assertThat(newest.code()).as("%s", newest).isZero();
        assertThat(newest.out()).contains(newer, "succeeded").doesNotContain("unreadable");
        // ... and quick_checks as a listing of every run does when they hold more (here all): reading them whole would
        // cost more than reading every page once
        Result both = swarm("runs", "--limit", "2", "--state-dir", state.toString());
        assertThat(both.code()).as("%s", both).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(both.out().lines().filter(l -> l.startsWith(older)).findFirst().orElseThrow()).contains("unreadable: [SQLITE_CORRUPT]");
        assertThat(both.err()).contains(db + " is damaged (SQLite's quick_check: ", "1 run listed is unreadable (" + older + ")");

        // status of the damaged run says so too, as it did before (its reads meet the page)
        Result status = swarm("status", older, "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(status.err()).contains("is not a readable Swarmflow database");
    }
}
