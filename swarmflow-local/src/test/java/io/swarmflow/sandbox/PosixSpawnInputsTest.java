package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PosixSpawn#start(List, Path, Map, Map)}: bytes handed to the child on a descriptor of its own (bwrap --seccomp FD). */
class PosixSpawnInputsTest {
    @TempDir
    Path tmp;

    @Test
    void theChildReadsTheBytesOnItsDescriptorAndHasNoOtherOpen() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PosixSpawn.available(), PosixSpawn::problem);
        Process p = PosixSpawn.start(List.of("/bin/bash", "-c", "cat <&4; echo; ls /proc/self/fd | sort -n | tr '\\n' ' '"), tmp,
                Map.of("PATH", "/usr/bin:/bin"), Map.of(4, "filter-bytes".getBytes(StandardCharsets.UTF_8)));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        // ls's own directory descriptor is the lowest free one: 3, which nothing else holds
        assertThat(out).isEqualTo("filter-bytes\n0 1 2 3 4 ");
    }

    @Test
    void aDescriptorOutOfRangeOrTooMuchIsRefused() {
        assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/true"), tmp, Map.of(), Map.of(2, new byte[1])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 3 to 63, not 2");
        assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/true"), tmp, Map.of(), Map.of(4, new byte[4097])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4097 bytes");
    }
}
