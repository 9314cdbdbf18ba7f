package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarm validate} names what it was given: the command in the example for a closed standard input (not
 * {@code run}), and the environment variable a floor came from (not a {@code --sandbox} or {@code --no-network} never
 * typed). Each refusal exits 2 and stores nothing.
 */
class ValidateNamesItsInputsTest {
    @TempDir
    Path tmp;

    @Test
    void aClosedStandardInputIsToldToPipeIntoValidate() throws Exception {
        Path state = tmp.resolve("state");
        List<String> command = new ArrayList<>(List.of("bash", "-c", "exec \"$0\" \"$@\" <&-"));
        command.addAll(ChildSwarm.command(List.of(), "validate", "-", "--state-dir", state.toString()));
        ChildSwarm.Result r = ChildSwarm.run(command, Map.of());
        assertThat(r.output()).contains("standard input is closed; pipe the spec in: swarm validate - < spec.yaml")
                .doesNotContain("swarm run -");
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(state).doesNotExist();
    }

    @Test
    void aFloorFromTheEnvironmentIsNamedByItsVariable() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Files.writeString(tmp.resolve("swarm.yaml"), """
                agents:
                  loose: {kind: shell, sandbox: "off"}
                tickets:
                  - {id: a, agent: loose, run: "true", network: true}
                """);
        ChildSwarm.Result r = ChildSwarm.run(ChildSwarm.command(List.of(), "validate", spec.toString(), "--state-dir",
                state.toString()), Map.of("SWARM_SANDBOX_FLOOR", "required", "SWARM_NO_NETWORK", "1"));
        assertThat(r.output()).contains("swarm.yaml:2:33: agent profile 'loose' sets sandbox: off (ticket a), below the floor "
                        + "SWARM_SANDBOX_FLOOR=required; set sandbox: required on the profile")
                .contains("swarm.yaml:4:49: ticket a sets network: true, refused by SWARM_NO_NETWORK;")
                .doesNotContain("--sandbox", "--no-network");
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(state).doesNotExist();
    }
}
