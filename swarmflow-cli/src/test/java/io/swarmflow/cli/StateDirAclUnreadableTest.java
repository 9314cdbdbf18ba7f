package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parent writable by its owner's private group is refused when its POSIX ACL cannot be read: here JNA cannot load
 * (-Djna.nosys=true -Djna.noclasspath=true, in a child JVM, as JNA loads once per JVM). The message says why and how
 * to let JNA load, and does not point at {@code getfacl} as if an ACL had been read.
 */
class StateDirAclUnreadableTest {
    @TempDir
    Path tmp;

    @Test
    void anAclThatCannotBeReadIsNotDescribedAsOne() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: the parent is root's, of root's private group");
        Path upg = Files.createDirectory(tmp.resolve("project"));
        Files.setPosixFilePermissions(upg, PosixFilePermissions.fromString("rwxrwxr-x")); // root:root, whatever the umask
        Path state = upg.resolve(".swarm");
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
        ChildSwarm.Result r = ChildSwarm.run(ChildSwarm.command(List.of("-Djna.nosys=true", "-Djna.noclasspath=true"),
                "run", spec.toString(), "--plain", "--state-dir", state.toString()), Map.of());
        String out = r.output();

        assertThat(r.exit()).as(out).isEqualTo(2);
        assertThat(out).contains("swarm: the state directory " + state + " is inside " + upg + ", which is writable by its "
                        + "group (root:root, mode rwxrwxr-x), and maybe by other users through a POSIX ACL that swarm cannot "
                        + "read (JNA could not load its native library: java.lang.",
                "; if the temporary directory is mounted noexec, set SWARM_JAVA_OPTS=-Djna.tmpdir=DIR, a directory of "
                        + "yours that allows executables), who could rename the state directory")
                .doesNotContain("getfacl");
        assertThat(state).doesNotExist();
    }
}
