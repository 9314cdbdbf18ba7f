package io.swarmflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm resume RUN --take-over} on a run whose coordinator cannot be proved alive or dead from here (another
 * host's, {@code otherhost:1@1}, whose lease runs): nothing is signalled, the lease decides as without the option
 * (exit 2, nothing changed), and the refusal says why the option did not apply.
 */
class ResumeTakeOverNotProvableTest {
    @TempDir
    Path tmp;

    @Test
    void anotherHostsCoordinatorIsNotSignalledAndTheRefusalSaysWhy() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> OtherHostRun.start(w, id, 1));
        String run = created.run();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[]{"resume", run, "--take-over", "--plain", "--state-dir=" + created.stateDir()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("swarm: run " + run + " is being executed by another swarm process "
                + "right now; follow it with `swarm status " + run + "`, or stop it with `swarm cancel " + run + "` first; --take-over "
                + "ends only a coordinator of this host that is provably alive and stopped, or past its lease (its coordinator, "
                + "otherhost:1@1, cannot be proved alive or dead from here (another host, boot or pid namespace, or an older "
                + "swarm): it is not signalled, and its lease decides)\n");
        try (Wiring w = Wiring.forReading(created.stateDir(), new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(w.store.lease(run).orElseThrow().owner()).as("not taken over").isEqualTo("otherhost:1@1");
        }
    }
}
