package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review F item 3: where JNA cannot load and {@code kill(1)} ({@link Kill#COMMAND}) is missing, {@link Kill#exists} answers
 * -1 (cannot tell) for every pid. Where {@code /proc} is mounted with {@code hidepid=}, a leader it does not show was then
 * taken for gone ({@link ProcessGroups#orphanGroupUncheckable} null, so {@code swarm status} said the group "no longer
 * runs"); it cannot be told there. Where {@code /proc} hides nothing, a pid it does not show is gone, as before.
 */
class HiddenOrphanWithoutKillTest {
    @Test
    void aPidHiddenByHidepidThatNoProbeCanAskAboutCannotBeTold() {
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), -1, -1, "time:[1]", null, true))
                .startsWith("/proc does not show process 4242 (mounted with hidepid=")
                .contains("neither kill(2) nor kill(1) (" + Kill.COMMAND + ") could be asked", "cannot be told");
    }

    @Test
    void withoutHidepidOrWithAProbeThatAnsweredItCanStillBeTold() {
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), -1, -1, "time:[1]", null, false))
                .as("/proc hides nothing: a pid it does not show is gone").isNull();
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), Kill.ESRCH, Kill.ESRCH, "time:[1]", null, true))
                .as("kill(1) said: no such process").isNull();
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), Kill.EPERM, -1, "time:[1]", null, true))
                .as("EPERM says it exists").startsWith("process 4242 exists (kill(2) answers EPERM");
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.of(500), -1, -1, "time:[1]", "time:[1]", true))
                .as("/proc shows it").isNull();
    }
}
