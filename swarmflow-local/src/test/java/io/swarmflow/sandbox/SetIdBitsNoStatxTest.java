package io.swarmflow.sandbox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** On a kernel without statx(2) (older than 4.11: ENOSYS, forced here by a test hook) the walk still clears. */
class SetIdBitsNoStatxTest {
    @TempDir
    Path tmp;

    @AfterEach
    void statxAgain() {
        SetIdBits.forceEnosys = false;
        SetIdBits.statxMissing = false;
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void withoutStatxASetUidFileIsStillClearedAndAHardLinkReplaced() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path sub = Files.createDirectories(ws.resolve("sub"));
        Path a = Files.writeString(sub.resolve("a"), "x");
        Files.setAttribute(a, "unix:mode", 04755);
        Path tool = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("tool"), "y");
        Files.setAttribute(tool, "unix:mode", 04755);
        Files.createLink(ws.resolve("b"), tool);
        Files.createSymbolicLink(ws.resolve("link"), tool);
        SetIdBits.forceEnosys = true;

        SetIdBits.Cleared result = SetIdBits.clear(List.of(ws));

        assertThat(result.failed()).isEmpty();
        assertThat(result.cleared()).containsExactly(sub.toRealPath().resolve("a"));
        assertThat(result.replaced()).containsExactly(ws.toRealPath().resolve("b")
                + " (replaced by a copy without set-uid: it had 2 hard links)");
        assertThat(mode(a)).isEqualTo(0755);
        assertThat(mode(ws.resolve("b"))).isEqualTo(0755);
        assertThat(mode(tool)).isEqualTo(04755);
        assertThat(SetIdBits.statxMissing).isTrue();
    }
}
