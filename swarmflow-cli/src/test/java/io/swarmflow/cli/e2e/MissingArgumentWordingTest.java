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

    /**
     * An option given without its value ({@code swarm status --state-dir}) said "missing --state-dir DIR: `swarm status
     * [RUN] [TICKET]`": the command line shown, which was to have what is missing, had no --state-dir.
     */
    @Test
    void anOptionGivenWithoutItsValueIsInTheCommandLineShown() {
        Result status = swarm("status", "--state-dir");
        assertThat(status.code()).as("%s", status).isEqualTo(2);
        assertThat(status.err()).startsWith("swarm: missing --state-dir DIR: `swarm status [RUN] [TICKET] --state-dir DIR`\n");
        assertThat(swarm("run", "x.yaml", "--grace").err())
                .startsWith("swarm: missing --grace SECONDS: `swarm run SPEC --grace SECONDS`\n");
        assertThat(swarm("reject", "r", "t", "--reason").err())
                .startsWith("swarm: missing --reason TEXT: `swarm reject RUN TICKET... --reason TEXT`\n");
    }

    /** {@code swarm logs} said "missing RUN", though TICKET was missing too (picocli names the first positional missing). */
    @Test
    void everyMissingArgumentIsNamed() {
        Result logs = swarm("logs");
        assertThat(logs.code()).as("%s", logs).isEqualTo(2);
        assertThat(logs.err()).startsWith("swarm: missing RUN and TICKET: `swarm logs RUN TICKET`\n");
        assertThat(swarm("approve").err()).startsWith("swarm: missing RUN and TICKET: `swarm approve RUN TICKET...`\n");
    }

    /**
     * {@code swarm reject} said "missing RUN and TICKET", not --reason (picocli checks the required options once the
     * positionals are there), and {@code swarm reject RUN} "missing --reason TEXT and TICKET", out of the line's order.
     */
    @Test
    void rejectNamesEveryMissingPieceInTheOrderOfItsCommandLine() {
        String usage = ": `swarm reject RUN TICKET... --reason TEXT`\nSee `swarm reject --help`.\n";
        Result none = swarm("reject");
        assertThat(none.code()).as("%s", none).isEqualTo(2);
        assertThat(none.err()).isEqualTo("swarm: missing RUN, TICKET and --reason TEXT" + usage);
        assertThat(swarm("reject", "r").err()).isEqualTo("swarm: missing TICKET and --reason TEXT" + usage);
        assertThat(swarm("reject", "r", "t").err()).isEqualTo("swarm: missing --reason TEXT" + usage);
        assertThat(swarm("reject", "--reason", "why").err()).isEqualTo("swarm: missing RUN and TICKET" + usage);
        assertThat(swarm("reject", "r", "--reason", "why").err()).isEqualTo("swarm: missing TICKET" + usage);
        // stopped by an option without its value, picocli names that option alone: RUN and TICKET were left out
        assertThat(swarm("reject", "--reason").err()).isEqualTo("swarm: missing RUN, TICKET and --reason TEXT" + usage);
        assertThat(swarm("reject", "r", "--state-dir").err()).isEqualTo("swarm: missing TICKET, --reason TEXT and --state-dir DIR: "
                + "`swarm reject RUN TICKET... --reason TEXT --state-dir DIR`\nSee `swarm reject --help`.\n");
        assertThat(swarm("logs", "--state-dir").err()).startsWith("swarm: missing RUN, TICKET and --state-dir DIR: "
                + "`swarm logs RUN TICKET --state-dir DIR`\n");
    }
}
