package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec or state directory whose path holds control characters (a directory of a cloned repository can be named with
 * ESC, BEL or a newline) is printed escaped, as ticket text is: {@code swarm validate}'s ok line, {@code swarm run}'s
 * "state in" and "report:" lines, the spec path {@code swarm status} shows, {@code swarm report}'s lines and {@code swarm
 * runs}' "no runs in" line. Raw, the name below would set the terminal's window title and start a line of its own.
 */
class ControlCharacterPathTest {
    /** A window-title sequence (OSC 0 ... BEL) and a newline. */
    private static final String NAME = "x\u001b]0;DIR\u0007\nnext";
    /** {@link #NAME} as swarm prints it. */
    private static final String ESCAPED = "x\\u001B]0;DIR\\u0007\\nnext";

    @TempDir
    Path tmp;

    @Test
    void pathsWithControlCharactersArePrintedEscaped() {
        Path dir = tmp.resolve(NAME);
        Path spec = Cli.write(dir.resolve("spec.yaml"), "tickets:\n  - id: a\n    run: \"exit 1\"\n");
        Path state = dir.resolve("state");

        Result validate = swarm("validate", spec.toString(), "--state-dir", state.toString());
        assertThat(validate.code()).as("%s", validate).isZero();
        assertPrintable(validate);
        assertThat(validate.out()).contains(ESCAPED + "/spec.yaml: ok: swarm");

        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        assertPrintable(run);
        assertThat(run.out()).contains("(state in " + tmp + "/" + ESCAPED + "/state)",
                "  report: " + tmp + "/" + ESCAPED + "/state/runs/");
        String runId = CliEndToEndTest.runId(run);

        Result status = swarm("status", runId, "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
        assertPrintable(status);
        assertThat(status.out()).contains("  spec " + tmp + "/" + ESCAPED + "/spec.yaml, created ");

        Result report = swarm("report", runId, "--state-dir", state.toString());
        assertThat(report.code()).as("%s", report).isZero();
        assertPrintable(report);
        assertThat(report.out()).contains("report: " + tmp + "/" + ESCAPED + "/state/runs/" + runId + "/report.html");

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isZero();
        assertPrintable(runs);
        assertThat(runs.out()).contains(runId);
    }

    /** {@code swarm runs} of a state directory not made yet, and of one holding nothing: "no runs in DIR", escaped. */
    @Test
    void noRunsInAPathWithControlCharactersIsPrintedEscaped() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve(NAME));

        Result none = swarm("runs", "--state-dir", dir.resolve("state").toString());
        assertThat(none.code()).as("%s", none).isZero();
        assertPrintable(none);
        assertThat(none.out()).contains("no runs in " + tmp + "/" + ESCAPED + "/state (there is no state directory there yet)");

        Result empty = swarm("runs", "--state-dir", dir.toString());
        assertThat(empty.code()).as("%s", empty).isZero();
        assertPrintable(empty);
        assertThat(empty.out()).contains("no runs in " + tmp + "/" + ESCAPED + " (it holds no Swarmflow state yet)");
    }

    /** Neither stream holds ESC or BEL, and no line begins with the part of the name after its newline. */
    private static void assertPrintable(Result r) {
        assertThat(r.out() + r.err()).as("%s", r).doesNotContain("\u001b", "\u0007").doesNotContainPattern("(?m)^next");
    }
}
