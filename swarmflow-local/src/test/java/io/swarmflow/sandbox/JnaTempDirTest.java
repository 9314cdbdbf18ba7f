package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link JnaTempDir#make}: the directories above are checked before anything is made in them. */
class JnaTempDirTest {
    @TempDir
    Path tmp;

    /**
     * A place it would refuse (here a directory anyone can write to, without the sticky bit; as root, a home of another
     * user is the same case) is refused before any directory is made in it: refusing only afterwards left them behind
     * (root-owned ones, in another user's home).
     */
    @Test
    void anUntrustedPlaceIsRefusedBeforeAnythingIsMadeInIt() throws IOException {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path home = open.resolve("home");

        assertThatThrownBy(() -> JnaTempDir.make(home.resolve(".cache/swarmflow/jna")))
                .isInstanceOf(IOException.class).hasMessageContaining(open.toRealPath() + " is writable by others");
        assertThat(home).doesNotExist();
    }

    @Test
    void aTrustedPlaceGetsOwnerOnlyDirectories() throws IOException {
        Path jna = JnaTempDir.make(tmp.resolve("home/.cache/swarmflow/jna"));
        assertThat(jna).isDirectory();
        for (Path p = jna; !p.equals(tmp.toRealPath()); p = p.getParent()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p).isEqualTo("rwx------");
        }
    }

    /** The refusal of the directory itself says which rule it fails, not a list of three that may. */
    @Test
    void aGroupWritableDirectoryIsRefusedSayingSo() throws IOException {
        Path jna = Files.createDirectories(tmp.resolve("home/.cache/swarmflow/jna"));
        Files.setPosixFilePermissions(jna, PosixFilePermissions.fromString("rwxrwx---"));
        assertThatThrownBy(() -> JnaTempDir.make(jna)).isInstanceOf(IOException.class)
                .hasMessage(jna + " is writable by its group (mode 0770)");
    }
}
