package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Without libnss_wrapper.so, {@link StateDirNssTest} is skipped for a developer ({@code ./mvnw verify} stays green), and
 * fails under {@code CI=true}, where .ci/run installs it: as the browser tests do without chromium.
 */
class StateDirNssWrapperMissingTest {
    @TempDir
    Path tmp;

    @Test
    void missingItSkipsButFailsUnderCi() throws Exception {
        List<Path> libs = List.of(Files.createDirectories(tmp.resolve("usr/lib/x86_64-linux-gnu")).getParent(),
                tmp.resolve("usr/lib64"));

        assertThatThrownBy(() -> StateDirNssTest.nssWrapper(libs, false)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("libnss_wrapper.so not found in " + libs + ": apt-get install libnss-wrapper");
        assertThatThrownBy(() -> StateDirNssTest.nssWrapper(libs, true)).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("CI=true but libnss_wrapper.so not found");
    }

    @Test
    void foundInTheMultiarchDirectoryOrTheLibraryDirectory() throws Exception {
        Path multiarch = Files.createDirectories(tmp.resolve("usr/lib/x86_64-linux-gnu"));
        Path lib64 = Files.createDirectories(tmp.resolve("usr/lib64"));
        Files.writeString(lib64.resolve("libnss_wrapper.so"), "");
        assertThat(StateDirNssTest.nssWrapper(List.of(multiarch.getParent(), lib64), true)).isEqualTo(lib64.resolve("libnss_wrapper.so"));

        Files.writeString(multiarch.resolve("libnss_wrapper.so"), "");
        assertThat(StateDirNssTest.nssWrapper(List.of(multiarch.getParent(), lib64), false))
                .isEqualTo(multiarch.resolve("libnss_wrapper.so"));
    }
}
