package io.swarmflow.store.sql;

import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** {@link ReplayProperties} on SQLite, in a state directory of its own. */
class SqliteReplayProperties extends ReplayProperties {
    private static Path dir;
    private static SqlRunStore store;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("swarmflow-replay");
        store = SqlRunStore.openSqlite(dir);
    }

    @AfterContainer
    static void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Override
    SqlRunStore store() {
        return store;
    }

    @Override
    void reopen() {
        store.close();
        store = SqlRunStore.openSqlite(dir);
    }
}
