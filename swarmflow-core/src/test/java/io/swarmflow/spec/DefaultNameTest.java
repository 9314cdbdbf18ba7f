package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The swarm's name when the spec has no {@code name:}: {@code stdin} only for a file descriptor path. */
class DefaultNameTest {
    @Test
    void descriptorPathsAreNamedStdin() {
        assertThat(PlanBuilder.defaultName(Path.of("/dev/fd/63"))).isEqualTo("stdin");
        assertThat(PlanBuilder.defaultName(Path.of("/dev/fd/0"))).isEqualTo("stdin");
        assertThat(PlanBuilder.defaultName(Path.of("/proc/self/fd/5"))).isEqualTo("stdin");
        assertThat(PlanBuilder.defaultName(Path.of("/proc/1/task/1/fd/5"))).isEqualTo("stdin");
        assertThat(PlanBuilder.defaultName(Path.of("/dev/stdin"))).isEqualTo("stdin");
    }

    @Test
    void anAllDigitFileUnderDevThatIsNoDescriptorKeepsItsName() {
        assertThat(PlanBuilder.defaultName(Path.of("/dev/shm/42"))).isEqualTo("42");
        assertThat(PlanBuilder.defaultName(Path.of("/proc/1/fdinfo/5"))).isEqualTo("5");
        assertThat(PlanBuilder.defaultName(Path.of("/dev/fd/63.yaml"))).isEqualTo("63");
        assertThat(PlanBuilder.defaultName(Path.of("/srv/specs/63.yaml"))).isEqualTo("63");
        assertThat(PlanBuilder.defaultName(Path.of("/srv/specs/nightly.yaml"))).isEqualTo("nightly");
    }
}
