package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under umask 000 (a misconfigured CI runner, some containers) git left to itself makes a worktree's administrative
 * directory {@code .git/worktrees/<name>} {@code rwxrwxrwx} and its files ({@code HEAD}, {@code index}, {@code gitdir},
 * logs) {@code rw-rw-rw-}, and so the ticket's branch: any local user could rewrite a ticket's branch or index. swarm
 * runs git with its umask plus 022 ({@code io.swarmflow.git.GitWorktrees#LAUNCHER}). swarm runs a worktree ticket that
 * changes a file (so swarm commits it) in a child JVM (the umask is the process's) under {@code sh -c 'umask 000; ...'}.
 */
class GitUmaskTest {
    @TempDir
    Path tmp;

    @Test
    void underUmask000WhatGitWritesForAWorktreeTicketIsNotWritableByGroupOrOthers() throws Exception {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path repo = Files.createDirectory(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("README.md"), "a test repository\n");
        git(repo, "add", "README.md");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "initial");
        String base = git(repo, "rev-parse", "HEAD").strip();
        Path spec = Files.writeString(tmp.resolve("s.yaml"),
                "repo: repo\ntickets:\n  - {id: t, workspace: worktree, run: \"echo work > work.txt\"}\n");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 000; exec \"$0\" \"$@\""));
        command.addAll(ChildSwarm.command(List.of("-Duser.home=" + home), "run", spec.toString(), "--plain",
                "--state-dir", tmp.resolve("state").toString()));
        ChildSwarm.Result r = ChildSwarm.run(command,
                Map.of("HOME", home.toString(), "XDG_CACHE_HOME", tmp.resolve("cache").toString()));

        assertThat(r.exit()).as(r.output()).isZero();
        String branch = git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/swarm").strip();
        assertThat(branch).as("the ticket's branch").isNotEmpty();
        assertThat(git(repo, "rev-parse", branch).strip()).as("the ticket's work is committed").isNotEqualTo(base);
        Path gitDir = repo.resolve(".git");
        assertThat(gitDir.resolve("worktrees")).isDirectory();
        List<String> open = new ArrayList<>();
        for (Path root : List.of(gitDir.resolve("worktrees"), gitDir.resolve("refs/heads/swarm"),
                gitDir.resolve("logs/refs/heads/swarm"))) {
            try (Stream<Path> all = Files.walk(root)) {
                all.forEach(p -> {
                    try {
                        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                        if (mode.charAt(4) == 'w' || mode.charAt(7) == 'w') open.add(gitDir.relativize(p) + " " + mode);
                    } catch (IOException e) {
                        open.add(p + " " + e);
                    }
                });
            }
        }
        assertThat(open).as("what git wrote for the ticket, writable by group or others").isEmpty();
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
        return out;
    }
}
