package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by FirstOpenRaceTest in a fresh JVM: prints {@code ready}, waits for the file args[1] to appear, then opens the
 * store at args[0] (creating and migrating it) and prints {@code opened}, or the error's message and exits 1.
 */
public final class FirstOpenRaceProbe {
    private FirstOpenRaceProbe() {}

    public static void main(String[] args) throws InterruptedException {
        Path go = Path.of(args[1]);
        SqliteNativeLibrary.useCachedCopy(); // loaded before the start, so that the opens start together
        System.out.println("ready");
        System.out.flush();
        while (!Files.exists(go)) Thread.sleep(1); // a start line for all the probes, not a wait for a result
        try (SqlRunStore store = SqlRunStore.openSqlite(Path.of(args[0]))) {
            System.out.println("opened, runs=" + store.runs().size());
        } catch (StoreException e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
