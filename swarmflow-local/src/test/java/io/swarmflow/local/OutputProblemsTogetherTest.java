package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.store.Outcome;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output problem of an attempt is in its failure reason, not only the first (review-A F4: six broken outputs took
 * six runs to find); one problem several outputs share (no JSON line) is said once, naming them all.
 */
class OutputProblemsTogetherTest {
    @TempDir
    Path tmp;

    @Test
    void everyRefusedOutputIsNamedInOneReason() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult r = f.run(Fixture.ticket("a", "mkdir -p d; printf 'caf\\000x\\n' > bin.txt; echo ok > good.txt; "
                            + "ln -sf good.txt link.txt; echo '{\"k\": 1}'")
                    .output(new OutputSpec("dir", "d", null)).output(new OutputSpec("good", "good.txt", null))
                    .output(new OutputSpec("bin", "bin.txt", null)).output(new OutputSpec("link", "link.txt", null))
                    .output(new OutputSpec("missing", "nope.txt", null)).output(new OutputSpec("k", null, "k"))
                    .output(new OutputSpec("jz", null, "zz")).build(), new TestControl());

            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).as("in the order of the outputs' names").startsWith("5 outputs refused: 'bin': file bin.txt "
                    + "holds a NUL character; ").contains("; 'dir': file d refused: d is a directory, not a file; ",
                            "; 'jz': key 'zz' is not in the last JSON line of stdout; 'link': file link.txt refused: ",
                            "; 'missing': file nope.txt not found in the run's shared directory ")
                    .doesNotContain("'good'", "'k'");
        }
    }

    @Test
    void oneProblemOfSeveralOutputsIsSaidOnceAndOneOutputsAsBefore() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult none = f.run(Fixture.ticket("none", "echo plain").output(new OutputSpec("a", null, "a"))
                    .output(new OutputSpec("b", null, "b")).build(), new TestControl());
            AttemptResult one = f.run(Fixture.ticket("one", "echo plain").output(new OutputSpec("a", null, "a")).build(),
                    new TestControl());

            assertThat(none.reason()).isEqualTo("outputs 'a', 'b': no line of stdout (up to 1 MiB long) is a JSON object");
            assertThat(one.reason()).isEqualTo("output 'a': no line of stdout (up to 1 MiB long) is a JSON object");
        }
    }
}
