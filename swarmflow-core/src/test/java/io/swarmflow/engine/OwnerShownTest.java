package io.swarmflow.engine;

import io.swarmflow.store.RunLease;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review R3, finding 4: a message to a person shows a coordinator as {@code host:pid@startMillis/n}, without the exact
 * parts ({@code ;boot=...;pidns=...;ticks=...}, {@link Owners}) nobody acts on.
 */
class OwnerShownTest {
    static final String SUFFIX = ";boot=435c01e1-417e-4f08-b8dc-a1c25b479f0b;pidns=4026531836;ticks=127988";

    @Test
    void theExactPartsAreCutAtTheFirstSemicolonAfterTheAt() {
        assertThat(Owners.shown("vm:16653@1796644209880/1" + SUFFIX)).isEqualTo("vm:16653@1796644209880/1");
        assertThat(Owners.shown("vm:16653@1796644209880" + SUFFIX)).as("no /n").isEqualTo("vm:16653@1796644209880");
        assertThat(Owners.shown("vm:16653@1796644209880/1")).as("an older swarm's").isEqualTo("vm:16653@1796644209880/1");
        assertThat(Owners.shown("alpha:11")).isEqualTo("alpha:11");
        assertThat(Owners.shown("a;b:1@2/3")).as("a ';' before the '@' is the host's").isEqualTo("a;b:1@2/3");
        assertThat(Owners.shown(null)).isEqualTo("null");
        String mine = Owners.coordinator();
        assertThat(Owners.shown(mine)).isEqualTo(mine.substring(0, mine.indexOf(';'))).startsWith(Owners.current() + "/");
        assertThat(RunLease.shown(mine)).isEqualTo(Owners.shown(mine));
    }

    @Test
    void theRefusalOfAClaimShowsTheHolderShort() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        store.claimRun(run, "vm:16653@1796644209880/1" + SUFFIX, 600_000);
        assertThatThrownBy(() -> store.claimRun(run, "other:1@2/1", 600_000)).isInstanceOf(StoreException.RunLocked.class)
                .hasMessageStartingWith("run " + run + " is held by vm:16653@1796644209880/1 until ")
                .hasMessageNotContaining(";boot=");
    }
}
