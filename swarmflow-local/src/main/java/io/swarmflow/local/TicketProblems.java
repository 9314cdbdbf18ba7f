package io.swarmflow.local;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Problems of single tickets, collected so that one problem of many tickets is said once: the expansions of a matrix
 * ticket, or every ticket of a repository git refuses, would otherwise repeat the same sentence once per ticket. The
 * first ticket's problem takes its place in the list as {@code ticket ID WHAT}; each further ticket with the same
 * {@code WHAT} turns it into {@code tickets ID1, ID2 and ID3: each WHAT}, naming at most {@value #MOST_NAMED} tickets and
 * how many more.
 */
final class TicketProblems {
    /** How many tickets a problem names at most; the rest are counted. */
    static final int MOST_NAMED = 10;

    private final List<String> problems;
    /** Of each problem ({@code WHAT}), its place in {@link #problems} and the tickets it is of, in the order they came. */
    private final Map<String, Entry> byProblem = new HashMap<>();

    private record Entry(int index, List<String> ids) {}

    /** Problems added to {@code problems}, the list they are reported in (other problems may be added to it meanwhile). */
    TicketProblems(List<String> problems) {
        this.problems = problems;
    }

    /**
     * Adds ticket {@code id}'s problem {@code what}, a phrase that follows the ticket's id ({@code uses workspace: repo but
     * ...}).
     */
    void add(String id, String what) {
        Entry e = byProblem.get(what);
        if (e == null) {
            byProblem.put(what, new Entry(problems.size(), new ArrayList<>(List.of(id))));
            problems.add("ticket " + id + " " + what);
            return;
        }
        e.ids().add(id);
        problems.set(e.index(), "tickets " + named(e.ids()) + ": each " + what);
    }

    /** {@code a, b and c}; past {@value #MOST_NAMED}, {@code a, b, ... j and 5 more}. */
    static String named(List<String> ids) {
        if (ids.size() > MOST_NAMED) {
            return String.join(", ", ids.subList(0, MOST_NAMED)) + " and " + (ids.size() - MOST_NAMED) + " more";
        }
        return String.join(", ", ids.subList(0, ids.size() - 1)) + " and " + ids.getLast();
    }
}
