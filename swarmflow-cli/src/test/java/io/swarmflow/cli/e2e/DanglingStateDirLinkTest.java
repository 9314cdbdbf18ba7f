package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** A --state-dir that is a symbolic link to nothing: the error says so, not "FileAlreadyExistsException". */
class DanglingStateDirLinkTest {
    @TempDir
    Path tmp;

    @Test
    void aDanglingLinkAsStateDirIsNamedAsSuch() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: a
                    run: echo hi
                """);
        Path link = Files.createSymbolicLink(tmp.resolve("state"), tmp.resolve("gone"));

        Result r = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", link.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("the state directory " + link + " cannot be created: " + link
                        + " is a symbolic link to " + tmp.resolve("gone") + ", which does not exist")
                .doesNotContain("Exception");
        assertThat(tmp.resolve("gone")).doesNotExist();
    }
}
