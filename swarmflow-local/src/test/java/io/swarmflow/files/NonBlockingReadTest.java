package io.swarmflow.files;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@link NonBlockingRead} never blocks: a FIFO is refused in every situation where the JDK-only reader it replaced (review
 * D2 F2) fell back to a plain read-only open (a directory this user cannot write to; a file of another user), a read
 * lease does not hold the read (F3), a read-only file of this user's own is read (F4), a device is refused (F5). Each
 * read runs under {@link org.junit.jupiter.api.Assertions#assertTimeoutPreemptively}: the bound only ends a hang, no
 * time is measured.
 */
class NonBlockingReadTest {
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static void run(String... cmd) throws Exception {
        assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).as(String.join(" ", cmd)).isZero();
    }

    /** A step for {@link OrdinaryUser#call}: reads the file and says what came of it. */
    static String readOrSayWhy(String... a) {
        return assertTimeoutPreemptively(HANG, () -> {
            try {
                return "read " + new String(NonBlockingRead.read(Path.of(a[0]), 4096), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        });
    }

    @Test
    void aFifoInADirectoryThisUserCannotWriteToIsRefusedWithoutBlocking() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectories(tree.resolve("w"));
        run("mkfifo", dir.resolve(".git").toString());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));

        assertThat(readOrSayWhy(dir.resolve(".git").toString())).startsWith("NotRegularException: ").endsWith("is a FIFO, a socket or a device");
        assertThat(OrdinaryUser.call(tree, NonBlockingReadTest.class, "readOrSayWhy", dir.resolve(".git").toString()))
                .startsWith("NotRegularException: ");
    }

    /** As root the FIFO belongs to root and is read by nobody; as an ordinary user it is its own (no other user to give it to). */
    @Test
    void aReadOnlyFifoOfAnotherUserIsRefusedWithoutBlocking() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Path fifo = other.resolve(".git");
        run("mkfifo", "-m", "0444", fifo.toString());

        assertThat(OrdinaryUser.call(tree, NonBlockingReadTest.class, "readOrSayWhy", fifo.toString())).startsWith("NotRegularException: ");
        if (OrdinaryUser.root()) { // and as root, the FIFO given to nobody
            run("chown", "65534:65534", fifo.toString());
            assertThat(readOrSayWhy(fifo.toString())).startsWith("NotRegularException: ");
        }
    }

    @Test
    void aReadOnlyFileOfThisUsersOwnIsRead() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path file = Files.writeString(tree.resolve(".git"), "gitdir: /x\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));

        assertThat(readOrSayWhy(file.toString())).isEqualTo("read gitdir: /x\n");
        assertThat(OrdinaryUser.call(tree, NonBlockingReadTest.class, "readOrSayWhy", file.toString())).isEqualTo("read gitdir: /x\n");
    }

    @Test
    void devicesLinksDirectoriesAndLargeFilesAreRefused() throws Exception {
        assertThatThrownBy(() -> NonBlockingRead.read(Path.of("/dev/null"), 4096)).isInstanceOf(NonBlockingRead.NotRegularException.class)
                .hasMessageContaining("/dev/null is a FIFO, a socket or a device");
        assertThatThrownBy(() -> NonBlockingRead.read(Path.of("/dev/zero"), 4096)).isInstanceOf(NonBlockingRead.NotRegularException.class);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.writeString(tmp.resolve("f"), "f"));
        assertThatThrownBy(() -> NonBlockingRead.read(link, 4096)).isInstanceOf(NonBlockingRead.NotRegularException.class)
                .hasMessageContaining("is a symbolic link");
        assertThatThrownBy(() -> NonBlockingRead.read(tmp, 4096)).isInstanceOf(NonBlockingRead.NotRegularException.class);
        assertThatThrownBy(() -> NonBlockingRead.read(tmp.resolve("f"), 0)).isInstanceOf(NonBlockingRead.TooLargeException.class);
        assertThatThrownBy(() -> NonBlockingRead.read(tmp.resolve("none"), 10)).isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(NonBlockingRead.read(tmp.resolve("f"), 1)).containsExactly('f');
    }

    /**
     * A process holding a read lease on the file (which its owner may take: a ticket's leftover process without
     * bubblewrap) does not hold the read, nor is its lease broken (an open for writing would break it, and wait for it up
     * to {@code /proc/sys/fs/lease-break-time}, 45 s by default). Needs python3 for fcntl(F_SETLEASE).
     */
    @Test
    void aReadLeaseHeldOnTheFileIsNotBroken() throws Exception {
        boolean python = List.of("/usr/bin/python3", "/usr/local/bin/python3").stream().anyMatch(p -> Files.isExecutable(Path.of(p)))
                || new ProcessBuilder("sh", "-c", "command -v python3").start().waitFor() == 0;
        Assumptions.assumeTrue(python, "python3 is needed to take a lease");
        Path file = Files.writeString(tmp.resolve(".git"), "gitdir: /x\n");
        String script = String.join("\n",
                "import fcntl, os, signal, sys",
                "broken = []",
                "signal.signal(signal.SIGIO, lambda *a: broken.append(1))",
                "fd = os.open(sys.argv[1], os.O_RDONLY)",
                "fcntl.fcntl(fd, 1024, fcntl.F_RDLCK)",
                "print('ready', flush=True)",
                "sys.stdin.readline()",
                "print('broken' if broken or fcntl.fcntl(fd, 1025) != fcntl.F_RDLCK else 'intact', flush=True)");
        Process holder = new ProcessBuilder("python3", "-c", script, file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");

            assertThat(readOrSayWhy(file.toString())).isEqualTo("read gitdir: /x\n");

            holder.getOutputStream().write('\n');
            holder.getOutputStream().flush();
            assertThat(out.readLine()).as("the lease after the read").isEqualTo("intact");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }
}
