package io.swarmflow.store.sql;

import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link ReplayProperties} on PostgreSQL ({@link PostgresTestDatabase}), in a schema of its own: its store writes each
 * transaction's ticket and attempt rows with one statement per table ({@link Dialect#setBasedWrites}).
 */
class PostgresReplayProperties extends ReplayProperties {
    private static String schema;
    private static SqlRunStore store;

    @BeforeContainer
    static void open() {
        PostgresTestDatabase.assumeReachable();
        schema = PostgresTestDatabase.newSchema();
        store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema);
    }

    @AfterContainer
    static void close() {
        if (store != null) store.close();
        PostgresTestDatabase.drop(schema);
    }

    @Override
    SqlRunStore store() {
        return store;
    }

    @Override
    void reopen() {
        store.close();
        store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema);
    }
}
