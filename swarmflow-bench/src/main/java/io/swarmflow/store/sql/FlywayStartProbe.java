package io.swarmflow.store.sql;

import org.flywaydb.core.Flyway;

import java.nio.file.Path;

/**
 * For {@code io.swarmflow.bench.FlywayStart}: one child JVM's work, by its first argument, on the state directory named
 * by the second. In the store's package for {@link SqliteDialect#dataSource}, the data source the store itself uses. Not
 * part of the product.
 *
 * <ul>
 *   <li>{@code jvm}: nothing (the JVM's own start and exit);</li>
 *   <li>{@code open}: {@link SqlRunStore#openSqlite} (which skips Flyway when its history shows this build's
 *       migrations, {@link SqlRunStore#schemaIsCurrent}), then the runs listed, as {@code swarm runs} reads them;</li>
 *   <li>{@code flyway}: the same, after Flyway's {@code migrate()} with the store's configuration on the same database,
 *       which finds nothing to apply: what every open did before the skip (commit {@code 2342ce3}).</li>
 * </ul>
 */
public final class FlywayStartProbe {
    private FlywayStartProbe() {}

    public static void main(String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: FlywayStartProbe jvm|open|flyway STATE_DIR");
        Path stateDir = Path.of(args[1]);
        switch (args[0]) {
            case "jvm" -> { }
            case "open" -> open(stateDir);
            case "flyway" -> {
                SqliteDialect dialect = new SqliteDialect();
                Flyway.configure(SqlRunStore.class.getClassLoader())
                        .dataSource(SqliteDialect.dataSource(stateDir.resolve("swarm.db")))
                        .locations(dialect.migrationLocation())
                        .load().migrate();
                open(stateDir);
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0] + "; give jvm, open or flyway");
        }
    }

    private static void open(Path stateDir) {
        try (SqlRunStore store = SqlRunStore.openSqlite(stateDir)) {
            if (store.runs().isEmpty()) throw new IllegalStateException(stateDir + " holds no run");
        }
    }
}
