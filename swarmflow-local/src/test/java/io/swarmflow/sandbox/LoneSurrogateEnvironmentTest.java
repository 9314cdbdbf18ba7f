package io.swarmflow.sandbox;

import io.swarmflow.files.mask.Masking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why {@link Masking} refuses a secret holding a lone surrogate, and why a run never has one, shown with real
 * processes: a process handed a Java string with half a character gets {@code ?} there (by {@code ProcessBuilder} and by
 * {@code posix_spawn}, the sandbox's two launchers), so the bytes it prints of such a secret are an ordinary {@code ?};
 * and a run's secrets, the values of swarm's own environment read with {@link System#getenv} (as the engine reads
 * them), are valid text even when the environment holds the bytes of an encoded surrogate ({@code ED A0 80}).
 */
class LoneSurrogateEnvironmentTest {
    @TempDir
    Path tmp;

    private static final String PRINT_X = "printf %s \"$X\"";

    @Test
    void aProcessHandedALoneSurrogateGetsAQuestionMarkByEitherLauncher() throws Exception {
        Map<String, String> env = Map.of("X", "ab\ud800cd", "PATH", "/usr/bin:/bin");
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", PRINT_X).directory(tmp.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        List<Process> children = new ArrayList<>(List.of(pb.start()));
        if (PosixSpawn.available()) children.add(PosixSpawn.start(List.of("/bin/sh", "-c", PRINT_X), tmp, env));
        for (Process p : children) {
            assertThat(new String(readAll(p), StandardCharsets.ISO_8859_1)).as("the bytes printed").isEqualTo("ab?cd");
        }
        // what a stream has of such a secret is ab?cd, an ordinary text: the secret is refused, not matched as that
        ProcessBuilder again = new ProcessBuilder("/bin/sh", "-c", "printf 'see ab?cd'").directory(tmp.toFile());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MaskingInputStream.wrap(again.start().getInputStream(),
                List.of("ab\ud800cd"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
    }

    /** How the engine reads a secret ({@code System.getenv}), in a JVM whose environment holds ED A0 80 and FF bytes. */
    @Test
    void aValueOfSwarmsOwnEnvironmentIsValidTextWhateverItsBytes() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder("/bin/sh", "-c",
                "SURROGATE=$(printf 'ab\\355\\240\\200cd') NOT_UTF8=$(printf 'ab\\377cd') exec \"$@\"", "sh",
                java.toString(), "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(readAll(probe), StandardCharsets.UTF_8);
        assertThat(probe.exitValue()).as(out).isZero();
        // UTF-8 decodes the encoded surrogate to one U+FFFD, ASCII (a C locale) to three: valid text either way
        assertThat(out.lines().toList()).as(out).hasSize(2).allSatisfy(line -> assertThat(line)
                .matches("(SURROGATE|NOT_UTF8) 61 62( fffd)+ 63 64 lone=false"));
    }

    private static byte[] readAll(Process p) throws IOException, InterruptedException {
        byte[] bytes;
        try (InputStream in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return bytes;
    }

    /** Prints the chars of $SURROGATE and $NOT_UTF8 as {@link System#getenv} gives them, and whether one is a lone surrogate. */
    static final class Probe {
        public static void main(String[] args) {
            for (String name : List.of("SURROGATE", "NOT_UTF8")) {
                String v = System.getenv(name);
                StringBuilder line = new StringBuilder(name);
                v.chars().forEach(c -> line.append(' ').append(Integer.toHexString(c)));
                boolean lone = false;
                try {
                    Masking.requireText(List.of(v));
                } catch (IllegalArgumentException e) {
                    lone = true;
                }
                System.out.println(line.append(" lone=").append(lone));
            }
        }
    }
}
