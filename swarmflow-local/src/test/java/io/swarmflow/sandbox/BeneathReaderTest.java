package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60) // a FIFO opened without O_NONBLOCK would hang here, not fail
class BeneathReaderTest {
    @TempDir
    Path tmp;

    /** Reads with the JNA walk ({@code native}) or the JDK's SecureDirectoryStream ({@code jdk}). */
    private static byte[] read(String how, Path root, String relative, int max) throws IOException {
        return how.equals("native") ? BeneathReader.read(root, Path.of(relative), max) : BeneathReader.readWithJdk(root, Path.of(relative), max);
    }

    @Test
    void theNonBlockingWalkIsUsedOnLinux() {
        String arch = System.getProperty("os.arch");
        if (System.getProperty("os.name").startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
            assertThat(BeneathReader.nonBlocking()).as("JNA's openat(2) on %s", arch).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "jdk"})
    void readsARegularFileInNestedDirectories(String how) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/out.txt"), "value\n");
        Files.writeString(root.resolve("empty"), "");

        assertThat(new String(read(how, root, "a/b/out.txt", 100), StandardCharsets.UTF_8)).isEqualTo("value\n");
        assertThat(read(how, root, "empty", 100)).isEmpty();
        assertThat(read(how, root, "a/b/out.txt", 6)).hasSize(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "jdk"})
    void refusesSymbolicLinksAnywhereInThePathEvenInsideTheDirectory(String how) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(root.resolve("real"));
        Files.writeString(root.resolve("real/out.txt"), "inside");
        Files.createSymbolicLink(root.resolve("link.txt"), root.resolve("real/out.txt"));
        Files.createSymbolicLink(root.resolve("linkdir"), root.resolve("real"));

        assertThatThrownBy(() -> read(how, root, "link.txt", 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("link.txt is a symbolic link");
        assertThatThrownBy(() -> read(how, root, "linkdir/out.txt", 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("linkdir is a symbolic link");
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "jdk"})
    void saysWhatIsMissingOrWrong(String how) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("file"), "x");
        Files.writeString(root.resolve("big"), "0123456789");

        assertThatThrownBy(() -> read(how, root, "dir/missing", 100)).isInstanceOf(NoSuchFileException.class).hasMessage("dir/missing");
        assertThatThrownBy(() -> read(how, root, "nodir/x", 100)).isInstanceOf(NoSuchFileException.class).hasMessage("nodir");
        assertThatThrownBy(() -> read(how, root, "dir", 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("dir is a directory, not a file");
        assertThatThrownBy(() -> read(how, root, "file/x", 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("file is not a directory");
        assertThatThrownBy(() -> read(how, root, "big", 9))
                .isInstanceOf(BeneathReader.TooLargeException.class).hasMessage("big holds more than 9 bytes");
        assertThatThrownBy(() -> read(how, root, "../ws/file", 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> read(how, root, "/etc/hostname", 100)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A directory the ticket made unreadable is named with the reason in words. Root opens a 000 directory regardless,
     * so the read runs as an ordinary user (as root: as nobody, in a child JVM; {@link io.swarmflow.files.OrdinaryUser}).
     */
    @Test
    void aDirectoryWithoutPermissionIsReportedInWords() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(BeneathReader.nonBlocking(), "the JDK walk words its own errors");
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(Files.createDirectories(root.resolve("d")).resolve("f"), "x");
        Files.setPosixFilePermissions(root.resolve("d"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        try {
            assertThat(io.swarmflow.files.OrdinaryUser.call(tmp, BeneathReaderTest.class, "readOrSayWhy", root.toString(), "d/f"))
                    .isEqualTo("cannot open d: permission denied (errno 13); the ticket must leave the file and its directories readable");
        } finally {
            Files.setPosixFilePermissions(root.resolve("d"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** {@link BeneathReader#read} of {@code a[1]} below {@code a[0]}: what it read, or the message it threw; a step for {@link io.swarmflow.files.OrdinaryUser}. */
    static String readOrSayWhy(String... a) {
        try {
            return "read: " + new String(BeneathReader.read(Path.of(a[0]), Path.of(a[1]), 100), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();

        // the JDK's walk sees the FIFO before it opens it; the native walk opens it without blocking and checks
        assertThatThrownBy(() -> BeneathReader.read(root, Path.of("pipe"), 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("pipe is not a regular file");
        assertThatThrownBy(() -> BeneathReader.readWithJdk(root, Path.of("pipe"), 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("pipe is not a regular file");
        // a FIFO where a directory is expected
        assertThatThrownBy(() -> BeneathReader.read(root, Path.of("pipe/x"), 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("pipe is not a directory");
        assertThatThrownBy(() -> BeneathReader.readWithJdk(root, Path.of("pipe/x"), 100))
                .isInstanceOf(BeneathReader.RefusedException.class).hasMessage("pipe is not a directory");
    }

    /**
     * Another ticket swaps the output file for a symbolic link to a secret and back, as fast as it can,
     * while the file is read: the secret must never be read, and a FIFO swapped in must never block.
     * (A check of the real path followed by an open read the secret within a few hundred tries here.)
     */
    @Test
    void aFileSwappedWhileItIsReadNeverLeadsOutside() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "SECRET");
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(root.resolve("d"));
        Path regular = Files.writeString(tmp.resolve("ws/regular"), "fine");
        Files.createSymbolicLink(root.resolve("symlink"), secret);
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.copy(regular, root.resolve("d/out"));

        AtomicBoolean stop = new AtomicBoolean();
        Thread swapper = Thread.ofPlatform().start(() -> {
            try {
                Path spare = root.resolve("spare");
                while (!stop.get()) {
                    for (String source : new String[] {"symlink", "fifo", "regular"}) {
                        // out becomes a link to the secret, then a FIFO, then a regular file again
                        Files.deleteIfExists(spare);
                        if (source.equals("symlink")) Files.createSymbolicLink(spare, secret);
                        else Files.createLink(spare, root.resolve(source));
                        Files.move(spare, root.resolve("d/out"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        int read = 0;
        try {
            for (int i = 0; i < 3000; i++) {
                try {
                    byte[] bytes = BeneathReader.read(root, Path.of("d/out"), 100);
                    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("fine");
                    read++;
                } catch (BeneathReader.RefusedException | NoSuchFileException expected) {
                    // a link or a FIFO at that moment
                }
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertThat(swapper.isAlive()).isFalse();
        assertThat(read).as("reads that met the regular file").isPositive();
    }
}
