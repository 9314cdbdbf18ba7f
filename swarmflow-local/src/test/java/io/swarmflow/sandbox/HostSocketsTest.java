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
            HostSockets sockets = new HostSockets(Files.write(tmp.resolve("unix"), table.toByteArray()));

            assertThat(sockets.bound()).containsExactly(socket.toRealPath());
            assertThat(sockets.unplaced()).as("bound by a relative path").isEqualTo(1);
        }
    }

    /** Mounting over a socket deleted since the read would fail the launch: bound() checks each one again. */
    @Test
    void aSocketDeletedSinceTheReadIsLeftOut() throws Exception {
        Path socket = tmp.resolve("short-lived.sock");
        HostSockets sockets;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            sockets = new HostSockets(Files.writeString(tmp.resolve("unix"), HEADER + entry(socket.toString())));
            assertThat(sockets.bound()).containsExactly(socket.toRealPath());
        }
        Files.delete(socket);

        assertThat(sockets.bound()).as("within the reuse period of the first read").isEmpty();
    }

    @Test
    void aTableThatCannotBeReadIsAnErrorNotAnEmptyList() {
        HostSockets sockets = new HostSockets(tmp.resolve("missing"));

        assertThatThrownBy(sockets::bound).isInstanceOf(NoSuchFileException.class);
    }
}
