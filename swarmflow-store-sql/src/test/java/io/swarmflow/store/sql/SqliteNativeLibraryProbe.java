package io.swarmflow.store.sql;

import java.nio.file.Path;

/** Run by SqliteNativeLibraryTest in a fresh JVM: opens a store at args[0] and prints where SQLite was loaded from. */
public final class SqliteNativeLibraryProbe {
    private SqliteNativeLibraryProbe() {}

    public static void main(String[] args) {
        try (SqlRunStore store = SqlRunStore.openSqlite(Path.of(args[0]))) {
            System.out.println("runs=" + store.runs().size());
        }
        System.out.println("org.sqlite.lib.path=" + System.getProperty("org.sqlite.lib.path"));
    }
}
