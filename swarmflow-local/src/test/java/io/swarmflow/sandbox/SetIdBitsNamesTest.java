package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static io.swarmflow.testing.ByteNames.bash;
import static io.swarmflow.testing.ByteNames.inAsciiLocale;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SetIdBits} walks by the bytes of the names: a set-uid file whose name the JVM cannot decode (not valid in its
 * encoding of file names) is cleared like any other; and the limits of the walk (entries, links swapped in) are named.
 */
class SetIdBitsNamesTest {
    @TempDir
    Path tmp;

    private static final String MAKE = "set -e; printf x > $'\\xff'; chmod 4755 $'\\xff'; mkdir $'d\\xfe'; printf x > $'d\\xfe/s';"
            + " chmod 6755 $'d\\xfe/s'; mkdir $'\\xc3\\xa9'; printf x > $'\\xc3\\xa9/g\\xc3\\xa9'; chmod 2755 $'\\xc3\\xa9/g\\xc3\\xa9'";
    private static final String MODES = "stat -c %a $'\\xff' $'d\\xfe/s' $'\\xc3\\xa9/g\\xc3\\xa9' | tr '\\n' ' '";

    /**
     * A set-uid file named with the byte 0xff (not UTF-8), one in a directory so named, and one whose name is valid UTF-8
     * (undecodable where the JVM's names are ASCII): all three are cleared.
     */
    @Test
    void setUidFilesWhoseNamesTheJvmCannotDecodeAreCleared() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        bash(root, MAKE);
        // the fallback (no native path) changes nothing but sees them too
        SetIdBits.Cleared named = SetIdBits.clear(List.of(root), false);
        assertThat(named.cleared()).isEmpty();
        assertThat(named.failed()).hasSize(3).allSatisfy(f -> assertThat(f).endsWith(" (" + SetIdBits.NO_SAFE_WAY + ")"));
        assertThat(bash(root, MODES)).isEqualTo("4755 6755 2755");

        SetIdBits.Cleared result = SetIdBits.clear(List.of(root));

        assertThat(bash(root, MODES)).isEqualTo("755 755 755");
        assertThat(result.failed()).isEmpty();
        assertThat(result.cleared()).hasSize(3);
        assertThat(result.cleared()).allSatisfy(p -> assertThat(p.startsWith(root.toRealPath())).isTrue());
    }

    /** The same in a JVM whose file names are ASCII (LC_ALL=C: sun.jnu.encoding ANSI_X3.4-1968), where é cannot be decoded. */
    @Test
    void inAnAsciiLocaleToo() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        bash(root, MAKE);
        String out = inAsciiLocale(InAscii.class, root.toString());

        assertThat(out).startsWith("ANSI_X3.4-1968 cleared 3 failed 0");
        assertThat(bash(root, MODES)).isEqualTo("755 755 755");
    }

    /** The child JVM of {@link #inAnAsciiLocaleToo}: clears beneath args[0], prints its encoding of names and the counts. */
    static final class InAscii {
        public static void main(String[] args) {
            SetIdBits.Cleared result = SetIdBits.clear(List.of(Path.of(args[0])));
            System.out.println(System.getProperty("sun.jnu.encoding") + " cleared " + result.cleared().size() + " failed "
                    + result.failed().size() + " " + result);
        }
    }

    /** A name that cannot be decoded is shown lossily: U+FFFD where the JVM's encoding has it, else ?. */
    @Test
    void anUndecodableNameIsShownLossily() {
        Path shown = SetIdBits.shown(Path.of("/w"), new byte[] {'a', (byte) 0xff, 'b', 0});
        assertThat(shown.toString()).isIn("/w/a\uFFFDb", "/w/a?b");
    }

    /** A ticket that made very many files cannot hold the walk for long: beyond the limit the rest is named, not walked. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void beyondTheLimitOfEntriesTheRestIsNamed(boolean safe) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path many = Files.createDirectories(root.resolve("many"));
        for (int i = 0; i < 10; i++) Files.writeString(many.resolve("f" + i), "");

        SetIdBits.Cleared result = SetIdBits.clear(List.of(root), safe && SetIdBits.clearBeneathIsSafe(), 5);

        assertThat(result.cleared()).isEmpty();
        assertThat(result.failed()).containsExactly(root.toRealPath().resolve("many")
                + " (could not be checked: more than 5 entries; the rest of this directory and of the walk were not checked)");
        assertThat(SetIdBits.clear(List.of(root), safe && SetIdBits.clearBeneathIsSafe(), 11).isEmpty()).isTrue();
        assertThat(SetIdBits.MAX_ENTRIES).isEqualTo(1_000_000);
    }

    /**
     * A symbolic link swapped in while the walk runs (another ticket sharing the directory), for a directory or for a
     * set-uid file: not followed, and named with why.
     */
    @Test
    void aLinkSwappedInDuringTheWalkIsNamedNotFollowed() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        Path dir = Files.createDirectories(root.resolve("d"));
        Files.writeString(dir.resolve("s"), "x");
        Files.setAttribute(dir.resolve("s"), "unix:mode", 04755);
        Path file = root.resolve("f");
        Files.writeString(file, "x");
        Files.setAttribute(file, "unix:mode", 04755);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path victim = elsewhere.resolve("tool");
        Files.writeString(victim, "x");
        Files.setAttribute(victim, "unix:mode", 04755);
        Path away = Files.createDirectories(tmp.resolve("away"));
        Path real = root.toRealPath();

        SetIdBits.beforeOpen = shown -> {
            try {
                if (shown.equals(real.resolve("d"))) {
                    Files.move(dir, away.resolve("d"));
                    Files.createSymbolicLink(dir, elsewhere);
                } else if (shown.equals(real.resolve("f"))) {
                    Files.move(file, away.resolve("f"));
                    Files.createSymbolicLink(file, victim);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        SetIdBits.Cleared result;
        try {
            result = SetIdBits.clear(List.of(root));
        } finally {
            SetIdBits.beforeOpen = null;
        }

        assertThat(result.cleared()).isEmpty();
        assertThat(result.failed()).containsExactlyInAnyOrder(
                real.resolve("d") + " (could not be checked: cannot be opened: no longer a directory: a symbolic link or a "
                        + "file replaced it meanwhile, not followed (ENOTDIR))",
                real.resolve("f") + " (not changed: a symbolic link now (replaced meanwhile), not followed)");
        assertThat(mode(victim)).isEqualTo(04755);
    }

    /**
     * A directory removed between the listing and its open (another ticket of the run cleaning up its own directory in
     * the shared scratch, as the README's example does) is not named: nothing is left there to run, as for a file. It was
     * warned about as "could not be checked: cannot be opened: removed meanwhile (ENOENT)".
     */
    @Test
    void aDirectoryRemovedMeanwhileIsNotNamed() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("gone-root"));
        Path dir = Files.createDirectories(root.resolve("d"));
        Files.writeString(dir.resolve("x"), "x");
        Path real = root.toRealPath();
        SetIdBits.beforeOpen = shown -> {
            try {
                if (shown.equals(real.resolve("d"))) {
                    Files.delete(dir.resolve("x"));
                    Files.delete(dir);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        SetIdBits.Cleared result;
        try {
            result = SetIdBits.clear(List.of(root));
        } finally {
            SetIdBits.beforeOpen = null;
        }
        assertThat(Files.exists(dir)).isFalse();
        assertThat(result.isEmpty()).as("%s", result).isTrue();
    }

    /**
     * The same while a directory is being listed: removed with all it held after its first entries were read (the walk
     * then lists a dead directory, ENOENT), and a set-uid file removed before its open. Found running the README's
     * example: every directory another ticket's {@code rm -rf} took away was named "cannot be listed: removed meanwhile".
     */
    @Test
    void aDirectoryRemovedWhileItIsListedIsNotNamedNorItsFiles() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("dead-root"));
        Path dir = Files.createDirectories(root.resolve("d"));
        Path s = dir.resolve("s");
        Files.writeString(s, "x");
        Files.setAttribute(s, "unix:mode", 04755);
        Files.writeString(dir.resolve("t"), "t");
        Path real = root.toRealPath();
        SetIdBits.beforeOpen = shown -> {
            try {
                if (shown.equals(real.resolve("d/s"))) {
                    Files.delete(s);
                    Files.delete(dir.resolve("t"));
                    Files.delete(dir);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        SetIdBits.Cleared result;
        try {
            result = SetIdBits.clear(List.of(root));
        } finally {
            SetIdBits.beforeOpen = null;
        }
        assertThat(Files.exists(dir)).as("the hook ran").isFalse();
        assertThat(result.isEmpty()).as("%s", result).isTrue();
    }

    /** The reason for EACCES says so plainly, with the errno's name (an ordinary user's ticket's chmod 000). */
    @Test
    void permissionDeniedIsSaidPlainly() {
        assertThat(SetIdBits.reason(13)).isEqualTo("permission denied (EACCES)");
        assertThat(SetIdBits.reason(40)).contains("symbolic link").endsWith("(ELOOP)");
        assertThat(SetIdBits.reason(99999)).isEqualTo("errno 99999");
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }
}
