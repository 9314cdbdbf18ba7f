package io.swarmflow.bench;

import java.util.EnumSet;
import java.util.Locale;

/** The stores a benchmark can measure on ({@code -Db1.store}, {@code -Dlisting.store}), in the order measured. */
enum BenchStore {
    SQLITE, POSTGRES;

    /**
     * Parses the system property {@code property}'s {@code value}: a comma list of {@code sqlite} and {@code postgres}
     * (or {@code postgresql}; any case, spaces around the names allowed), in any order, each at most once.
     *
     * @param property the property's name without {@code -D} ({@code b1.store}), for the messages
     * @throws IllegalArgumentException naming the value and the accepted names, when it is empty or holds another name,
     *                                  or names a store twice
     */
    static EnumSet<BenchStore> parse(String property, String value) {
        EnumSet<BenchStore> stores = EnumSet.noneOf(BenchStore.class);
        for (String part : value.split(",", -1)) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            BenchStore s = switch (name) {
                case "sqlite" -> SQLITE;
                case "postgres", "postgresql" -> POSTGRES;
                default -> throw new IllegalArgumentException("-D" + property + "=" + value + ": unknown store '" + part.strip()
                        + "'; give a comma list of sqlite and postgres, for example -D" + property + "=sqlite,postgres");
            };
            if (!stores.add(s)) throw new IllegalArgumentException("-D" + property + "=" + value + ": " + name + " is named twice");
        }
        return stores;
    }
}
