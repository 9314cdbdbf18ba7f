package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret ({@code ${{ env.NAME }}}) is masked in what Swarmflow itself writes about an attempt from what the ticket left,
 * as in what the ticket prints: failure reasons and warnings built from the names of files and directories in its
 * worktree reach the console, swarm.db, the reports and {@code swarm status} as {@code ***}. And each line of a
 * multi-line secret is masked on its own. The surefire configuration sets SWARM_TEST_SECRET and
 * SWARM_TEST_MULTILINE_SECRET (three lines, the last one of 6 bytes) for the test JVM.
 */
class SecretInCoordinatorTextTest {
    @TempDir
    Path tmp;

    @Test
    void aSecretInTheNamesOfWhatATicketLeftIsMaskedInReasonsWarningsAndEveryFileOfTheRun() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        String multiLine = System.getenv("SWARM_TEST_MULTILINE_SECRET");
        assertThat(secret).as("set by the surefire configuration").isNotBlank();
        assertThat(multiLine).as("set by the surefire configuration").contains("\n");
        List<String> lines = multiLine.lines().toList();
        assertThat(lines).hasSize(3);
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                repo: %s
                tickets:
                  - id: nocommit
                    workspace: worktree
                    env: {TOK: "${{ env.SWARM_TEST_SECRET }}"}
                    run: mkdir "d-$TOK" && git -C "d-$TOK" init -q
                  - id: withcommit
                    workspace: worktree
                    env: {TOK: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      mkdir "n-$TOK" && cd "n-$TOK" && git init -q && echo x > f && git add f
                      git -c user.email=a@b -c user.name=a commit -qm x
                  - id: unreadable
                    workspace: worktree
                    env: {TOK: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      mkdir -p "deep-$TOK"; cd "deep-$TOK"; for i in $(seq 1 200); do mkdir -p aaaaaaaaaaaaaaaaaaaa && cd aaaaaaaaaaaaaaaaaaaa; done; echo x > f
                  - id: ml
                    workspace: run
                    env: {ML: "${{ env.SWARM_TEST_MULTILINE_SECRET }}"}
                    run: |
                      printf '%%s\\n' "$ML" > "$SWARM_SCRATCH/ml"
                      echo "mlfirst:${ML%%%%$'\\n'*}"
                      echo "mllast:${ML##*$'\\n'}"
                  - id: other
                    workspace: run
                    needs: [ml]
                    run: |
                      echo "other first:$(head -n 1 "$SWARM_SCRATCH/ml")"
                      echo "other last:$(tail -n 1 "$SWARM_SCRATCH/ml")"
                """.formatted(repo));
        Path state = tmp.resolve("state");
        try {
            runAndCheck(spec, state, secret, lines);
        } finally {
            // JUnit's removal of the temporary directory resolves each directory's real path: slow on the deep one
            Process rm = new ProcessBuilder("rm", "-rf", state.toString()).inheritIO().start();
            assertThat(rm.waitFor()).isZero();
        }
    }

    private void runAndCheck(Path spec, Path state, String secret, List<String> lines) throws Exception {
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        String run = CliEndToEndTest.runId(r);
        Result status = swarm("status", run, "--json", "--state-dir", state.toString());
        // the reasons and the warning are there, masked
        assertThat(Cli.ticket(status.json(), "nocommit").get("reason").asText())
                .contains("d-*** in the worktree is a git repository without a commit");
        assertThat(Cli.ticket(status.json(), "unreadable").get("reason").asText())
                .contains("the ticket left directories in its worktree that cannot be opened (deep-***/aaaaaaaaaaaaaaaaaaaa/aaaa");
        assertThat(r.err()).contains("ticket withcommit: the commit on swarm/" + run + "/withcommit does not hold the content of n-***");
        assertThat(Files.readString(state.resolve("runs").resolve(run).resolve("logs/withcommit/1/stderr.log")))
                .contains("does not hold the content of n-***");
        // each line of a multi-line secret printed alone: masked in the ticket handed it; in another ticket, the lines of
        // 8 bytes or more (a run-wide secret's minimum)
        assertThat(r.out()).contains("ml | mlfirst:***", "ml | mllast:***", "other | other first:***",
                "other | other last:" + lines.get(2));
        List<String> needles = List.of(secret, lines.get(0), lines.get(1));
        for (String needle : needles) {
            assertThat(r.out() + r.err()).as("the console").doesNotContain(needle);
            assertThat(status.out()).as("swarm status").doesNotContain(needle);
        }
        Result plainStatus = swarm("status", run, "--state-dir", state.toString());
        assertThat(plainStatus.out()).contains("d-***").doesNotContain(secret);
        // no file of the run holds it: swarm.db (and its log), report.json, report.html, the logs; the worktrees and the
        // shared directory hold what the tickets made, the secret in their names (as the ticket chose)
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(state, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                String name = dir.getFileName().toString();
                return name.equals("worktrees") || name.equals("scratch") ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                        : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) files.add(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("swarm.db", "report.json", "report.html");
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            for (String needle : needles) {
                assertThat(indexOf(content, needle.getBytes(StandardCharsets.UTF_8))).as("%s holds %s", f, needle).isEqualTo(-1);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
