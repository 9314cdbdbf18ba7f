package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory swarm makes is its owner's alone from birth, whatever the umask: under umask 002, whose user's
 * primary group is shared (the group users), a directory made 0775 and checked before its chmod would be refused as
 * writable by that group. swarm runs in a child JVM (the umask is the process's) under {@code sh -c 'umask 002; ...'}.
 * The shared group comes from a set-group-ID parent of group users (gid 100), as root: every directory made below it
 * takes that group, as for a user whose primary group it is.
 */
class StateDirUmaskTest {
    @TempDir
    Path tmp;

    @Test
    void aNestedStateDirectoryMadeUnderUmask002InASharedGroupIsUsedAndOwnerOnly() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a directory to the group users");
        Path project = Files.createDirectory(tmp.resolve("project"));
        Files.setAttribute(project, "unix:gid", 100);
        Files.setAttribute(project, "unix:mode", 02755); // set-group-ID: what is made below is of the group users
        Path state = project.resolve("a/b/.swarm");
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 002; exec \"$0\" \"$@\""));
        command.addAll(ChildSwarm.command(List.of(), "run", spec.toString(), "--plain", "--state-dir", state.toString()));
        ChildSwarm.Result r = ChildSwarm.run(command, Map.of());
        String out = r.output();

        assertThat(r.exit()).as(out).isZero();
        for (Path made : List.of(project.resolve("a"), project.resolve("a/b"), state)) {
            assertThat(Files.getAttribute(made, "unix:gid")).as("%s inherits the group users", made).isEqualTo(100);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).as("%s", made)
                    .isEqualTo("rwx------");
        }
    }
}
