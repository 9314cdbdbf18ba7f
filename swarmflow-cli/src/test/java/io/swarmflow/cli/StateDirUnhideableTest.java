package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmflow.engine.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory the sandbox could not hide from tickets is refused to the commands that write state, before anything
 * is written or listed: {@code /} (the sandbox shows tickets the host's root read-only and never hides it, so every
 * ticket would read {@code /swarm.db} and every run's logs) and a directory that is or holds a directory of the PATH
 * tickets find programs on (later runs leave it readable rather than take those programs away). The real {@code /} is
 * only ever looked at here: the decision is tested on its own for it, and a whole run for a directory on a child swarm's
 * PATH.
 */
class StateDirUnhideableTest {
    @TempDir
    Path tmp;

    @Test
    void theRootIsRefusedWithWhatWhyAndHowToFix() {
        assertThat(Wiring.unhideableProblem(Path.of("/"), Path.of("/"), null)).isNotNull();
        assertThatThrownBy(() -> Wiring.refuseUnhideable(Path.of("/"), "/usr/bin:/bin"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory / is the root of the file system, which the sandbox shows every "
                        + "ticket (read-only) and cannot hide")
                .hasMessageContaining("would read its swarm.db and every run's logs under /runs; nothing was changed. Point "
                        + "--state-dir (or SWARM_STATE_DIR) at a directory of its own")
                .hasMessageContaining("SWARM_STATE_DIR=\"$WORKSPACE/\" with WORKSPACE unset gives /");
    }

    @Test
    void aDirectoryThatIsOrHoldsADirectoryOfThePathIsRefused() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path bin = Files.createDirectories(state.resolve("tools/bin"));
        Path real = state.toRealPath();

        assertThat(Wiring.unhideableProblem(state, real, "/usr/bin:" + bin + ":/bin").what())
                .startsWith("holds " + bin + ", a directory of the PATH tickets find programs on (swarm's own PATH)");
        assertThat(Wiring.unhideableProblem(state, real, state + ":/bin").what()).startsWith("is " + state + ", ");
        assertThat(Wiring.unhideableProblem(state, real, "/usr/bin:/bin")).as("no PATH directory in it").isNull();
        assertThat(Wiring.unhideableProblem(bin, bin.toRealPath(), "/usr/bin:" + state + ":/bin"))
                .as("inside a PATH directory, not holding one: hidden like any other").isNull();
        // through a symbolic link to it: compared by real paths
        Path link = Files.createSymbolicLink(tmp.resolve("link"), state);
        assertThat(Wiring.unhideableProblem(link, real, "/usr/bin:" + link.resolve("tools/bin"))).isNotNull();
        // the sandbox's default PATH, whatever swarm's own is: /usr/local holds /usr/local/bin
        assertThat(Wiring.unhideableProblem(Path.of("/usr/local"), Path.of("/usr/local").toRealPath(), "/bin").what())
                .contains("the sandbox's default PATH");
    }

    /**
     * {@code swarm run} in a child JVM whose PATH holds a directory inside the state directory: exit 2 before anything is
     * written, no database and no entry on the list of state directories (kept in the test's own XDG_STATE_HOME).
     */
    @Test
    void aRunWithAStateDirectoryHoldingADirectoryOfItsPathIsRefusedAndWritesNothing() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path bin = Files.createDirectories(state.resolve("bin"));
        Path xdg = tmp.resolve("xdg");
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
        List<String> command = new ArrayList<>(ChildSwarm.command(List.of(), "run", spec.toString(), "--plain",
                "--state-dir", state.toString()));
        ChildSwarm.Result r = ChildSwarm.run(command, Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "XDG_STATE_HOME", xdg.toString()));

        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("the state directory " + state + " holds " + bin + ", a directory of the PATH "
                + "tickets find programs on (swarm's own PATH)", "; nothing was changed. Point --state-dir (or "
                + "SWARM_STATE_DIR) at a directory that holds no directory of the PATH", ", or take " + bin + " off PATH");
        try (var left = Files.list(state)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("nothing written in it").containsExactly("bin");
        }
        assertThat(xdg.resolve("swarmflow/state-dirs")).as("not listed").doesNotExist();
    }
}
