package io.swarmflow.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code swarm runs} says of a database with damaged pages: its listing reads the runs' own rows alone, which may be
 * intact while a run's tickets or events are not, so it would show such a run as it was recorded (succeeded) though
 * {@code status}, {@code resume} and {@code report} cannot read it. Listing every run, SQLite's {@code PRAGMA
 * quick_check} reads every page ({@link Wiring#quickCheck}; 0.3-0.4 s for a 77 MB database of one 100,000-ticket
 * run), and only when it finds damage are the listed runs read whole ({@link Wiring#unreadable}) to say which it
 * hit. A listing cut by {@code --limit} reads its runs whole instead, and no other page: it stays as quick as the
 * runs it shows are small. But when the runs it shows hold more than half of all tickets, it checks as a listing of
 * every run does: reading a run whole costs more than quick_check's read of its pages, so that {@code --limit 20} of a
 * state directory of one run of 100,000 tickets took twice as long as listing every run (docs/benchmarks.md,
 * RunListingScale).
 *
 * @param found what quick_check found (one line), or what reading the listed runs found; null when nothing
 * @param runs  the listed runs it hit, by id, with why each cannot be read; in listing order
 */
record RunsDamage(String found, Map<String, String> runs) {
    static final RunsDamage NONE = new RunsDamage(null, Map.of());

    /**
     * The damage of {@code store}'s database, and which of {@code runIds} it hit; {@link #NONE} when it has none.
     *
     * @param every         whether {@code runIds} are all the runs (no {@code --limit}): then quick_check the whole
     *                      database first
     * @param listedTickets the tickets of the runs {@code runIds}: when more than half of all, quick_check first too
     */
    static RunsDamage of(Wiring w, List<String> runIds, boolean every, long listedTickets) {
        beforeCheck.run();
        every = every || listedTickets * 2 > w.ticketCount();
        Optional<String> found = every ? w.quickCheck() : Optional.empty();
        if (every && found.isEmpty()) return NONE;
        Map<String, String> runs = new LinkedHashMap<>();
        for (String id : runIds) w.unreadable(id).ifPresent(why -> runs.put(id, why));
        if (found.isPresent()) return new RunsDamage("SQLite's quick_check: " + found.get(), runs);
        return runs.isEmpty() ? NONE : new RunsDamage("the rows of " + runs.size() + (runs.size() == 1 ? " run" : " runs")
                + " cannot be read", runs);
    }

    /** Runs in {@link #of} after the listing was read and before the check: a test's way in (another swarm writing). */
    static volatile Runnable beforeCheck = () -> {
    };

    boolean any() {
        return found != null;
    }

    /** The state cell of run {@code runId}: {@code unreadable: WHY} when the damage hit it, else {@code state}. */
    String state(String runId, String state) {
        String why = runs.get(runId);
        return why == null ? state : "unreadable: " + why;
    }

    /** The error line after the listing, naming the database and the way out; null when there is no damage. */
    String message(java.nio.file.Path stateDir) {
        if (found == null) return null;
        java.nio.file.Path db = stateDir.resolve(Wiring.DB_FILE);
        return db + " is damaged (" + found + "); " + (runs.isEmpty()
                ? "the runs listed can all be read, but others may not"
                : runs.size() + (runs.size() == 1 ? " run listed is" : " runs listed are") + " unreadable ("
                + String.join(", ", runs.keySet()) + "): `swarm status`, `resume` and `report` cannot read "
                + (runs.size() == 1 ? "it" : "them")) + ". If a swarm process started or ended in this state directory meanwhile, or "
                + "wrote it through another mount, run the command again; if it says so again, restore " + db + " together with " + db.getFileName() + "-wal from a "
                + "backup, or move the state directory aside to start afresh (for example `mv " + stateDir + " " + stateDir
                + ".broken`); runs whose rows are intact can be copied out with `sqlite3 " + db + " .recover`";
    }
}
