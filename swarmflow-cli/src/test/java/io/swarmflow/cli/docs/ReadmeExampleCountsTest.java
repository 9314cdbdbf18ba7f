package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's counts of the examples' tickets ("by 11 sandboxed agents", "5 tickets: ...") are what validate plans. */
class ReadmeExampleCountsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeCountsTheExamplesTicketsAsTheirPlansDo() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(plannedTickets("examples/repo-health/swarm.yaml"))
                .isEqualTo(number(readme, "examples/repo-health/swarm.yaml +# the main job: a health check of this repository by (\\d+) sandboxed agents"));
        assertThat(plannedTickets("examples/hello/swarm.yaml"))
                .isEqualTo(number(readme, "examples/hello/swarm.yaml +# (\\d+) tickets:"));
    }

    private static int number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("the README says /%s/", regex).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int plannedTickets(String spec) {
        DocsCli.Result r = DocsCli.swarm("validate", ROOT.resolve(spec).toString());
        assertThat(r.code()).as("%s", r).isZero();
        Matcher m = Pattern.compile(": ok: swarm '[^']*', (\\d+) tickets,").matcher(r.out());
        assertThat(m.find()).as("%s", r).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
