package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {
    @Test
    void eachDurationIsWrittenInTheUnitItRoundsTo() {
        assertThat(Durations.format(-1)).isEqualTo("-");
        assertThat(Durations.format(999)).isEqualTo("999ms");
        assertThat(Durations.format(1_000)).isEqualTo("1.0s");
        assertThat(Durations.format(59_940)).isEqualTo("59.9s");
        // 59.95 s rounds to a whole minute: written as one, never as "60.0s"
        assertThat(Durations.format(59_950)).isEqualTo("1m00s");
        assertThat(Durations.format(59_999)).isEqualTo("1m00s");
        assertThat(Durations.format(60_000)).isEqualTo("1m00s");
        assertThat(Durations.format(3_599_999)).isEqualTo("59m59s");
        assertThat(Durations.format(3_600_000)).isEqualTo("1h00m");
    }
}
