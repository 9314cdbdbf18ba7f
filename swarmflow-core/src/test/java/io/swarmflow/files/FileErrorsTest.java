package io.swarmflow.files;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.assertj.core.api.Assertions.assertThat;

class FileErrorsTest {
    @Test
    void theSystemsReasonLowerCaseElseTheKindNeverAClassName() {
        assertThat(FileErrors.reason(new FileSystemException("/x", null, "Is a directory"))).isEqualTo("is a directory");
        assertThat(FileErrors.reason(new AccessDeniedException("/x"))).isEqualTo("permission denied");
        assertThat(FileErrors.reason(new NoSuchFileException("/proc/self/x"))).isEqualTo("no such file or directory");
        // the message of a FileSystemException without a reason is the file's name alone, which the caller names already
        assertThat(FileErrors.reason(new FileSystemException("/proc/swarm.db"))).isEqualTo("the system gave no reason");
        assertThat(FileErrors.reason(new IOException("\n  disk on fire  \nsecond line"))).isEqualTo("disk on fire");
        assertThat(FileErrors.reason(new IOException((String) null))).isEqualTo("an I/O error");
    }
}
