package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review R3, finding 4: the refusal of a claim ("run R is held by OWNER until TIME", which {@code swarm resume} prints)
 * shows a coordinator as {@code host:pid@startMillis/n}, without the exact parts ({@code ;boot=...;pidns=...;ticks=...})
 * nobody acts on; the lease itself keeps the whole id.
 */
class HeldByMessageTest {
    @TempDir
    Path dir;

    @Test
    void theRefusalOfAClaimShowsTheHolderShort() {
        String holder = "vm:16653@1796644209880/1;boot=435c01e1-417e-4f08-b8dc-a1c25b479f0b;pidns=4026531836;ticks=127988";
        try (SqlRunStore store = SqlRunStore.openSqlite(dir.resolve(".swarm"))) {
            store.createRun(TestPlans.created("r1", 1));
            store.claimRun("r1", holder, 600_000);
            assertThatThrownBy(() -> store.claimRun("r1", "other:1@2/1", 600_000)).isInstanceOf(StoreException.RunLocked.class)
                    .hasMessageStartingWith("run r1 is held by vm:16653@1796644209880/1 until ")
                    .hasMessageNotContaining(";boot=");
            org.assertj.core.api.Assertions.assertThat(store.lease("r1").orElseThrow().owner()).isEqualTo(holder);
        }
    }
}
