package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.spec.Floor;
import io.swarmflow.spec.SandboxPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SWARM_SANDBOX_FLOOR, SWARM_NO_NETWORK and SWARM_ALLOW_ENV stand for the options when these are not given. */
class FloorOptionsTest {
    private static FloorOptions with(Map<String, String> env) {
        FloorOptions options = new FloorOptions();
        options.environment = env::get;
        return options;
    }

    @Test
    void withoutOptionsNorVariablesThereIsNoFloor() {
        assertThat(with(Map.of()).floor()).isEqualTo(Floor.NONE);
        assertThat(with(Map.of("SWARM_SANDBOX_FLOOR", " ", "SWARM_NO_NETWORK", "0")).floor()).isEqualTo(Floor.NONE);
    }

    @Test
    void theVariablesSetTheFloor() {
        Floor floor = with(Map.of("SWARM_SANDBOX_FLOOR", "required", "SWARM_NO_NETWORK", "true", "SWARM_ALLOW_ENV", "PATH, HOME")).floor();
        assertThat(floor).isEqualTo(new Floor(SandboxPolicy.REQUIRED, true, Set.of("PATH", "HOME"), true, true, true));
        // refusals name the variables the floor came from, not options that were not given
        assertThat(floor.sandboxOption()).isEqualTo("SWARM_SANDBOX_FLOOR=required");
        assertThat(floor.noNetworkOption()).isEqualTo("SWARM_NO_NETWORK");
        assertThat(floor.allowEnvOption()).isEqualTo("SWARM_ALLOW_ENV=HOME,PATH");
    }

    @Test
    void theOptionsAreNamedWhenGivenOverTheVariables() {
        FloorOptions options = with(Map.of("SWARM_SANDBOX_FLOOR", "best-effort", "SWARM_NO_NETWORK", "1"));
        options.sandbox = "required";
        options.noNetwork = true;
        Floor floor = options.floor();
        assertThat(floor.sandboxOption()).isEqualTo("--sandbox required");
        assertThat(floor.noNetworkOption()).isEqualTo("--no-network");
    }

    @Test
    void anEmptyAllowEnvVariableAllowsNone() {
        assertThat(with(Map.of("SWARM_ALLOW_ENV", "")).floor().allowedEnv()).isEmpty();
    }

    @Test
    void theOptionsWinOverTheVariables() {
        FloorOptions options = with(Map.of("SWARM_SANDBOX_FLOOR", "required", "SWARM_ALLOW_ENV", "HOME"));
        options.sandbox = "best-effort";
        options.allowEnv = List.of("PATH");
        assertThat(options.floor()).isEqualTo(new Floor(SandboxPolicy.BEST_EFFORT, false, Set.of("PATH")));
    }

    @Test
    void aBadVariableIsRefusedByName() {
        assertThatThrownBy(() -> with(Map.of("SWARM_SANDBOX_FLOOR", "strict")).floor()).isInstanceOf(InvalidRequestException.class)
                .hasMessage("SWARM_SANDBOX_FLOOR is 'strict'; use required or best-effort");
        assertThatThrownBy(() -> with(Map.of("SWARM_NO_NETWORK", "yes")).floor()).isInstanceOf(InvalidRequestException.class)
                .hasMessage("SWARM_NO_NETWORK is 'yes'; use 1 or true to refuse network: true, 0 or false (or unset it) not to");
    }
}
