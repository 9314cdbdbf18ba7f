package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm --help status} printed swarm's own help (exit 0), not status's: the help asked for is the command's. */
class HelpBeforeCommandTest {
    @Test
    void helpBeforeACommandShowsThatCommandsHelp() {
        for (String command : List.of("status", "run", "logs", "generate-completion", "help")) {
            Result expected = swarm(command, "--help");
            for (String flag : List.of("--help", "-h")) {
                Result r = swarm(flag, command);
                assertThat(r.code()).as("%s %s: %s", flag, command, r).isZero();
                assertThat(r.out()).as("%s %s", flag, command).startsWith("Usage: swarm " + command).isEqualTo(expected.out());
                assertThat(r.err()).isEmpty();
            }
        }
        // with the command's own arguments too, and still refused with one it does not take
        assertThat(swarm("--help", "logs", "RUN", "TICKET").out()).startsWith("Usage: swarm logs");
        Result bogus = swarm("--help", "status", "--bogus");
        assertThat(bogus.code()).as("%s", bogus).isEqualTo(2);
        assertThat(bogus.out()).isEmpty();
        // alone it is still swarm's help
        assertThat(swarm("--help").out()).startsWith("Usage: swarm [");
    }

    /**
     * swarm's help lists each command with the first line of its description: generate-completion's ended "To have TAB
     * completion in the current shell:", and nothing followed.
     */
    @Test
    void everyCommandsLineInSwarmsHelpIsASentence() {
        String help = swarm("--help").out();
        String commands = help.substring(help.indexOf("Commands:") + "Commands:".length(), help.indexOf("Exit codes:"));
        assertThat(commands).doesNotContain(":\n  ").contains("generate-completion  Prints a bash/zsh completion script for swarm.\n");
        assertThat(swarm("generate-completion", "--help").out()).contains("To have TAB completion in the current shell:", "source <(swarm generate-completion)",
                "swarm generate-completion > ~/.swarm-completion.bash", "echo 'source ~/.swarm-completion.bash' >> ~/.bashrc");
    }

    /** swarm help --help described COMMAND as "the command, e.g. run", where every other argument's line is a sentence. */
    @Test
    void helpsArgumentIsDescribedAsTheOthersAre() {
        assertThat(swarm("help", "--help").out()).contains("      [COMMAND]   The command, e.g. run.\n");
    }
}
