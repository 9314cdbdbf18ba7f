package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.store.TicketView;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
     * the last attempt the store records for it.
     *
     * @param runDir  the run's directory ({@code runs/<run>})
     * @param tickets the run's tickets, as the store has them
     * @param db      the database file, named in the message
     * @throws InvalidRequestException naming the ticket, the attempt recorded, the folder found and the ways out; nothing
     *                                 was changed
     */
    static void refuse(String runId, Path runDir, List<TicketView> tickets, Path db) {
        List<String> found = new ArrayList<>();
        Path first = null;
        for (TicketView t : tickets) {
            if (t.state().isFinal()) continue; // it will not run again
            Path ticketLogs = runDir.resolve("logs").resolve(t.ticketId());
            int highest = highestAttemptFolder(ticketLogs);
            if (highest <= t.attempt()) continue;
            Path folder = ticketLogs.resolve(Integer.toString(t.attempt() + 1));
            Path shown = Files.isDirectory(folder) ? folder : ticketLogs.resolve(Integer.toString(highest));
            if (first == null) first = shown;
            found.add("ticket " + t.ticketId() + ": the database records " + (t.attempt() == 0 ? "no attempt"
                    : "attempts up to " + t.attempt()) + ", yet " + shown + " holds the logs of attempt "
                    + shown.getFileName() + (highest > t.attempt() + 1 ? " (the highest found is " + highest + ")" : ""));
        }
        if (found.isEmpty()) return;
        throw new InvalidRequestException("run " + runId + " cannot be resumed: " + db + " lost writes that the files of the run "
                + "kept (most likely it was restored from an older backup, or lost its write-ahead log " + db.getFileName()
                + "-wal): " + String.join("; ", found) + ". Resuming would run " + (found.size() == 1 ? "that attempt" : "those attempts")
                + " again over " + (found.size() == 1 ? "its" : "their") + " logs; nothing was changed. Restore " + db + " together "
                + "with " + db.getFileName() + "-wal from a newer backup, or, to run " + (found.size() == 1 ? "the ticket" : "the tickets")
                + " again anyway, move the folders aside (for example `mv " + first + " " + first + ".lost`) and resume again");
    }

    /** The highest attempt number among the folders of {@code ticketLogs} named by a number; 0 when none (or it is missing). */
    private static int highestAttemptFolder(Path ticketLogs) {
        int highest = 0;
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(ticketLogs)) {
            for (Path f : folders) {
                String name = f.getFileName().toString();
                if (!name.matches("[1-9][0-9]{0,8}") || !Files.isDirectory(f)) continue;
                highest = Math.max(highest, Integer.parseInt(name));
            }
        } catch (IOException | SecurityException e) {
            return 0; // no folder (no attempt logged), or one that cannot be listed: the attempt's own launch says so
        }
        return highest;
    }
}
