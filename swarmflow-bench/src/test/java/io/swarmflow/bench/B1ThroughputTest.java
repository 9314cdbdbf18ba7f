package io.swarmflow.bench;

import io.swarmflow.bench.B1Throughput.Store;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How B1 reads {@code -Db1.store}: which stores it measures the engine on. */
class B1ThroughputTest {
    @Test
    void theStoresAreACommaListInAnyOrderAndCase() {
        assertThat(Store.parse("sqlite")).containsExactly(Store.SQLITE);
        assertThat(Store.parse("postgres")).containsExactly(Store.POSTGRES);
        assertThat(Store.parse(" PostgreSQL , sqlite ")).containsExactly(Store.SQLITE, Store.POSTGRES);
    }

    @Test
    void anUnknownOrMissingStoreIsRefusedNamingTheValueAndWhatIsAccepted() {
        assertThatThrownBy(() -> Store.parse("sqlite,mysql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Db1.store=sqlite,mysql").hasMessageContaining("unknown store 'mysql'")
                .hasMessageContaining("sqlite and postgres");
        assertThatThrownBy(() -> Store.parse("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> Store.parse("sqlite,")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> Store.parse("postgres,postgresql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgresql is named twice");
    }
}
