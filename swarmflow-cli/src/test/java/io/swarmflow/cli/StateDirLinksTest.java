package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state directory that cannot be made because a symbolic link on its path leads nowhere: the message names why. */
class StateDirLinksTest {
    @TempDir
    Path tmp;

    private String refusal(Path state) throws Exception {
        return StateDirRefusals.refused(tmp, state);
    }

    /** loop1 -> loop2 -> loop1: a loop, named as one, not "a symbolic link to loop2, which does not exist". */
    @Test
    void aLoopOfSymbolicLinksOnThePathIsNamedAsALoop() throws Exception {
        Path loop1 = Files.createSymbolicLink(tmp.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(tmp.resolve("loop2"), Path.of("loop1"));
        Path state = loop1.resolve("x");

        assertThat(refusal(state)).startsWith("swarm: the state directory " + state + " cannot be created: " + loop1
                + " is in a loop of symbolic links (" + loop1 + " -> loop2 -> loop1); point --state-dir (or "
                + "SWARM_STATE_DIR) at a directory you can write to").doesNotContain("does not exist");
    }

    /** A link to nothing on the path is still named as one. */
    @Test
    void aDanglingLinkOnThePathIsNamedAsDangling() throws Exception {
        Path gone = Files.createSymbolicLink(tmp.resolve("gone"), Path.of("nowhere"));

        assertThat(refusal(gone.resolve("x"))).contains(gone + " is a symbolic link to nowhere, which does not exist");
    }
}
