package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * libc's lookups are read with the struct layouts of 64-bit Linux: elsewhere (32-bit Linux, another system) {@link UnixIds}
 * reads /etc/passwd and /etc/group instead of reading memory with the wrong offsets. The guard's choice is tested here
 * (this machine is 64-bit Linux); the fallback it chooses is the one used when JNA cannot load its native library.
 */
class UnixIdsPlatformTest {
    @Test
    void onlySixtyFourBitLinuxUsesTheLookups() {
        assertThat(UnixIds.platformProblem(true, true)).isNull();
        assertThat(UnixIds.platformProblem(true, false)).startsWith("the getpwuid_r and getgrgid_r struct layouts are known "
                + "only for 64-bit Linux").endsWith(" (32-bit)");
        assertThat(UnixIds.platformProblem(false, true)).contains("known only for 64-bit Linux");
        assertThat(UnixIds.platformProblem(false, false)).contains("known only for 64-bit Linux");
    }

    @Test
    void theGuardIsWhatDecidesHere() {
        boolean here = com.sun.jna.Platform.isLinux() && com.sun.jna.Platform.is64Bit();
        String problem = UnixIds.PROBLEM == null ? "" : UnixIds.PROBLEM;
        assertThat(problem.contains("known only for 64-bit Linux")).as("PROBLEM: %s", problem).isEqualTo(!here);
    }
}
