package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tickets that may run at the same time in one shared workspace may not name the same output file: each output is read
 * when its attempt ends, from whatever the last writer left, so a ticket reading one would get another's value.
 */
class SharedOutputFileTest {
    @TempDir
    Path dir;

    @Test
    void matrixExpansionsNamingOneFileInTheRunDirectoryAreRefused() throws Exception {
        assertThat(SpecFiles.errors(dir, """
                tickets:
                  - id: build
                    matrix: {os: [linux, mac, win, bsd]}
                    run: echo "${{ matrix.os }}" > result.txt
                    outputs: {r: result.txt}
                """)).containsExactly("swarm.yaml:5:18: output 'r' of matrix ticket 'build' is the file result.txt in the "
                + "run's shared directory for each of its expansions build-linux, build-mac, build-win and 1 more, which may "
                + "run at the same time and overwrite each other's file: a ticket reading the output of one would get "
                + "whichever was written last; name the file by the matrix value: r: \"result-${{ matrix.os }}.txt\", or use "
                + "a {json: key} output");
    }

    @Test
    void theSuggestionNamesOnlyTheKeysThePathLacks() throws Exception {
        SpecFiles.gitInit(dir);
        assertThat(SpecFiles.errors(dir, """
                tickets:
                  - id: t
                    matrix: {os: [linux, mac], jdk: ["21", "25"]}
                    workspace: run
                    run: "true"
                    outputs: {r: {file: "out/${{ matrix.os }}.log"}}
                """)).containsExactly("swarm.yaml:6:25: output 'r' of matrix ticket 't' is the file out/linux.log in the "
                + "run's shared directory for each of its expansions t-linux-21, t-linux-25, which may run at the same time "
                + "and overwrite each other's file: a ticket reading the output of one would get whichever was written last; "
                + "name the file by the matrix value: r: \"out/${{ matrix.os }}-${{ matrix.jdk }}.log\", or set workspace: "
                + "worktree, which gives each expansion its own directory, or use a {json: key} output");
    }

    @Test
    void twoTicketsNeitherNeedingTheOtherAreWarnedAbout() throws Exception {
        List<String> warnings = new ArrayList<>();
        new SpecLoader().load(SpecFiles.write(dir, "two.yaml", """
                tickets:
                  - id: a
                    run: echo a > out.txt
                    outputs: {x: out.txt}
                  - id: b
                    run: echo b > out.txt
                    outputs: {y: ./out.txt}
                """), Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).singleElement().asString().endsWith("output 'y' of ticket 'b' is the file ./out.txt in the "
                + "run's shared directory, as output 'x' of ticket 'a' is (line 4), and neither needs the other: unless their "
                + "conditions keep them apart (when: success and when: failure), they may run at the same time and overwrite "
                + "each other's file, and a ticket reading the output gets whichever was written last; give one of the files "
                + "another name, or add a to the needs of b");
    }

    /**
     * A success and a failure branch of one dependency never both run (review D5 F1): their shared output file is a
     * warning, not a refusal of a spec that works.
     */
    @Test
    void aSuccessAndAFailureBranchSharingAFileAreNotRefused() throws Exception {
        List<String> warnings = new ArrayList<>();
        new SpecLoader().load(SpecFiles.write(dir, "branches.yaml", """
                tickets:
                  - {id: deploy, run: "true"}
                  - {id: ok, needs: [deploy], run: echo ok > status.txt, outputs: {s: status.txt}}
                  - {id: bad, needs: [deploy], when: failure, run: echo bad > status.txt, outputs: {s: status.txt}}
                """), Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).singleElement().asString().contains("output 's' of ticket 'bad' is the file status.txt");
    }

    @Test
    void whatCannotRunAtOnceIsAccepted() throws Exception {
        SpecFiles.gitInit(dir);
        List<String> warnings = new ArrayList<>();
        // ordered by needs (through c), paths by matrix value, a worktree each, one at a time, a run of concurrency 1
        new SpecLoader().load(SpecFiles.write(dir, "a.yaml", """
                agents: {one: {kind: shell, concurrency: 1}}
                defaults: {workspace: run}
                tickets:
                  - id: a
                    run: echo a > out.txt
                    outputs: {x: out.txt}
                  - {id: c, needs: [a], run: "true"}
                  - id: b
                    needs: [c]
                    run: echo b > out.txt
                    outputs: {y: out.txt}
                  - id: m
                    matrix: {os: [linux, mac]}
                    run: "true"
                    outputs: {r: "r-${{ matrix.os }}.txt", same: r.txt}
                    agent: one
                  - id: w
                    matrix: {os: [linux, mac]}
                    workspace: worktree
                    run: "true"
                    outputs: {r: r.txt}
                """), Map.of(), w -> warnings.add(w.format()));
        new SpecLoader().load(SpecFiles.write(dir, "b.yaml", """
                concurrency: 1
                defaults: {workspace: run}
                tickets:
                  - id: m
                    matrix: {os: [linux, mac]}
                    run: "true"
                    outputs: {r: r.txt}
                """), Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).isEmpty();
    }

    /**
     * In the checkout (workspace: repo, sandbox: off) the spec alone decides, not whether the file is there now: a ticket
     * without the sandbox can write a file of the repository as well as a new one, and validate says the same on every
     * machine. Expansions naming one file there are warned about, not refused, when the loader is not told which files
     * the repository's HEAD commit holds (no {@link SpecLoader#withCommittedFiles}): they may only read one of them.
     */
    @Test
    void aRepoTicketWithoutSandboxIsJudgedByTheSpecAloneNotTheDisk() throws Exception {
        SpecFiles.gitInit(dir);
        String spec = """
                agents: {loose: {kind: shell, sandbox: off}}
                tickets:
                  - id: m
                    agent: loose
                    matrix: {os: [linux, mac]}
                    run: "true"
                    outputs: {v: VERSION}
                  - {id: a, agent: loose, run: "true", outputs: {x: NOTES}}
                  - {id: b, agent: loose, run: "true", outputs: {y: NOTES}}
                """;
        List<String> absent = warnings(spec);
        SpecFiles.write(dir, "VERSION", "1\n");
        SpecFiles.write(dir, "NOTES", "n\n");
        assertThat(warnings(spec)).as("the same with the files in the checkout").isEqualTo(absent);
        assertThat(absent).containsExactly(
                "swarm.yaml:7:18: output 'v' of matrix ticket 'm' is the file VERSION in your checkout (workspace: repo, "
                        + "sandbox: off) for each of its expansions m-linux, m-mac, which may run at the same time and overwrite "
                        + "each other's file: a ticket reading the output of one would get whichever was written last (unless "
                        + "they only read it as the repository has it); name the file by the matrix value: "
                        + "v: \"VERSION-${{ matrix.os }}\", or set workspace: worktree, which gives each expansion its own "
                        + "directory, or use a {json: key} output",
                "swarm.yaml:9:53: output 'y' of ticket 'b' is the file NOTES in your checkout (workspace: repo, sandbox: off), "
                        + "as output 'x' of ticket 'a' is (line 8), and neither needs the other: unless their conditions keep "
                        + "them apart (when: success and when: failure), they may run at the same time and overwrite each "
                        + "other's file, and a ticket reading the output gets whichever was written last; give one of the files "
                        + "another name, or add a to the needs of b, or set workspace: worktree on one of them");
    }

    private static final String MATRIX_IN_THE_CHECKOUT = """
            agents: {loose: {kind: shell, sandbox: "off"}}
            tickets:
              - id: m
                agent: loose
                matrix: {os: [linux, mac]}
                run: "true"
                outputs: {v: ./VERSION}
            """;

    /**
     * Expansions naming one file in the checkout that the repository's HEAD commit holds may only read it, the same for
     * each, but without the sandbox nothing keeps them from rewriting it (a committed VERSION each bumps): warned about,
     * not refused (review DWG F2). The commit is asked once, for the file as one path names it.
     */
    @Test
    void matrixExpansionsNamingACommittedFileInTheCheckoutAreWarnedAboutNotRefused() throws Exception {
        SpecFiles.gitInit(dir);
        List<List<String>> asked = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        new SpecLoader().withCommittedFiles((repo, files) -> {
            asked.add(List.of(repo.toString(), String.join(",", files)));
            return Map.of("VERSION", true);
        }).load(SpecFiles.write(dir, "swarm.yaml", MATRIX_IN_THE_CHECKOUT), Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).containsExactly(dir.resolve("swarm.yaml") + ":7:18: output 'v' of matrix ticket 'm' is the file "
                + "./VERSION in your checkout (workspace: repo, sandbox: off) for each of its expansions m-linux, m-mac, which "
                + "may run at the same time and overwrite each other's file: a ticket reading the output of one would get "
                + "whichever was written last (unless they only read it as the repository's HEAD commit has it: without the "
                + "sandbox nothing keeps them from rewriting it); name the file by the matrix value: "
                + "v: \"./VERSION-${{ matrix.os }}\", or set workspace: worktree, which gives each expansion its own directory, "
                + "or use a {json: key} output");
        assertThat(asked).containsExactly(List.of(dir.toRealPath().toString(), "VERSION"));
    }

    /**
     * A file the commit does not hold, which no other ticket names, each expansion writes: refused, where it is named. The
     * fixes include naming it in the outputs of the ticket that writes it, when one does (review DWG F4): then it is a
     * warning ({@link #aFileAnotherTicketNamesOrGitCannotTellIsWarnedAbout}).
     */
    @Test
    void matrixExpansionsNamingAFileNotInTheCommitAreRefused() throws Exception {
        SpecFiles.gitInit(dir);
        SpecException e = org.junit.jupiter.api.Assertions.assertThrows(SpecException.class, () -> new SpecLoader()
                .withCommittedFiles((repo, files) -> Map.of("VERSION", false))
                .load(SpecFiles.write(dir, "swarm.yaml", MATRIX_IN_THE_CHECKOUT), Map.of()));
        assertThat(e.errors()).extracting(SpecError::format).containsExactly(dir.resolve("swarm.yaml") + ":7:18: output 'v' of "
                + "matrix ticket 'm' is the file ./VERSION in your checkout (workspace: repo, sandbox: off) for each of its "
                + "expansions m-linux, m-mac, which may run at the same time and overwrite each other's file: a ticket reading "
                + "the output of one would get whichever was written last; ./VERSION is not a file of the repository's HEAD "
                + "commit, so each expansion writes it; name the file by the matrix value: v: \"./VERSION-${{ matrix.os }}\", "
                + "or set workspace: worktree, which gives each expansion its own directory, or use a {json: key} output, or, "
                + "when a ticket they need writes it for them to read, name the file in that ticket's outputs too");
    }

    /**
     * A file the commit does not hold but another ticket names too may be one that ticket writes for the expansions to
     * read: a warning. So is a file git could not tell about (left out of the answer).
     */
    @Test
    void aFileAnotherTicketNamesOrGitCannotTellIsWarnedAbout() throws Exception {
        SpecFiles.gitInit(dir);
        String spec = """
                agents: {loose: {kind: shell, sandbox: "off"}}
                tickets:
                  - {id: v, agent: loose, run: "date > VERSION", outputs: {v: VERSION}}
                  - id: m
                    agent: loose
                    needs: [v]
                    matrix: {os: [linux, mac]}
                    run: "true"
                    outputs: {v: ./VERSION}
                """;
        List<String> warnings = new ArrayList<>();
        new SpecLoader().withCommittedFiles((repo, files) -> Map.of("VERSION", false))
                .load(SpecFiles.write(dir, "swarm.yaml", spec), Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).singleElement().asString().contains("output 'v' of matrix ticket 'm' is the file ./VERSION",
                "(unless they only read it as another ticket that names it wrote it)");

        warnings.clear();
        new SpecLoader().withCommittedFiles((repo, files) -> Map.of())
                .load(SpecFiles.write(dir, "swarm.yaml", MATRIX_IN_THE_CHECKOUT), Map.of(), w -> warnings.add(w.format()));
        assertThat(warnings).singleElement().asString().contains("(unless they only read it as the repository has it)");
    }

    /** The commit is not asked about files of the run's shared directory, nor when no expansions share a file. */
    @Test
    void theCommitIsAskedOnlyAboutTheCheckout() throws Exception {
        SpecFiles.gitInit(dir);
        List<String> asked = new ArrayList<>();
        CommittedFiles recording = (repo, files) -> {
            asked.addAll(files);
            return Map.of();
        };
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(SpecException.class, () -> new SpecLoader()
                .withCommittedFiles(recording).load(SpecFiles.write(dir, "swarm.yaml", MATRIX_IN_THE_CHECKOUT
                        .replace("agent: loose\n", "agent: loose\n    workspace: run\n")), Map.of())).errors()).hasSize(1);
        new SpecLoader().withCommittedFiles(recording).load(SpecFiles.write(dir, "swarm.yaml",
                MATRIX_IN_THE_CHECKOUT.replace("./VERSION", "\"VERSION-${{ matrix.os }}\"")), Map.of());
        assertThat(asked).isEmpty();
    }

    private List<String> warnings(String yaml) throws Exception {
        List<String> warnings = new ArrayList<>();
        new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", yaml), Map.of(), w -> warnings.add(w.format()));
        String prefix = dir + "/";
        return warnings.stream().map(w -> w.startsWith(prefix) ? w.substring(prefix.length()) : w).toList();
    }
}
