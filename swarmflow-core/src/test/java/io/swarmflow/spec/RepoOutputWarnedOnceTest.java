package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warning about a file output a workspace: repo ticket cannot write comes once per output written in the spec, not
 * once per matrix expansion: with a matrix value in its path, it names the files of the expansions.
 */
class RepoOutputWarnedOnceTest {
    private static final String REST = "; the ticket runs in workspace: repo, the repository read-only in the sandbox, so it "
            + "cannot write %s (without bubblewrap it would write into your checkout); set workspace: run or workspace: "
            + "worktree on the ticket, or use a {json: key} output";

    @TempDir
    Path dir;

    @Test
    void aMatrixTicketsOutputIsWarnedAboutOnce() throws Exception {
        SpecFiles.gitInit(dir);
        Path file = SpecFiles.write(dir, "swarm.yaml", """
                tickets:
                  - id: m
                    matrix: {os: [linux, mac, win, bsd, sun]}
                    run: "true"
                    outputs:
                      log: {file: "out/${{ matrix.os }}.log"}
                      same: out/same.txt
                """);
        List<String> warnings = new ArrayList<>();
        new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).containsExactly(
                file + ":6:19: output 'log' of ticket 'm' is the file out/${{ matrix.os }}.log, in its expansions out/linux.log, "
                        + "out/mac.log, out/win.log and 2 more, which are not in the repository " + dir + REST.formatted("them"),
                file + ":7:13: output 'same' of ticket 'm' is the file out/same.txt, which is not in the repository " + dir
                        + REST.formatted("it"));
    }
}
