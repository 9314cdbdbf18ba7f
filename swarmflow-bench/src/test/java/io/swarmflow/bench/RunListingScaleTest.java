package io.swarmflow.bench;

import io.swarmflow.bench.RunListingScale.Store;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -Dlisting.store}: the stores RunListingScale measures, as B1Throughput's {@code -Db1.store}. */
class RunListingScaleTest {
    @Test
    void theStoresAreACommaListInAnyOrderAndCase() {
        assertThat(Store.parse("sqlite")).containsExactly(Store.SQLITE);
        assertThat(Store.parse("postgres")).containsExactly(Store.POSTGRES);
        assertThat(Store.parse(" PostgreSQL , sqlite ")).containsExactly(Store.SQLITE, Store.POSTGRES);
    }

    @Test
    void anUnknownOrMissingStoreIsRefusedNamingTheValueAndWhatIsAccepted() {
        assertThatThrownBy(() -> Store.parse("sqlite,mysql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dlisting.store=sqlite,mysql: unknown store 'mysql'; give a comma list of sqlite and postgres, "
                        + "for example -Dlisting.store=sqlite,postgres");
        assertThatThrownBy(() -> Store.parse("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> Store.parse("sqlite,")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> Store.parse("postgres,postgresql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dlisting.store=postgres,postgresql: postgresql is named twice");
    }
}
