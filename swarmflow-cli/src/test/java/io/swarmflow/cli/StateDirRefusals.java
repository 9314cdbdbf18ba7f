package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * For the tests of the state directory's refusals: runs {@code swarm run} of a one-ticket spec in-process with a given
 * state directory, and makes git repositories whose state directory holds a database.
 */
final class StateDirRefusals {
    private StateDirRefusals() {
    }

    /**
     * {@code swarm run SPEC --plain --state-dir state}, the spec written to {@code specDir}: asserts it exits 2 (the state
     * directory refused) and returns what it said on stderr.
     */
    static String refused(Path specDir, Path state) throws IOException {
        Path spec = Files.writeString(specDir.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[] {"run", spec.toString(), "--plain", "--state-dir", state.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said + out.toString(StandardCharsets.UTF_8)).isEqualTo(2);
        return said;
    }

    /** {@code git -C dir args...} as a user named t: asserts it exits 0, showing what it said if not. */
    static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C",
                dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    /** A new git repository {@code parent/repo} with an empty state directory {@code .swarm}: returns the state directory. */
    static Path stateDirInARepo(Path parent) throws Exception {
        Path repo = Files.createDirectories(parent.resolve("repo"));
        git(repo, "init", "-q");
        return Files.createDirectories(repo.resolve(".swarm"));
    }

    /** Writes an empty database into {@code state} and commits it to the repository {@code state} is in (its parent). */
    static void commitDatabase(Path state) throws Exception {
        Files.writeString(state.resolve(Wiring.DB_FILE), "");
        git(state.getParent(), "add", "-f", ".swarm/" + Wiring.DB_FILE);
        git(state.getParent(), "commit", "-q", "-m", "runs");
    }
}
