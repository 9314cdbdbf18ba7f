package io.swarmflow.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Owners#isOfThisBoot}: a coordinator whose start (the {@code @startMillis} of its owner id) is before the current
 * boot's {@code btime} (less a second of slack) ran in an earlier boot; one whose start cannot be told, or when the boot's
 * cannot, is not taken for one of this boot (its pids are then not looked at, let alone killed).
 */
class OwnersBootTest {
    @TempDir
    Path tmp;

    static final long BOOT = 1_700_000_000_000L;
    static final OptionalLong BOOTED = OptionalLong.of(BOOT);

    @Test
    void aCoordinatorThatStartedAfterTheBootIsOfIt() {
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT + 5_000) + "/3", BOOTED)).isTrue();
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT + 5_000), BOOTED)).as("without /n").isTrue();
        assertThat(Owners.isOfThisBoot("host:42@" + BOOT + "/1", BOOTED)).isTrue();
    }

    @Test
    void oneThatStartedBeforeIsNotButASecondOfRoundingIsForgiven() {
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT - 1_000) + "/1", BOOTED)).as("within the slack").isTrue();
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT - 1_001) + "/1", BOOTED)).as("just before it").isFalse();
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT - 3_600_000) + "/1", BOOTED)).isFalse();
        assertThat(Owners.isOfThisBoot("host:42@1/1", BOOTED)).isFalse();
    }

    @Test
    void anOwnerOrABootThatCannotBeReadIsNotOfThisBoot() {
        for (String garbage : new String[]{null, "", "host:42", "host:42@", "host:42@x/1", "host:42@12a", "host:42@0/1",
                "host:42@-5/1", "host:42@" + (BOOT + 5_000) + "x", "host:42@99999999999999999999/1"}) {
            assertThat(Owners.isOfThisBoot(garbage, BOOTED)).as("%s", garbage).isFalse();
        }
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT + 5_000) + "/1", OptionalLong.empty())).as("boot unknown").isFalse();
    }

    @Test
    void anEarlierBootIsSaidOnlyWhenBothStartsAreKnown() {
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT - 3_600_000) + "/1", BOOTED)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT - 1_001) + "/1", BOOTED)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT - 1_000) + "/1", BOOTED)).as("within the slack").isFalse();
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT + 5_000) + "/1", BOOTED)).isFalse();
        assertThat(Owners.isOfAnEarlierBoot("host:42@x/1", BOOTED)).as("start not known").isFalse();
        assertThat(Owners.isOfAnEarlierBoot(null, BOOTED)).isFalse();
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT - 3_600_000) + "/1", OptionalLong.empty())).as("boot not known").isFalse();
    }

    @Test
    void theBootIsReadFromTheBtimeLineOfProcStat() throws Exception {
        Path stat = tmp.resolve("stat");
        Files.writeString(stat, "cpu  1 2 3 4\nintr 5 6\nctxt 7\nbtime 1700000000\nprocesses 9\n");
        assertThat(Owners.bootMillis(stat)).hasValue(BOOT);
        Files.writeString(stat, "cpu  1 2 3 4\nctxt 7\n");
        assertThat(Owners.bootMillis(stat)).as("no btime line").isEmpty();
        Files.writeString(stat, "btime soon\n");
        assertThat(Owners.bootMillis(stat)).as("not a number").isEmpty();
        assertThat(Owners.bootMillis(tmp.resolve("missing"))).as("unreadable, as off Linux").isEmpty();
    }

    @Test
    void thisProcessAndOneOfAnEarlierBootOnThisMachine() {
        assertThat(Owners.isOfThisBoot(Owners.coordinator())).as("this JVM").isTrue();
        long boot = Owners.bootMillis(Path.of("/proc/stat")).orElseThrow();
        assertThat(Owners.isOfThisBoot(Owners.hostName() + ":1@" + (boot - 60_000) + "/1")).isFalse();
    }
}
