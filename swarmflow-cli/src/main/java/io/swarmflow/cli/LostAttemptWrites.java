package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.store.TicketView;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The check {@code swarm resume} makes before it claims a run: that no attempt it is about to start already has its log
 * folder ({@code runs/<run>/logs/<ticket>/<n>/}, made by the executor only once the attempt's start is durable in the
 * store, {@link io.swarmflow.engine.RunEngine}). One there means the database lost writes that the file system kept (a
 * {@code swarm.db} restored from an older backup, or one that lost its write-ahead log): resuming would run that attempt
 * number again, overwrite its logs and record a history that never happened.
 */
final class LostAttemptWrites {
    private LostAttemptWrites() {
    }

    /**
     * Refuses to resume {@code runId} when a ticket that has not reached a final state has a log folder numbered above
     * the last attempt the store records for it. The tickets are read again once such a folder is seen: another
     * {@code swarm resume} of the run may have started that attempt between the first read and the listing (its folder is
     * made only once its start is durable, so the second read sees it), and that is no loss; the claim that follows says
     * the run is held (review DWG F7).
     *
     * @param runDir  the run's directory ({@code runs/<run>})
     * @param tickets reads the run's tickets, as the store has them (called once, or twice when a folder is found)
     * @param db      the database file, named in the message
     * @throws InvalidRequestException naming the ticket, the attempt recorded, the folders found and the ways out; nothing
     *                                 was changed
     */
    static void refuse(String runId, Path runDir, Supplier<List<TicketView>> tickets, Path db) {
        if (lost(runDir, tickets.get()).isEmpty()) return;
        List<Lost> found = lost(runDir, tickets.get());
        if (found.isEmpty()) return;
        List<Path> folders = found.stream().flatMap(l -> l.folders().stream()).toList();
        String moves = folders.stream().limit(MOVES_SHOWN).map(f -> "`mv " + f + " " + f + ".lost`")
                .collect(java.util.stream.Collectors.joining(", "))
                + (folders.size() > MOVES_SHOWN ? " and the " + (folders.size() - MOVES_SHOWN) + " more found" : "");
        throw new InvalidRequestException("run " + runId + " cannot be resumed: " + db + " lost writes that the files of the run "
                + "kept (most likely it was restored from an older backup, or lost its write-ahead log " + db.getFileName()
                + "-wal): " + String.join("; ", found.stream().map(Lost::line).toList()) + ". Resuming would run "
                + (found.size() == 1 ? "that attempt" : "those attempts") + " again over "
                + (found.size() == 1 ? "its" : "their") + " logs; nothing was changed. Restore " + db + " together "
                + "with " + db.getFileName() + "-wal from a newer backup, or, to run " + (found.size() == 1 ? "the ticket" : "the tickets")
                + " again anyway, move the folders aside (" + moves + ") and resume again");
    }

    /** How many {@code mv} commands the refusal spells out. */
    private static final int MOVES_SHOWN = 10;

    /** A ticket's log folders numbered above its recorded attempt, in attempt order, and the line that says so. */
    private record Lost(String line, List<Path> folders) {
    }

    private static List<Lost> lost(Path runDir, List<TicketView> tickets) {
        List<Lost> found = new ArrayList<>();
        for (TicketView t : tickets) {
            if (t.state().isFinal()) continue; // it will not run again
            Path ticketLogs = runDir.resolve("logs").resolve(t.ticketId());
            List<Integer> above = attemptFolders(ticketLogs).stream().filter(n -> n > t.attempt()).sorted().toList();
            if (above.isEmpty()) continue;
            int highest = above.get(above.size() - 1);
            Path shown = ticketLogs.resolve(Integer.toString(above.get(0)));
            found.add(new Lost("ticket " + t.ticketId() + ": the database records " + (t.attempt() == 0 ? "no attempt"
                    : "attempts up to " + t.attempt()) + ", yet " + shown + " holds the logs of attempt " + shown.getFileName()
                    + (highest > above.get(0) ? " (the highest found is " + highest + ")" : ""),
                    above.stream().map(n -> ticketLogs.resolve(Integer.toString(n))).toList()));
        }
        return found;
    }

    /** The attempt numbers of the folders of {@code ticketLogs} named by a number; none when there are none (or it is missing). */
    private static List<Integer> attemptFolders(Path ticketLogs) {
        List<Integer> numbers = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(ticketLogs)) {
            for (Path f : folders) {
                String name = f.getFileName().toString();
                if (!name.matches("[1-9][0-9]{0,8}") || !Files.isDirectory(f)) continue;
                numbers.add(Integer.parseInt(name));
            }
        } catch (IOException | SecurityException e) {
            return List.of(); // no folder (no attempt logged), or one that cannot be listed: the attempt's own launch says so
        }
        return numbers;
    }
}
