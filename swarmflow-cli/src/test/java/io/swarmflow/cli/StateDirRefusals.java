package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@code swarm run} of a one-ticket spec in-process with a given state directory, for the tests of its refusals. */
final class StateDirRefusals {
    private StateDirRefusals() {
    }

    /**
     * {@code swarm run SPEC --plain --state-dir state}, the spec written to {@code specDir}: asserts it exits 2 (the state
     * directory refused) and returns what it said on stderr.
     */
    static String refused(Path specDir, Path state) throws IOException {
        Path spec = Files.writeString(specDir.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[] {"run", spec.toString(), "--plain", "--state-dir", state.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said + out.toString(StandardCharsets.UTF_8)).isEqualTo(2);
        return said;
    }
}
