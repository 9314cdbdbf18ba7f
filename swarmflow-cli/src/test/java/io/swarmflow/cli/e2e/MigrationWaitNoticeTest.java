package io.swarmflow.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command waiting for another swarm process's migration of a new state directory (it holds
 * {@code swarm.db.migration-lock}) says so on stderr, as one waiting for the database's write lock does (review R6,
 * finding 3: it was silent for up to 60 s), and goes on once the lock is released. Real processes: the holder and
 * swarm are child JVMs, the notice read from swarm's stderr as it comes.
 */
class MigrationWaitNoticeTest {
    @TempDir
    Path tmp;

    @Test
    void aRunWaitingForAnotherSwarmsMigrationSaysSoThenGoesOn() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path lock = state.resolve("swarm.db.migration-lock");
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        // another swarm process, migrating: a single-file program holding the lock until its stdin ends
        Path holderSource = Files.writeString(tmp.resolve("Holder.java"), """
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        try (var c = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]),
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE); var l = c.lock()) {
                            System.out.println("locked");
                            System.out.flush();
                            System.in.readAllBytes();
                        }
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, holderSource.toString(), lock.toString()).redirectErrorStream(true).start();
        Process swarm = null;
        try {
            BufferedReader held = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(held.readLine()).isEqualTo("locked");

            swarm = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    io.swarmflow.cli.SwarmCli.class.getName(), "run", spec.toString(), "--plain", "--state-dir", state.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(swarm.getErrorStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = err.readLine()) != null) { // ends at the notice, or when swarm exits without one
                lines.add(line);
                if (line.startsWith("swarm: warning: the database")) break;
            }
            assertThat(lines).as("swarm's stderr").last().isEqualTo("swarm: warning: the database " + state.resolve("swarm.db")
                    + " is being migrated by another swarm process (it holds the lock of " + lock + "; `fuser -v " + lock
                    + "` lists it): this command waits for it to finish, for up to 60 s (1 s so far); then it fails, changing "
                    + "nothing");

            holder.getOutputStream().close(); // the other migration is done
            String rest = String.join("\n", err.lines().toList());
            assertThat(swarm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(swarm.exitValue()).as(rest).isZero();
            assertThat(rest).as("said once").doesNotContain("is being migrated by another");
            // and its end, once the lock is held
            assertThat(rest.lines().findFirst()).as(rest).get().asString().matches(Pattern.quote(
                    "swarm: warning: the database " + state.resolve("swarm.db") + " is no longer being migrated by another swarm "
                    + "process (after ") + "\\d+" + Pattern.quote(" s); this command goes on"));
        } finally {
            holder.destroyForcibly().waitFor();
            if (swarm != null) swarm.destroyForcibly().waitFor();
        }
    }
}
