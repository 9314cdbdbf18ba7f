package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the host's bound Unix sockets from a /proc/net/unix table (proc(5)). */
class HostSocketsTest {
    @TempDir
    Path tmp;

    private static final String HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n";

    private static String entry(String path) {
        return "0000000000000000: 00000002 00000000 00010000 0001 01 12345 " + path + "\n";
    }

    @Test
    void aNameThatIsNotUtf8OrRelativeDoesNotHideTheOtherSockets() throws Exception {
        Path socket = tmp.resolve("service.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            ByteArrayOutputStream table = new ByteArrayOutputStream();
            table.writeBytes(HEADER.getBytes(StandardCharsets.US_ASCII));
            // an abstract socket whose name is any bytes, as any local process may bind one
            table.writeBytes("0000000000000000: 00000002 00000000 00010000 0001 01 1 @swarm-".getBytes(StandardCharsets.US_ASCII));
            table.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
            table.writeBytes(entry("relative.sock").getBytes(StandardCharsets.US_ASCII));
            table.writeBytes(entry(socket.toString()).getBytes(StandardCharsets.UTF_8));
            table.writeBytes(entry(tmp.resolve("gone.sock").toString()).getBytes(StandardCharsets.UTF_8));
            table.writeBytes("0000000000000000: 00000002 00000000 00010000 0001 01 7\n".getBytes(StandardCharsets.US_ASCII)); // unnamed
            HostSockets sockets = new HostSockets(Files.write(tmp.resolve("unix"), table.toByteArray()), noMounts());

            assertThat(sockets.bound().sockets()).containsExactly(socket.toRealPath());
            assertThat(sockets.bound().relative()).as("bound by a relative path").isEqualTo(1);
        }
    }

    /** Mounting over a socket deleted since the read would fail the launch: bound() checks each one again. */
    @Test
    void aSocketDeletedSinceTheReadIsLeftOut() throws Exception {
        Path socket = tmp.resolve("short-lived.sock");
        HostSockets sockets;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            sockets = new HostSockets(Files.writeString(tmp.resolve("unix"), HEADER + entry(socket.toString())), noMounts());
            assertThat(sockets.bound().sockets()).containsExactly(socket.toRealPath());
        }
        Files.delete(socket);

        assertThat(sockets.bound().sockets()).as("within the reuse period of the first read").isEmpty();
    }

    private Path noMounts() {
        try {
            return Files.writeString(tmp.resolve("mountinfo"), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The kernel prints a name byte for byte: spaces at its ends and newlines in it are part of it. */
    @Test
    void namesWithSpacesAtTheirEndsAndNewlinesAreFound() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(" d")).toRealPath();
        List<Path> paths = List.of(dir.resolve("trailing "), dir.resolve(" leading"), dir.resolve("new\nline"),
                // a name whose second line looks like a record of its own (any local user may bind such a name)
                Files.createDirectory(dir.resolve("x\n0000000000000000: 00000002 00000000 00010000 0001 01 9 ")).resolve("no"));
        List<ServerSocketChannel> servers = new ArrayList<>();
        try {
            StringBuilder table = new StringBuilder(HEADER);
            for (Path p : paths) {
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                servers.add(server);
                server.bind(UnixDomainSocketAddress.of(p));
                table.append(entry(p.toString()));
            }
            HostSockets sockets = new HostSockets(Files.writeString(tmp.resolve("unix"), table), noMounts());

            assertThat(sockets.bound().sockets()).containsExactlyInAnyOrderElementsOf(paths);
        } finally {
            for (ServerSocketChannel server : servers) server.close();
        }
    }

    /** A name the JVM cannot pass to bubblewrap is reported by the deepest directory above it that it can name. */
    @Test
    void aNameThatIsNotValidInTheFileNameEncodingGivesItsDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sockets")).toRealPath();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        table.writeBytes(HEADER.getBytes(StandardCharsets.US_ASCII));
        table.writeBytes(("0000000000000000: 00000002 00000000 00010000 0001 01 1 " + dir + "/lat").getBytes(StandardCharsets.UTF_8));
        table.writeBytes(new byte[] {(byte) 0xe9, '/', 's', '\n'});

        HostSockets sockets = new HostSockets(Files.write(tmp.resolve("unix"), table.toByteArray()), noMounts());

        assertThat(sockets.bound().unnameableDirs()).containsExactly(dir);
        assertThat(sockets.bound().sockets()).isEmpty();
    }

    /**
     * The same directory shown by another mount (a bind mount) shows the same socket: found from mountinfo, whose
     * fields escape spaces as octal. Here a symbolic link stands in for the second mount, so that the alias is the
     * same file, as it would be.
     */
    @Test
    void aSocketIsAlsoFoundWhereAnotherMountOfItsDirectoryShowsIt() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a")).toRealPath();
        Path b = Files.createSymbolicLink(tmp.resolve("b c"), a);
        Path socket = a.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Path mountinfo = Files.writeString(tmp.resolve("mountinfo"), """
                    22 1 0:99 /data %s rw,relatime shared:1 - ext4 /dev/vdb rw
                    23 1 0:99 /data %s rw,relatime shared:1 - ext4 /dev/vdb rw
                    24 1 0:98 /data %s rw,relatime shared:1 - ext4 /dev/vdc rw
                    """.formatted(a, b.toString().replace(" ", "\\040"), tmp.resolve("other")));
            HostSockets sockets = new HostSockets(Files.writeString(tmp.resolve("unix"), HEADER + entry(socket.toString())), mountinfo);

            assertThat(sockets.bound().sockets()).containsExactly(socket, b.resolve("s.sock"));
        }
    }

    @Test
    void aTableThatCannotBeReadIsAnErrorNotAnEmptyList() {
        HostSockets sockets = new HostSockets(tmp.resolve("missing"), noMounts());

        assertThatThrownBy(sockets::bound).isInstanceOf(NoSuchFileException.class);
    }
}
