package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** "Missing required parameter: 'TICKET'" and "Missing required option: '--reason=TEXT'" (picocli's words) now show the line that has it. */
class MissingArgumentWordingTest {
    @Test
    void aMissingArgumentOrOptionComesWithTheCommandLineThatHasIt() {
        Result logs = swarm("logs", "r");
        assertThat(logs.code()).as("%s", logs).isEqualTo(2);
        assertThat(logs.err()).isEqualTo("swarm: missing TICKET: `swarm logs RUN TICKET`\nSee `swarm logs --help`.\n");
        assertThat(swarm("reject", "r", "t").err()).startsWith("swarm: missing --reason TEXT: `swarm reject RUN TICKET... --reason TEXT`\n");
        assertThat(swarm("approve", "r").err()).startsWith("swarm: missing TICKET: `swarm approve RUN TICKET...`\n");
        assertThat(swarm("run").err()).startsWith("swarm: missing SPEC: `swarm run SPEC`\n");
        assertThat(swarm("clean").err()).startsWith("swarm: missing RUN: `swarm clean RUN`\n");
    }
}
