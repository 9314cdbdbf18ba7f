package io.swarmflow.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How B1 reads {@code -Db1.store}: which stores it measures the engine on. */
class B1ThroughputTest {
    @Test
    void theStoresAreACommaListInAnyOrderAndCase() {
        assertThat(BenchStore.parse("b1.store", "sqlite")).containsExactly(BenchStore.SQLITE);
        assertThat(BenchStore.parse("b1.store", "postgres")).containsExactly(BenchStore.POSTGRES);
        assertThat(BenchStore.parse("b1.store", " PostgreSQL , sqlite ")).containsExactly(BenchStore.SQLITE, BenchStore.POSTGRES);
    }

    @Test
    void anUnknownOrMissingStoreIsRefusedNamingTheValueAndWhatIsAccepted() {
        assertThatThrownBy(() -> BenchStore.parse("b1.store", "sqlite,mysql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Db1.store=sqlite,mysql").hasMessageContaining("unknown store 'mysql'")
                .hasMessageContaining("sqlite and postgres");
        assertThatThrownBy(() -> BenchStore.parse("b1.store", "")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> BenchStore.parse("b1.store", "sqlite,")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown store ''");
        assertThatThrownBy(() -> BenchStore.parse("b1.store", "postgres,postgresql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgresql is named twice");
    }
}
