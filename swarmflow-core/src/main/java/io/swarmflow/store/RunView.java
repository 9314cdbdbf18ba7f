package io.swarmflow.store;

/**
 * Projection of a run.
 *
 * @param runId           run id
 * @param name            swarm name
 * @param specPath        spec file as given when the run was created
 * @param state           run state
 * @param createdAtMillis store time of creation, epoch milliseconds
 * @param startedAtMillis first start, epoch milliseconds, or 0
 * @param finishedAtMillis end, epoch milliseconds, or 0 while not finished
 * @param epoch           fencing epoch of the current (or last) coordinator, 0 before the first start
 * @param owner           {@code host:pid} of the current (or last) coordinator, or null
 * @param cancelRequested whether a cancel was requested since the last start
 * @param ticketCount     number of tickets in the plan
 * @param lastSeq         sequence number of the last event
 * @param description     the first line of the spec's description ({@link #descriptionLine}), or null when it has none;
 *                        the whole text is in the plan ({@link RunStore#plan})
 */
public record RunView(String runId, String name, String specPath, RunState state, long createdAtMillis,
                      long startedAtMillis, long finishedAtMillis, long epoch, String owner,
                      boolean cancelRequested, int ticketCount, long lastSeq, String description) {

    /** A run without a description. */
    public RunView(String runId, String name, String specPath, RunState state, long createdAtMillis,
                   long startedAtMillis, long finishedAtMillis, long epoch, String owner,
                   boolean cancelRequested, int ticketCount, long lastSeq) {
        this(runId, name, specPath, state, createdAtMillis, startedAtMillis, finishedAtMillis, epoch, owner, cancelRequested,
                ticketCount, lastSeq, null);
    }

    /**
     * What a run keeps of its spec's description: the text before the first line feed, without spaces, tabs and
     * carriage returns at its ends; null when that leaves nothing (or there is no description). The SQL stores'
     * migrations compute the same for runs created before they kept it.
     */
    public static String descriptionLine(String description) {
        if (description == null) return null;
        int nl = description.indexOf('\n');
        String line = nl < 0 ? description : description.substring(0, nl);
        int from = 0;
        int to = line.length();
        while (from < to && isTrimmed(line.charAt(from))) from++;
        while (to > from && isTrimmed(line.charAt(to - 1))) to--;
        return from == to ? null : line.substring(from, to);
    }

    private static boolean isTrimmed(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }
}
