package io.swarmflow.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fixtures for files named with bytes the JVM cannot decode (0xff, or {@code é} where names are ASCII): made by bash,
 * whose {@code $'\xff'} quoting writes the bytes as they are, and read again in a child JVM whose names are ASCII.
 */
public final class ByteNames {
    private ByteNames() {
    }

    /** Runs {@code script} with bash in {@code dir}, asserts it exits 0; returns its output (standard error merged), trimmed. */
    public static String bash(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(script + ": " + out).isZero();
        return out.trim();
    }

    /**
     * Runs {@code main.main(args)} in a child JVM on this JVM's class path whose file names are ASCII (LC_ALL=C:
     * sun.jnu.encoding ANSI_X3.4-1968), asserts it exits 0; returns its output (standard error merged), untrimmed.
     */
    public static String inAsciiLocale(Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        String jnaTmp = System.getProperty("jna.tmpdir");
        if (jnaTmp != null) command.add("-Djna.tmpdir=" + jnaTmp);
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
        env.put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
