package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmflow.engine.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container run as {@code --user 4242:4242} has a uid and a gid that no name service knows: a group-writable directory
 * of theirs (umask 002) is their user private group's, as no one else can be in a group that has no entry, when the gid
 * is the uid. The check runs in-process for the user 4242 ({@link Wiring#refuseReplaceable(Path, long)}): a child JVM
 * run as uid 4242 could not read this JVM's class path (the Maven repository under /root, mode 700).
 */
class StateDirUnnamedIdsTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void idsAreUnnamed() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a directory to uid 4242");
        for (String file : List.of("/etc/passwd", "/etc/group")) {
            try (Stream<String> lines = Files.lines(Path.of(file))) {
                assertThat(lines.map(l -> l.split(":", -1)).filter(f -> f.length > 2 && (f[2].equals("4242")
                        || f[2].equals("4243"))).map(f -> String.join(":", f)).toList())
                        .as("the ids this test takes as unnamed are free in %s", file).isEmpty();
            }
        }
    }

    /** {@code tmp/project}, owned by {@code uid:gid}, mode rwxrwxr-x. */
    private Path project(int uid, int gid) throws IOException {
        Path project = Files.createDirectory(tmp.resolve("project"));
        Files.setAttribute(project, "unix:mode", 0775);
        Files.setAttribute(project, "unix:uid", uid);
        Files.setAttribute(project, "unix:gid", gid);
        return project;
    }

    @Test
    void aGroupWritableDirectoryOfAnUnnamedUserAndTheSameUnnamedGroupIsTheirs() throws Exception {
        Path state = project(4242, 4242).resolve(".swarm");

        assertThatCode(() -> Wiring.refuseReplaceable(state, 4242)).doesNotThrowAnyException();
    }

    @Test
    void anUnnamedGroupOtherThanTheUidIsRefusedSayingWhy() throws Exception {
        Path project = project(4242, 4243);
        Path state = project.resolve(".swarm");

        assertThatThrownBy(() -> Wiring.refuseReplaceable(state, 4242)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("the state directory " + state + " is inside " + project + ", which is writable by the "
                        + "users of the group 4243, which has no entry in the group database, so who is in it cannot be told "
                        + "(its gid is not its owner's uid) (4242:4243, mode rwxrwxr-x), who could rename the state directory");
    }
}
