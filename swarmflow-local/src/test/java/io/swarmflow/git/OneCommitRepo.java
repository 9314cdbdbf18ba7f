package io.swarmflow.git;

import static io.swarmflow.git.EveryChangeSeenTest.git;

import java.nio.file.Files;
import java.nio.file.Path;

/** A test repository of one commit and a ticket's worktree of it, as the engine makes one, for the worktree-commit tests. */
record OneCommitRepo(Path repo, Worktree worktree) {
    /**
     * A repository {@code dir/name} on branch {@code main} whose one commit holds {@code file} with {@code content}, and
     * the worktree {@code dir/run-name/worktrees/t} on branch {@code swarm/r/t} made from it by {@link GitWorktrees#createWorktree}.
     */
    static OneCommitRepo make(Path dir, String name, String file, String content) throws Exception {
        Path repo = Files.createDirectories(dir.resolve(name));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve(file), content);
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "base");
        Worktree w = GitWorktrees.createWorktree(repo, dir.resolve("run-" + name + "/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        return new OneCommitRepo(repo, w);
    }
}
