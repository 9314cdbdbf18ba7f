package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the spec tests: writing spec files, git repositories, collecting errors. */
final class SpecFiles {
    private SpecFiles() {}

    static Path write(Path dir, String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** Formatted errors of a spec that must be rejected, with the directory prefix removed. */
    static List<String> errors(Path file, Map<String, String> vars) {
        SpecException e = catchThrowableOfType(SpecException.class, () -> new SpecLoader().load(file, vars));
        assertThat(e).as("spec should be rejected").isNotNull();
        String prefix = file.getParent().toString() + "/";
        return e.errors().stream().map(SpecError::format)
                .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : s).toList();
    }

    static List<String> errors(Path dir, String yaml) throws IOException {
        return errors(write(dir, "swarm.yaml", yaml), Map.of());
    }

    static void gitInit(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("git", "init", "-q", dir.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("git init").isZero();
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
