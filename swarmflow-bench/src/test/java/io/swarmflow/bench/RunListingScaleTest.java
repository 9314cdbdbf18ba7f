package io.swarmflow.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -Dlisting.store}: the stores RunListingScale measures, as B1Throughput's {@code -Db1.store}. */
class RunListingScaleTest {
    @Test
    void theStoresAreACommaListInAnyOrderAndCase() {
        assertThat(BenchStore.parse("listing.store", "sqlite")).containsExactly(BenchStore.SQLITE);
        assertThat(BenchStore.parse("listing.store", "postgres")).containsExactly(BenchStore.POSTGRES);
        assertThat(BenchStore.parse("listing.store", " PostgreSQL , sqlite ")).containsExactly(BenchStore.SQLITE, BenchStore.POSTGRES);
    }

    @Test
    void anUnknownOrMissingStoreIsRefusedNamingTheValueAndWhatIsAccepted() {
        assertThatThrownBy(() -> BenchStore.parse("listing.store", "sqlite,mysql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dlisting.store=sqlite,mysql: unknown store 'mysql'; give a comma list of sqlite and postgres, "
                        + "for example -Dlisting.store=sqlite,postgres");
        assertThatThrownBy(() -> BenchStore.parse("listing.store", "")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> BenchStore.parse("listing.store", "sqlite,")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> BenchStore.parse("listing.store", "postgres,postgresql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dlisting.store=postgres,postgresql: postgresql is named twice");
    }
}
