package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

class NumberOptionWordingTest {
    /** "Invalid value for option '--grace': '2s' is not an int": the spec writes durations with a unit, these options take seconds. */
    @Test
    void aNumberOptionGivenSomethingElseSaysWhatItTakes() {
        Result grace = swarm("run", "s.yaml", "--grace", "2s");
        assertThat(grace.code()).as("%s", grace).isEqualTo(2);
        assertThat(grace.err()).isEqualTo("swarm: --grace takes a whole number of seconds, such as 5, not '2s'\nSee `swarm run --help`.\n");
        assertThat(swarm("cancel", "r", "--wait", "1.5").err()).startsWith("swarm: --wait takes a whole number of seconds, such as 5, not '1.5'\n");
        assertThat(swarm("logs", "r", "t", "--attempt", "last").err()).startsWith("swarm: --attempt takes a whole number, not 'last'\n");
    }
}
