package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmflow.engine.InvalidRequestException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A state directory given with a ~ the shell did not expand, or a SWARM_STATE_DIR of spaces only, is refused before
 * anything is created: the one would make a directory named ~ in the working directory, the other silently meant .swarm.
 */
class StateDirValueTest {
    @Test
    void aTildeTheShellDidNotExpandIsRefused() {
        assertThatThrownBy(() -> StateOptions.resolve(null, Map.of("SWARM_STATE_DIR", "~/st")::get))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("SWARM_STATE_DIR=~/st begins with ~, which the shell did not expand (it expands ~ only unquoted, at "
                        + "the start of a word), so it would be a directory named ~ in the working directory; write "
                        + "SWARM_STATE_DIR=$HOME/st");
        assertThatThrownBy(() -> StateOptions.resolve(Path.of("~/x"), Map.<String, String>of()::get))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("--state-dir ~/x begins with ~,").hasMessageEndingWith("; write --state-dir $HOME/x");
        assertThatThrownBy(() -> StateOptions.resolve(Path.of("~bob"), Map.<String, String>of()::get))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageEndingWith("; write the path of the home directory of bob in place of ~bob");
        // a ~ further in is a name like any other
        assertThat(StateOptions.resolve(Path.of("/srv/~st"), Map.<String, String>of()::get)).isEqualTo(Path.of("/srv/~st"));
    }

    @Test
    void aStateDirOfSpacesIsRefusedAndAnEmptyOneIsUnset() {
        assertThatThrownBy(() -> StateOptions.resolve(null, Map.of("SWARM_STATE_DIR", " ")::get))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("SWARM_STATE_DIR is ' ', only spaces; give a directory, or unset it (or set it empty) to use .swarm "
                        + "in the working directory");
        assertThat(StateOptions.resolve(null, Map.of("SWARM_STATE_DIR", "")::get))
                .isEqualTo(Path.of(".swarm").toAbsolutePath().normalize());
        assertThat(StateOptions.resolve(null, Map.of("SWARM_STATE_DIR", "/srv/st")::get)).isEqualTo(Path.of("/srv/st"));
    }
}
