package io.swarmflow.files.trust;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link DirectoryTrust#requirePrivate} says which rule a directory fails; {@link DirectoryTrust#privateTo} agrees. */
class DirectoryTrustTest {
    @TempDir
    Path tmp;

    private static long me(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:uid")).longValue();
    }

    private Path dir(String name, String mode) throws IOException {
        Path d = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    @Test
    void eachRuleSaysItsReason() throws IOException {
        long me = me(tmp);
        Path group = dir("group", "rwxrwx---");
        Path others = dir("others", "rwx---rwx");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir("private", "rwx------"));

        assertThatThrownBy(() -> DirectoryTrust.requirePrivate(group, me)).isInstanceOf(IOException.class)
                .hasMessage(group + " is writable by its group (mode 0770)");
        assertThatThrownBy(() -> DirectoryTrust.requirePrivate(others, me)).hasMessage(others + " is writable by others (mode 0707)");
        assertThatThrownBy(() -> DirectoryTrust.requirePrivate(link, me)).hasMessage(link + " is a symbolic link");
        assertThatThrownBy(() -> DirectoryTrust.requirePrivate(tmp.resolve("private"), me + 1))
                .hasMessage(tmp.resolve("private") + " belongs to another user (uid " + me + ")");
        DirectoryTrust.requirePrivate(tmp.resolve("private"), me);

        assertThat(DirectoryTrust.privateTo(tmp.resolve("private"), me)).isTrue();
        for (Path p : new Path[] {group, others, link}) assertThat(DirectoryTrust.privateTo(p, me)).as("%s", p).isFalse();
        assertThat(DirectoryTrust.privateTo(tmp.resolve("private"), me + 1)).isFalse();
    }
}
