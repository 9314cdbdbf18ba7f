package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** A spec path that names no file, with a spec beside it that was likely meant (.yml for .yaml, a typo): did you mean it? */
class SpecPathSuggestionTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingSpecWithOneBesideItGetsADidYouMean() {
        Path spec = Cli.write(tmp.resolve("ap.yaml"), "tickets:\n  - id: a\n    run: echo a\n");
        String st = tmp.resolve("state").toString();
        for (String command : new String[]{"run", "validate"}) {
            Result yml = command.equals("run") ? swarm("run", tmp.resolve("ap.yml").toString(), "--state-dir", st)
                    : swarm("validate", tmp.resolve("ap.yml").toString());
            assertThat(yml.code()).as("%s", yml).isEqualTo(2);
            assertThat(yml.err()).as("%s", yml).contains("no such file; did you mean " + spec + "?");
            Result typo = swarm(command, tmp.resolve("ab.yaml").toString());
            assertThat(typo.err()).as("%s", typo).contains("no such file; did you mean " + spec + "?");
            Result far = swarm(command, tmp.resolve("pipeline.yaml").toString());
            assertThat(far.err()).as("%s", far).contains("no such file; check the path").doesNotContain("did you mean");
        }
        assertThat(tmp.resolve("state")).as("nothing was created").doesNotExist();
    }
}
