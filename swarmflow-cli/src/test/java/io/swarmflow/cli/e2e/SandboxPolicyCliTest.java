package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/sandbox.md's policies where bubblewrap is not usable, end to end: {@code swarm} runs in a JVM whose PATH has
 * bash, setsid, prlimit and git, and a {@code bwrap} that fails (as one that cannot create namespaces does), found before
 * the system's. (A PATH without bwrap no longer does: swarm also looks in the system's directories, and its probe runs
 * {@code true} by its absolute path since 9851f03, so the system's bwrap was found usable.)
 */
class SandboxPolicyCliTest {
    @TempDir
    Path tmp;

    private Cli.Result swarmWithoutBubblewrap(String... args) throws Exception {
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        for (String tool : List.of("bash", "setsid", "prlimit", "git", "kill")) {
            Path link = bin.resolve(tool);
            if (Files.exists(link)) continue;
            for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    Files.createSymbolicLink(link, Path.of(dir, tool));
                    break;
                }
            }
        }
        Path bwrap = bin.resolve("bwrap");
        if (!Files.exists(bwrap)) {
            Files.writeString(bwrap, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n");
            bwrap.toFile().setExecutable(true);
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("PATH", bin.toString());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Cli.Result(p.exitValue(), read(tmp.resolve("out.txt")), read(tmp.resolve("err.txt")));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void requiredIsRefusedBeforeAnythingIsStoredAndBestEffortWarnsOnceAndRuns() throws Exception {
        Path state = tmp.resolve("state");
        Path required = Cli.write(tmp.resolve("required.yaml"), """
                defaults: {sandbox: required}
                tickets:
                  - {id: a, run: echo ran}
                """);
        Cli.Result refused = swarmWithoutBubblewrap("run", required.toString(), "--plain", "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("swarm: ticket a needs sandbox: required but bubblewrap is not usable here: ",
                "; bubblewrap is installed (" + tmp.resolve("bin/bwrap") + "), so installing it does not help: fix what the "
                + "reason names", "or set sandbox: best-effort", "swarm: the plan cannot run here; nothing was run");
        assertThat(refused.err()).as("bubblewrap is there, only unusable").doesNotContain("apt-get install");
        assertThat(state.resolve("runs")).doesNotExist();

        Path bestEffort = Cli.write(tmp.resolve("best-effort.yaml"), """
                tickets:
                  - {id: a, run: echo ran}
                  - {id: b, run: echo ran too}
                """);
        Cli.Result ran = swarmWithoutBubblewrap("run", bestEffort.toString(), "--plain", "--state-dir", state.toString());
        assertThat(ran.code()).as("%s", ran).isZero();
        assertThat(ran.out()).contains("a | ran", "b | ran too");
        assertThat((ran.out() + ran.err()).split("apt-get install bubblewrap", -1)).as("one warning: %s", ran).hasSize(2);
    }
}
