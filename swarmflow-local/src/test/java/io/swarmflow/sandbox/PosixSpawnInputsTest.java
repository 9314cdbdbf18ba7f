package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PosixSpawn#start(List, Path, Map, List)} as {@link Sandbox} uses it for bubblewrap: the {@code --args} file on
 * descriptor 3 and the seccomp program on descriptor 4 ({@code --seccomp 4}), each read whole, and nothing else open.
 */
class PosixSpawnInputsTest {
    @TempDir
    Path tmp;

    @Test
    void theChildReadsTheBytesOnItsDescriptorAndHasNoOtherOpen() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PosixSpawn.available(), PosixSpawn::problem);
        Process p = PosixSpawn.start(List.of("/bin/bash", "-c", "cat <&4; echo; exec 3<&- 4<&-; ls /proc/self/fd | sort -n | tr '\\n' ' '"),
                tmp, Map.of("PATH", "/usr/bin:/bin"),
                List.of("args".getBytes(StandardCharsets.UTF_8), "filter-bytes".getBytes(StandardCharsets.UTF_8)));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        // with 3 and 4 closed, ls's own directory descriptor is the lowest free one: 3, which nothing else holds
        assertThat(out).isEqualTo("filter-bytes\n0 1 2 3 ");
    }

    /** More than a pipe holds (64 KiB): a memory file has no such limit, so a large filter or environment still passes. */
    @Test
    void moreThanAPipeHoldsIsReadWhole() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PosixSpawn.available(), PosixSpawn::problem);
        byte[] big = new byte[200 * 1024];
        Arrays.fill(big, (byte) 'x');
        Process p = PosixSpawn.start(List.of("/bin/bash", "-c", "wc -c <&4"), tmp, Map.of("PATH", "/usr/bin:/bin"),
                List.of(new byte[0], big));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(out.strip()).isEqualTo(Integer.toString(big.length));
    }
}
