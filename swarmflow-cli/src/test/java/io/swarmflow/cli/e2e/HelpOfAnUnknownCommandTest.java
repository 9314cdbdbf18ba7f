package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm completion} suggests {@code swarm generate-completion}, but {@code swarm help completion} only listed the
 * commands: the help of a command that does not exist suggests the one meant as the command line does.
 */
class HelpOfAnUnknownCommandTest {
    @Test
    void helpOfAMistypedCommandSuggestsTheCommandMeant() {
        assertThat(helpOf("completion")).isEqualTo("swarm: help: there is no command 'completion'; did you mean "
                + "`swarm help generate-completion`?\nSee `swarm --help`.\n");
        assertThat(helpOf("statu")).isEqualTo("swarm: help: there is no command 'statu'; did you mean `swarm help status`?\n"
                + "See `swarm --help`.\n");
        assertThat(helpOf("reprot")).startsWith("swarm: help: there is no command 'reprot'; did you mean `swarm help report`?\n");
        // nothing near: the commands there are, as before
        assertThat(helpOf("frobnicate")).startsWith("swarm: help: there is no command 'frobnicate'; the commands are run, resume, "
                + "status,").doesNotContain("did you mean");
        // the word typed is quoted back with its control characters escaped
        assertThat(helpOf("x\u001B[2J")).contains("'x\\u001B[2J'").doesNotContain("\u001B");
    }

    /** What {@code swarm help COMMAND} printed on standard error; it exits 2 and prints nothing on standard output. */
    private static String helpOf(String command) {
        Result r = swarm("help", command);
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        return r.err();
    }
}
