package io.swarmflow.cli;

import io.swarmflow.cli.view.OutputTarget;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Stdout#judge}: which ending says what about a file the output could not be written to. The whole commands in
 * a process whose output is /dev/full are in {@code OutputClosedTest}, {@code RunOutputFileEndingsTest} and
 * {@code ControlOutputFileTest}; here the ends those cannot reach on cue: a halt (a second Ctrl-C) after which
 * {@link SwarmCli#main} does not judge, or judges too when the halt comes late.
 */
class StdoutTest {
    private static final OutputTarget FILE = new OutputTarget("/data/out.log");
    private static final String LOST = "swarm: could not write the output to /data/out.log: No space left on device";

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private static Stdout full(OutputTarget target) {
        return Stdout.over(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        }, target);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void whatTookEffectIsSaidOnceBeforeAHaltAndNotAgainAtTheEnd() {
        Stdout stdout = full(FILE);
        PrintStream out = stdout.printStream();
        out.println("run R: 1 ticket");
        Stdout.tookEffect(out, "Run R was created and has not started: it stays as it is until `swarm resume R`.");

        Stdout.beforeHalt(out, err, ExitCodes.INTERRUPTED);
        assertThat(stdout.judge(ExitCodes.INTERRUPTED, err)).isEqualTo(ExitCodes.INTERRUPTED);

        assertThat(err()).isEqualTo(LOST + "; what was printed before is there, the rest is not. Run R was created and has not "
                + "started: it stays as it is until `swarm resume R`.\n");
    }

    @Test
    void aCommandThatTookEffectKeepsExit4ButDoesNotSayRunItAgain() {
        Stdout stdout = full(FILE);
        PrintStream out = stdout.printStream();
        out.println("approved a in run R");
        Stdout.tookEffect(out, "The command took effect all the same: a was approved in run R.");

        assertThat(stdout.judge(ExitCodes.OUTPUT_CLOSED, err)).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        assertThat(err()).contains(LOST, "a was approved in run R").doesNotContain("run the command again");
    }

    @Test
    void aCommandThatDidNothingSaysRunItAgainAndAnyOtherCodeWithoutAnEffectIsQuiet() {
        Stdout status = full(FILE);
        status.printStream().println("{}");
        assertThat(status.judge(ExitCodes.OUTPUT_CLOSED, err)).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        assertThat(err()).contains(LOST, "run the command again");

        errBytes.reset();
        Stdout failed = full(FILE);
        failed.printStream().println("x");
        assertThat(failed.judge(ExitCodes.INVALID_INPUT, err)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err()).isEmpty();
    }

    @Test
    void aPipeWhoseReaderWentAwayStaysQuietEvenWithAnEffect() {
        Stdout stdout = full(new OutputTarget("pipe:[1234]"));
        PrintStream out = stdout.printStream();
        out.println("cancel requested for run R");
        Stdout.tookEffect(out, "The command took effect all the same: run R was cancelled.");
        Stdout.beforeHalt(out, err, ExitCodes.INTERRUPTED);
        assertThat(stdout.judge(ExitCodes.OUTPUT_CLOSED, err)).isEqualTo(ExitCodes.OUTPUT_CLOSED);
        assertThat(err()).isEmpty();
    }
}
