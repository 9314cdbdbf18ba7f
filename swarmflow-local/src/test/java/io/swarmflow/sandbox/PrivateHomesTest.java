package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PrivateHomesTest {
    @Test
    void anEmptyHomeIsReusedAndOneWithFilesIsDeleted() throws Exception {
        try (PrivateHomes homes = new PrivateHomes()) {
            Path a = homes.acquire();
            assertThat(Files.getPosixFilePermissions(a)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            Path b = homes.acquire();
            assertThat(b).isNotEqualTo(a);
            homes.release(a);
            assertThat(homes.idleCount()).isEqualTo(1);
            assertThat(homes.acquire()).as("an empty home is handed out again").isEqualTo(a);

            Files.writeString(a.resolve(".bash_history"), "secret");
            homes.release(a);
            assertThat(a).doesNotExist();
            assertThat(homes.idleCount()).isZero();

            Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rwxr-xr-x"));
            homes.release(b);
            assertThat(b).as("a home whose mode changed is not handed out again").doesNotExist();
            assertThat(homes.acquire()).isNotIn(a, b);
        }
    }

    /**
     * A HOME holding directories the attempt made unwritable or unsearchable is still deleted, and releasing it does
     * not throw. Root deletes them regardless of their mode, so the release runs as an ordinary user (as root: as
     * nobody, in a child JVM; {@link io.swarmflow.files.OrdinaryUser}).
     */
    @Test
    void aHomeWithDirectoriesTheAttemptClosedIsDeleted() throws Exception {
        try (PrivateHomes homes = new PrivateHomes()) {
            Path a = homes.acquire();
            Files.writeString(Files.createDirectories(a.resolve("x/y")).resolve("secret"), "s");
            Files.writeString(Files.createDirectories(a.resolve("ro")).resolve("f"), "f");
            Files.setPosixFilePermissions(a.resolve("x/y"), PosixFilePermissions.fromString("---------"));
            Files.setPosixFilePermissions(a.resolve("x"), PosixFilePermissions.fromString("---------"));
            Files.setPosixFilePermissions(a.resolve("ro"), PosixFilePermissions.fromString("r-x------"));

            io.swarmflow.files.OrdinaryUser.call(a, PrivateHomesTest.class, "release", a.toString());

            assertThat(a).doesNotExist();
        }
    }

    /** Releases the HOME {@code dir[0]} to a PrivateHomes of its own (a step for {@link io.swarmflow.files.OrdinaryUser}). */
    static String release(String... dir) {
        try (PrivateHomes homes = new PrivateHomes()) {
            homes.release(Path.of(dir[0]));
        }
        return "";
    }

    @Test
    void atMostMaxIdleAreKeptAndCloseDeletesThem() throws Exception {
        List<Path> all = new ArrayList<>();
        PrivateHomes homes = new PrivateHomes();
        for (int i = 0; i < PrivateHomes.MAX_IDLE + 3; i++) all.add(homes.acquire());
        for (Path p : all) homes.release(p);
        assertThat(homes.idleCount()).isEqualTo(PrivateHomes.MAX_IDLE);
        assertThat(all.stream().filter(Files::exists)).hasSize(PrivateHomes.MAX_IDLE);
        Path late = homes.acquire();
        homes.close();
        assertThat(all.stream().filter(p -> !p.equals(late)).filter(Files::exists)).isEmpty();
        homes.release(late);
        assertThat(late).as("released after close: deleted").doesNotExist();
        assertThat(homes.idleCount()).isZero();
    }
}
