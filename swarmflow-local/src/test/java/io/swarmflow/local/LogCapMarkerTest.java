package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.store.Outcome;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.SandboxPolicy;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review B N3: the log cap's marker said nothing of where the cap fell, so a line it cut looked whole. It now says
 * {@code , inside the line above} when the cap fell inside a line, and nothing more when it fell on a line's end.
 */
class LogCapMarkerTest {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void theMarkerSaysWhenTheCapFellInsideALine() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile profile = Fixture.profile("shell", SandboxPolicy.BEST_EFFORT, new ResourceLimits(60, 0, 0, 0, 1000, 0), 0);
            // 201 lines of 5 bytes: the cap (1000 bytes) falls on the end of line 200
            TestControl onEnd = new TestControl();
            assertThat(f.run(profile, Fixture.ticket("on-end", "for i in $(seq 1 201); do echo abcd; done").build(), onEnd)
                    .outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Files.readString(f.runDir.resolve("logs/on-end/1/stdout.log")))
                    .isEqualTo("abcd\n".repeat(200) + "[swarm: output truncated after 1000 bytes]\n");
            assertThat(onEnd.stdout).last().isEqualTo("[swarm: output truncated after 1000 bytes]");

            // one line of 1500 bytes: the cap falls inside it
            TestControl inside = new TestControl();
            assertThat(f.run(profile, Fixture.ticket("inside", "printf 'x%.0s' $(seq 1 1500); echo").build(), inside)
                    .outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Files.readString(f.runDir.resolve("logs/inside/1/stdout.log")))
                    .isEqualTo("x".repeat(1000) + "\n[swarm: output truncated after 1000 bytes, inside the line above]\n");
            assertThat(inside.stdout).last().isEqualTo("[swarm: output truncated after 1000 bytes, inside the line above]");
        }
    }
}
