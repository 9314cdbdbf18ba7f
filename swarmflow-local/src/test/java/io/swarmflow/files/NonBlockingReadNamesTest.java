package io.swarmflow.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.swarmflow.testing.ByteNames.bash;
import static io.swarmflow.testing.ByteNames.inAsciiLocale;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review D5 #9: {@link NonBlockingRead} opened {@code Path.toString()}, in which a name the JVM cannot decode (not valid
 * in its encoding of file names) reads U+FFFD or {@code ?}: it opened another file of that name, or none. It opens by the
 * path's bytes now; in this JVM (a byte 0xff) and in one whose names are ASCII (LC_ALL=C, where {@code é} cannot be
 * decoded either).
 */
class NonBlockingReadNamesTest {
    @TempDir
    Path tmp;

    /**
     * Files named 0xff, {@code é} and U+FFFD (what a lossy decoding makes of the others), and a directory named 0xfe
     * holding one; each holds its own name's story.
     */
    private static final String MAKE = "set -e; printf right > $'\\xff'; printf wrong > $'\\xef\\xbf\\xbd'; printf wrong > '?';"
            + " printf also-right > $'\\xc3\\xa9'; printf wrong > $'\\xef\\xbf\\xbd\\xef\\xbf\\xbd'; printf wrong > '??';"
            + " mkdir $'d\\xfe'; printf inside > $'d\\xfe/f'";

    /**
     * The file of {@code dir} whose name, percent-encoded as in its URI ({@link Path#toUri}), is {@code raw}: as the JDK
     * lists it (it keeps a listed name's bytes).
     */
    static Path listed(Path dir, String raw) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toUri().getRawPath().replaceAll("/$", "").endsWith("/" + raw)).findFirst().orElseThrow();
        }
    }

    /** What {@link #MAKE} made, read by the paths the JDK lists: name, then content, one pair a line. */
    static String readAll(Path root) throws Exception {
        StringBuilder out = new StringBuilder();
        Path ff = listed(root, "%FF");
        out.append("ff ").append(new String(NonBlockingRead.read(ff, 100), StandardCharsets.UTF_8)).append('\n');
        Path e = listed(root, "%C3%A9");
        out.append("e ").append(new String(NonBlockingRead.read(e, 100), StandardCharsets.UTF_8)).append('\n');
        Path d = listed(root, "d%FE");
        out.append("d/f ").append(new String(NonBlockingRead.read(d.resolve("f"), 100), StandardCharsets.UTF_8)).append('\n');
        return out.toString();
    }

    @Test
    void aFileWhoseNameTheJvmCannotDecodeIsReadNotAnotherOne() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        bash(root, MAKE);

        assertThat(readAll(root)).isEqualTo("ff right\ne also-right\nd/f inside\n");
    }

    /** The bytes open(2) gets: absolute, NUL-terminated, a directory's without the {@code /} its URI ends with. */
    @Test
    void pathBytesAreTheAbsolutePathsNulTerminated() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        bash(root, MAKE);
        byte[] expected = (root.toAbsolutePath() + "/d").getBytes(StandardCharsets.UTF_8);
        expected = java.util.Arrays.copyOf(expected, expected.length + 2);
        expected[expected.length - 2] = (byte) 0xfe;
        assertThat(NonBlockingRead.pathBytes(listed(root, "d%FE"))).as("a directory").containsExactly(expected);
        assertThat(NonBlockingRead.pathBytes(Path.of("/"))).containsExactly('/', 0);
        assertThat(NonBlockingRead.pathBytes(Path.of("rel"))).containsExactly(
                (Path.of("").toAbsolutePath() + "/rel\0").getBytes(StandardCharsets.UTF_8));
    }

    /** The same in a JVM whose file names are ASCII (LC_ALL=C: sun.jnu.encoding ANSI_X3.4-1968). */
    @Test
    void inAnAsciiLocaleToo() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("ws"));
        bash(root, MAKE);
        String out = inAsciiLocale(InAscii.class, root.toString());

        assertThat(out).isEqualTo("ANSI_X3.4-1968\nff right\ne also-right\nd/f inside\n");
    }

    /** The child JVM of {@link #inAnAsciiLocaleToo}: prints its encoding of names, then {@link #readAll} of args[0]. */
    static final class InAscii {
        public static void main(String[] args) throws Exception {
            System.out.print(System.getProperty("sun.jnu.encoding") + "\n" + readAll(Path.of(args[0])));
        }
    }
}
